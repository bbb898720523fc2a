"""The site builds from the stored outputs, with every warning an error."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_site_builds_without_warnings(tmp_path):
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / 'jupyter-book'), 'build', str(ROOT), '--path-output', str(tmp_path),
         '--warningiserror', '--nitpick', '--keep-going'],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    html = tmp_path / '_build' / 'html'
    assert (html / 'index.html').exists()
    # Every page of the table of contents became a page of the site.
    import pages
    for page in pages.pages():
        rel = page.relative_to(ROOT).with_suffix('.html')
        assert (html / rel).exists(), rel
