"""Stored runs keep to their time budget.

A page's stored run may take DEFAULT_BUDGET_MINUTES on the two-core machine
that makes it, or what its header's ``budget_minutes`` allows (45 for the
heaviest networks of chapter 7). The minutes are those the kernel's own
timestamps in the stored notebook record.
"""
import json

from booktools import book, machine_speed, pages

# Runs stored before the budget was checked and not yet re-run within it
# (issue 11): each leaves this list when its re-run fits, and no page may
# join it.
STORED_OVER_BUDGET = {
    'chapters/07-convolutional-modern/alexnet',
    'chapters/07-convolutional-modern/nin',
}


def _cell(start, end):
    return {'cell_type': 'code', 'metadata': {'execution': {
        'iopub.execute_input': start, 'shell.execute_reply': end}}}


def test_a_run_lasts_from_the_first_cell_start_to_the_last_cell_end():
    notebook = {'cells': [_cell('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:05.000Z'),
                          {'cell_type': 'markdown', 'metadata': {}},
                          _cell('2026-12-01T10:00:06.000Z', '2026-12-01T10:45:06.000Z')]}
    assert book.run_minutes(notebook) == 45.1
    assert book.run_minutes({'cells': [{'cell_type': 'code', 'metadata': {}}]}) is None
    assert book.run_minutes({'cells': [{'cell_type': 'markdown', 'metadata': {}}]}) == 0


def test_the_header_can_raise_a_page_budget():
    assert book.Settings.from_header(None).budget() == book.DEFAULT_BUDGET_MINUTES == 30
    assert book.Settings.from_header({'budget_minutes': 45}).budget() == 45
    # the budget is not part of the run: it leaves the stored environment alone
    assert book.Settings.from_header({'budget_minutes': 45}).stored_env() == {'D2L_PROFILE': 'full'}


def test_every_stored_run_keeps_its_budget():
    rows = pages.budget_report()
    assert all(minutes is not None for _, minutes, _ in rows), 'stored code cells without timestamps'
    over = {page.name: f'{minutes:.1f} of {budget} min' for page, minutes, budget in rows
            if minutes > budget}
    assert {name: t for name, t in over.items() if name not in STORED_OVER_BUDGET} == {}
    assert STORED_OVER_BUDGET - set(over) == set(), 'within budget now: take it off the list'


def test_the_speed_probe_runs_the_lenet_page_up_to_the_run_it_compares_with():
    # `pages minutes --here` divides the stored rate by the probe's: both must
    # come from the section's own training cell (not the seed study, not a
    # solution), and the probe must run the page's code, capped to two epochs.
    page = book.resolve(machine_speed.PROBE_PAGE)
    notebook = json.loads(page.ipynb.read_text())
    first = next(cell for cell in notebook['cells']
                 if cell['cell_type'] == 'code' and machine_speed.printed_rates({'cells': [cell]}))
    source = ''.join(first['source'])
    assert 'lr, num_epochs = 0.9, 10' in source and 'for seed' not in source
    assert machine_speed.stored_rate(page) == machine_speed.printed_rates({'cells': [first]})[0] > 0
    code = machine_speed.probe_code(page)
    assert code.endswith(source) and 'def lenet5(' in code and 'net.hybridize()' in code
    assert '_epochs = None, 2' in code.splitlines()[1]
    notebook = {'cells': [
        {'cell_type': 'code', 'metadata': {}, 'outputs': [
            {'output_type': 'stream', 'text': ['loss 0.4, test acc 0.8\n', '9366.4 examples/sec on cpu(0)\n']}]},
        {'cell_type': 'code', 'metadata': {'tags': ['hide-cell']}, 'outputs': [
            {'output_type': 'stream', 'text': '12.5 examples/sec on cpu(0)\n'}]}]}
    assert machine_speed.printed_rates(notebook) == [9366.4]


def test_a_machine_half_as_fast_takes_twice_as_long(monkeypatch, capsys):
    monkeypatch.setattr(machine_speed, 'stored_rate', lambda page: 9000.0)
    monkeypatch.setattr(machine_speed, 'measured_rate', lambda env, page: 4500.0)
    assert pages.machine_slowdown() == 2.0
    assert '2.00 times as long here' in capsys.readouterr().out


def test_minutes_here_flags_the_runs_that_would_overrun_on_this_machine(monkeypatch, capsys):
    class Page:
        def __init__(self, name):
            self.name = name
    rows = [(Page('over anywhere'), 50.0, 45), (Page('over here'), 25.0, 30),
            (Page('fits'), 10.0, 30), (Page('untimed'), None, 30), (Page('stored on-this-kind'), 40.0, 45),
            (Page('stored on-a-third-kind'), 40.0, 30)]
    # A run stored on this kind of machine already took its minutes here; one
    # stored on neither this kind nor LeNet's has no measured factor. The
    # others, like LeNet's own run, carry no kind.
    kinds = {'stored on-this-kind': machine_speed.cpu_kind(), 'stored on-a-third-kind': 'Another CPU, 2 CPUs'}
    monkeypatch.setattr(pages, 'budget_report', lambda: rows)
    monkeypatch.setattr(pages, 'machine_slowdown', lambda: 2.0)
    monkeypatch.setattr(pages, 'stored_cpu_kind', lambda page: kinds.get(page.name))
    assert pages.main(['minutes', '--here']) == 0
    *lines, summary = capsys.readouterr().out.splitlines()
    shown = {line.split()[-1]: line for line in lines}
    assert set(shown) == {'anywhere', 'here', 'on-a-third-kind'}
    assert 'other machine' in shown['on-a-third-kind'] and shown['on-a-third-kind'].count('OVER') == 1
    assert shown['anywhere'].count('OVER') == 2 and '~100.0 here' in shown['anywhere']
    assert shown['here'].count('OVER') == 1 and '~ 50.0 here' in shown['here']
    assert '2 of 6 stored runs over their budget' in summary and 'about 2 would be over' in summary
    assert pages.main(['minutes', '--here', '--all']) == 0
    everything = capsys.readouterr().out.splitlines()
    untimed = [line for line in everything if line.endswith('untimed')]
    assert untimed and 'no timestamps' in untimed[0] and 'here' not in untimed[0].replace('untimed', '')
    same_kind = [line for line in everything if line.endswith('on-this-kind')]
    assert same_kind and '~ 40.0 here' in same_kind[0] and 'OVER' not in same_kind[0]


def test_the_kind_of_machine_is_its_model_generation_cores_and_widest_vector_unit(tmp_path):
    cpuinfo = tmp_path / 'cpuinfo'
    core = ('processor\t: {n}\nvendor_id\t: AuthenticAMD\ncpu family\t: {family}\nmodel\t\t: 1\n'
            'model name\t: AMD EPYC\nflags\t\t: fpu sse4_2 avx avx2 fma\n\n')
    cpuinfo.write_text(core.format(n=0, family=25) + core.format(n=1, family=25))
    kind = machine_speed.cpu_kind(cpuinfo)
    assert kind.startswith('AMD EPYC (family 25, model 1), ') and kind.endswith(' CPUs, avx2')
    # a virtual machine may name two generations alike; the family tells them apart
    cpuinfo.write_text(core.format(n=0, family=23))
    assert machine_speed.cpu_kind(cpuinfo) != kind
    cpuinfo.write_text(core.format(n=0, family=25).replace('avx2', 'avx2 avx512f'))
    assert machine_speed.cpu_kind(cpuinfo).endswith(', avx512f')


def test_a_cpu_without_those_fields_is_still_named(tmp_path, monkeypatch):
    monkeypatch.setattr(machine_speed.platform, 'processor', lambda: '')
    monkeypatch.setattr(machine_speed.platform, 'machine', lambda: 'aarch64')
    arm = tmp_path / 'cpuinfo'
    arm.write_text('processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\nCPU part\t: 0xd0c\n')
    assert machine_speed.cpu_kind(arm).startswith('aarch64, ') and machine_speed.cpu_kind(arm).endswith(' CPUs')
    assert machine_speed.cpu_kind(tmp_path / 'missing').startswith('aarch64, ')
    # an empty value is empty, not the next line
    empty = tmp_path / 'empty'
    empty.write_text('model name\t:\nstepping\t: 1\nflags\t\t:\nbugs\t\t: avx2\n')
    assert machine_speed.cpu_kind(empty).startswith('aarch64, ') and machine_speed.cpu_kind(empty).endswith(' CPUs')


def test_the_kind_is_read_from_the_stored_run_record(tmp_path):
    class Page:
        ipynb = tmp_path / 'page.ipynb'
    def stored(metadata):
        Page.ipynb.write_text(json.dumps({'cells': [], 'metadata': metadata, 'nbformat': 4, 'nbformat_minor': 5}))
        return pages.stored_cpu_kind(Page)
    assert stored({'d2l_run': {'fingerprint': 'f', 'cpu_kind': 'Some CPU, 2 CPUs'}}) == 'Some CPU, 2 CPUs'
    assert stored({'d2l_run': {'fingerprint': 'f'}}) is None
    assert stored({}) is None


def test_a_stored_run_records_the_kind_of_machine_that_made_it(monkeypatch):
    recorded = {}
    page = book.resolve('chapters/07-convolutional-modern/resnet')
    monkeypatch.setattr(pages, 'sync', lambda page: None)
    monkeypatch.setattr(pages, 'library_in_sync', lambda: 'library text')
    monkeypatch.setattr(pages.subprocess, 'run', lambda *args, **kwargs: None)
    monkeypatch.setattr(pages, 'record', lambda page, text, **extra: recorded.update(extra))
    pages.run(page, timeout=1)
    assert recorded == {'cpu_kind': machine_speed.cpu_kind()}
