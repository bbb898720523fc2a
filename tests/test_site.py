"""The site builds from the stored outputs, with every warning an error; its
generated pages (the d2l API, the results table) say what they promise; and a
reader's browser shows every page whole. The site is built once, into
_build/html (where `make html` puts it), and everything here checks that build."""
import html
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
from booktools import book, paths, site_check
from booktools import site as d2l_site


@pytest.fixture(scope='module')
def site():
    shutil.rmtree(paths.site_dir(), ignore_errors=True)  # no page of an older build survives
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / 'jupyter-book'), 'build', str(paths.root()),
         '--warningiserror', '--nitpick', '--keep-going'],
        capture_output=True, text=True, timeout=900)
    return result, paths.site_dir()


def test_site_builds_without_warnings(site):
    result, html_dir = site
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    for page in book.pages():
        assert (html_dir / f'{page.name}.html').exists(), page.name
    assert (html_dir / '404.html').exists()


@pytest.mark.skipif(not site_check.browser_available(),
                    reason='skipped: no chromium/chromedriver (make setup installs them as root)')
def test_every_page_reads_whole_in_a_browser(site):
    result, html_dir = site
    assert result.returncode == 0, 'the site did not build'
    problems, summary = site_check.check(html_dir)
    print(summary)
    assert not problems, '\n'.join(problems[:40])


def test_api_page_lists_every_public_name_with_a_live_link(site):
    from d2l import mxnet as d2l
    _, html_dir = site
    page = html_dir / 'chapters/19-appendix-tools-for-deep-learning/d2l.html'
    text = html.unescape(re.sub(r'<[^>]+>', '', page.read_text()))
    missing = [name for name in d2l.__all__ if f'd2l.{name}' not in text]
    assert not missing, f'public names missing from the d2l API page: {missing}'
    links = re.findall(r'href="([^"#]+\.html)', page.read_text())
    chapter_links = [l for l in links if 'chapters/' in l or l.startswith('../')]
    assert chapter_links
    dead = [l for l in chapter_links if not (page.parent / l).resolve().exists()]
    assert not dead, dead


TRAINING_LINE = re.compile(r'train acc|examples/sec|tokens/sec|log rmse|epoch \d+, loss|L2 norm of w')


def test_every_page_that_trains_has_a_row_in_the_results_table():
    covered = {ref['page'] for ref in d2l_site.load_references()}
    trains = [p.name for p in book.pages()
              if p.ipynb.exists() and TRAINING_LINE.search(d2l_site.stored_text(p.name)[0])]
    assert trains
    missing = sorted(set(trains) - covered)
    assert not missing, f'pages that train but have no row in reference-results.yml: {missing}'


def test_every_row_of_the_results_table_is_found_in_its_notebook():
    rows = d2l_site.result_rows()
    lost = [f"{r['page']} ({r['model']})" for r in rows if r['status'] == 'missing']
    assert not lost, f'reference rows whose result line is not in the stored notebook: {lost}'


def test_no_launch_or_repository_button_leads_to_a_made_up_repository(site):
    # _config.yml leaves repository.url empty: no page may offer a button that
    # opens a repository or a hosted notebook.
    _, html_dir = site
    page = (html_dir / 'chapters/03-linear-networks/linear-regression-scratch.html').read_text()
    for target in ('mybinder.org', 'colab.research.google.com', 'github.com/d2l-executable'):
        assert target not in page, target
    assert 'download' in page.lower()  # the notebook download button stays


@pytest.mark.parametrize('url,shown', [('', False), ('https://github.com/someone/d2l-fork', True)])
def test_buttons_follow_the_repository_setting(url, shown):
    class Config:
        html_theme_options = {'repository_url': url,
                              'launch_buttons': {'binderhub_url': 'https://mybinder.org'}}
    d2l_site._repository_buttons(None, Config)
    assert Config.html_theme_options['use_repository_button'] is shown
    assert Config.html_theme_options['use_source_button'] is shown
    assert bool(Config.html_theme_options['launch_buttons']) is shown


def test_a_gap_counts_as_explained_only_where_the_page_says_why():
    rows = d2l_site.result_rows()
    for row in rows:
        if 'explained' in row:
            # `evidence` quotes the page's own account of the gap, so the mark
            # disappears with it when the page is rewritten.
            page = ' '.join(book.Page(row['page'], paths.root()).md.read_text().split())
            assert row['evidence'] in page, (row['page'], row['evidence'])
    reference = dict(page=rows[0]['page'], model='m', data='d', pattern=rows[0]['pattern'],
                     metric=rows[0].get('metric', 'loss'), reference_value=-1e9, better='lower')
    assert d2l_site.result_rows([reference])[0]['status'] == 'below'
    reference['explained'] = 'a seed study'
    assert d2l_site.result_rows([reference])[0]['status'] == 'below, explained'
