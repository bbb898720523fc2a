"""Open every page of the built site in headless Chromium, as a reader would.

    python -m booktools.site_check [_build/html]

The test suite runs ``check`` on the site it has just built (tests/test_site.py).

Serves the site on loopback and, per page, checks that MathJax typeset every
formula (no raw TeX delimiters left in the visible text), that every image
loaded, that internal links resolve, and that the console shows no errors.
Site-wide it checks that search finds a known term and that every page with
code offers its notebook for download. Screenshots of three pages go to
_build/screenshots/. Exit 1 on any problem.

Uses Debian's chromium and chromium-driver (``booktools.paths``: D2L_CHROMIUM,
D2L_CHROMEDRIVER); no browser is downloaded.
"""
import functools
import http.server
import json
import pathlib
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from booktools import book, paths

SEARCH_TERM = 'tensor'
SCREENSHOTS = ['chapters/00-front/index', 'chapters/02-preliminaries/calculus',
               'chapters/03-linear-networks/softmax-regression-scratch']

# Text a reader sees outside code blocks: raw TeX here means MathJax failed.
VISIBLE_TEXT_JS = '''
const body = document.querySelector('main') || document.body;
const copy = body.cloneNode(true);
copy.querySelectorAll('pre, code, script, style, mjx-container, .MathJax').forEach(e => e.remove());
return copy.innerText;
'''
MATHJAX_DONE_JS = '''
const done = arguments[arguments.length - 1];
if (!window.MathJax || !MathJax.startup) { done('no-mathjax'); return; }
MathJax.startup.promise.then(() => done('ok')).catch(e => done('error: ' + e));
'''


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser moved on before a download finished


def serve(folder):
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f'http://127.0.0.1:{httpd.server_address[1]}/'


def browser(profile_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = str(paths.chromium())
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
                 '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync',
                 '--window-size=1280,1600', f'--user-data-dir={profile_dir}'):
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    return webdriver.Chrome(service=Service(str(paths.chromedriver())), options=options)


@functools.lru_cache(maxsize=None)
def status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def has_code(page):
    cells = json.loads(page.ipynb.read_text())['cells']
    return any(c['cell_type'] == 'code' for c in cells)


def check_page(driver, base, rel, problems, counts):
    url = urllib.parse.urljoin(base, rel)
    driver.get(url)
    driver.set_script_timeout(30)
    state = driver.execute_async_script(MATHJAX_DONE_JS)
    formulas = driver.execute_script("return document.querySelectorAll('mjx-container').length")
    if state != 'ok' and formulas:
        problems.append(f'{rel}: MathJax did not finish ({state})')
    text = driver.execute_script(VISIBLE_TEXT_JS)
    for raw in ('$$', '\\(', '\\[', '\\begin{'):
        if raw in text:
            at = text.index(raw)
            problems.append(f'{rel}: raw TeX {raw!r} left in the text: ...{text[max(0, at - 40):at + 40]!r}...')
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.currentSrc || i.src, i.complete && i.naturalWidth > 0])")
    for src, ok in images:
        if not ok:
            problems.append(f'{rel}: image did not load: {src}')
    hrefs = driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    internal = {h.split('#')[0] for h in hrefs if h.startswith(base)}
    for link in sorted(internal):
        if status(link) != 200:
            problems.append(f'{rel}: link to {link[len(base):]} answers {status(link)}')
    for entry in driver.get_log('browser'):
        if entry['level'] == 'SEVERE':
            problems.append(f'{rel}: console error: {entry["message"][:200]}')
    counts['pages'] += 1
    counts['formulas'] += formulas
    counts['images'] += len(images)
    counts['links'] += len(internal)
    return hrefs


def browser_available():
    return paths.chromium().exists() and paths.chromedriver().exists()


def check(site):
    """Check the built site in ``site``; return (problems, summary line)."""
    shots = paths.build_dir() / 'screenshots'
    shots.mkdir(parents=True, exist_ok=True)
    httpd, base = serve(site)
    problems, counts, hits = [], dict(pages=0, formulas=0, images=0, links=0), 0
    with tempfile.TemporaryDirectory() as profile_dir:
        driver = browser(profile_dir)
        try:
            for page in book.pages():
                if not page.ipynb.exists():
                    problems.append(f'{page.name}: no notebook, so no page')
                    continue
                rel = page.name + '.html'
                hrefs = check_page(driver, base, rel, problems, counts)
                source = page.name + '.ipynb'
                if has_code(page) and not any(h.split('#')[0].endswith('_sources/' + source) for h in hrefs):
                    problems.append(f'{rel}: no download link for {source}')
                if page.name in SCREENSHOTS:
                    driver.save_screenshot(str(shots / (rel.replace('/', '_')[:-5] + '.png')))
            # The search page answers from its index in the browser.
            driver.get(urllib.parse.urljoin(base, f'search.html?q={SEARCH_TERM}'))
            try:
                hits = WebDriverWait(driver, 20).until(lambda d: d.execute_script(
                    "return document.querySelectorAll('#search-results li').length"))
            except Exception:
                hits = 0
            if not hits:
                problems.append(f'search.html: no results for {SEARCH_TERM!r}')
            if (site / '404.html').exists():
                check_page(driver, base, '404.html', problems, counts)
        finally:
            driver.quit()
            httpd.shutdown()
    summary = (f"site: {counts['pages']} pages, {counts['formulas']} formulas, {counts['images']} images, "
               f"{counts['links']} links checked; search for {SEARCH_TERM!r}: {hits} hits; "
               f'{len(problems)} problems; screenshots in {shots}')
    return problems, summary


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    site = pathlib.Path(argv[0] if argv else paths.site_dir()).resolve()
    if not (site / 'index.html').exists():
        print(f'site_check: no built site in {site}; run `make html` first', file=sys.stderr)
        return 2
    problems, summary = check(site)
    print('\n'.join(problems))
    print(summary)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
