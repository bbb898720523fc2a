"""No page or library code repeats published text word for word."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHECKER = ROOT.parent / 'shared' / 'originality' / 'originality.py'


@pytest.mark.skipif(not CHECKER.exists(), reason='the originality checker lives in ../shared')
def test_no_run_matches_published_text():
    result = subprocess.run([sys.executable, str(CHECKER), 'chapters', 'd2l_lib'],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
