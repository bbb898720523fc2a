"""The site builds from the stored outputs, with every warning an error, and
its generated pages (the d2l API, the results table) say what they promise."""
import html
import pathlib
import re
import subprocess
import sys

import pytest

import d2l_site
import pages

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site')
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / 'jupyter-book'), 'build', str(ROOT),
         '--path-output', str(out), '--warningiserror', '--nitpick', '--keep-going'],
        capture_output=True, text=True, timeout=900)
    return result, out / '_build' / 'html'


def test_site_builds_without_warnings(site):
    result, html_dir = site
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    for page in pages.pages():
        rel = page.relative_to(ROOT).with_suffix('.html')
        assert (html_dir / rel).exists(), rel
    assert (html_dir / '404.html').exists()


def test_api_page_lists_every_public_name_with_a_live_link(site):
    from d2l import mxnet as d2l
    _, html_dir = site
    page = html_dir / 'chapters/99-back/d2l-api.html'
    text = html.unescape(re.sub(r'<[^>]+>', '', page.read_text()))
    public = [name for name, obj in vars(d2l).items()
              if not name.startswith('_') and getattr(obj, '__module__', None) == 'd2l.mxnet']
    public += ['DATA_HUB', 'DATA_URL']
    missing = [name for name in public if f'd2l.{name}' not in text]
    assert not missing, f'public names missing from the d2l API page: {missing}'
    links = re.findall(r'href="([^"#]+\.html)', page.read_text())
    chapter_links = [l for l in links if 'chapters/' in l or l.startswith('../')]
    assert chapter_links
    dead = [l for l in chapter_links if not (page.parent / l).resolve().exists()]
    assert not dead, dead


TRAINING_LINE = re.compile(r'train acc|examples/sec|tokens/sec|log rmse|epoch \d+, loss|L2 norm of w')


def test_every_page_that_trains_has_a_row_in_the_results_table():
    covered = {ref['page'] for ref in d2l_site.load_references()}
    trains = [str(p.relative_to(ROOT)) for p in pages.pages()
              if p.with_suffix('.ipynb').exists()
              and TRAINING_LINE.search(d2l_site.stored_text(str(p.relative_to(ROOT)))[0])]
    assert trains
    missing = sorted(set(trains) - covered)
    assert not missing, f'pages that train but have no row in reference-results.yml: {missing}'


def test_every_row_of_the_results_table_is_found_in_its_notebook():
    rows = d2l_site.result_rows()
    lost = [f"{r['page']} ({r['model']})" for r in rows if r['status'] == 'missing']
    assert not lost, f'reference rows whose result line is not in the stored notebook: {lost}'
