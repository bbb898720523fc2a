"""No page or library code repeats published text word for word."""
import subprocess
import sys

import pytest
from booktools import paths

CHECKER = (paths.shared() or paths.root()) / 'originality' / 'originality.py'


@pytest.mark.skipif(not CHECKER.exists(),
                    reason='skipped: ../shared/originality/originality.py is absent beside the checkout')
def test_no_run_matches_published_text():
    result = subprocess.run([sys.executable, str(CHECKER), 'chapters', 'd2l_lib'],
                            cwd=paths.root(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
