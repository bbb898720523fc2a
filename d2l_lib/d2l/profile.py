"""The one switch between a reader's run and a quick test run.

``D2L_PROFILE=full`` (the default) runs every page as printed: whole datasets,
all epochs. ``D2L_PROFILE=smoke`` is what ``make test`` sets: the library's
data loaders hand out a small slice of each dataset and its training loops
stop after a couple of epochs, so the whole book executes in minutes on two
CPU cores. The code on the page is the same in both profiles; only these
helpers look at the variable.
"""
import os

PROFILES = ('full', 'smoke')
# How much a smoke run keeps. Small enough for seconds per page, large enough
# that every code path (several minibatches, a test pass) still runs.
SMOKE_EPOCHS = 2
SMOKE_EXAMPLES = 1024


def profile():
    """Return the active profile name, ``'full'`` or ``'smoke'``."""
    name = os.environ.get('D2L_PROFILE', 'full').strip().lower() or 'full'
    if name not in PROFILES:
        raise ValueError(f'D2L_PROFILE={name!r} is not a known profile; '
                         f'use one of {", ".join(PROFILES)}')
    return name


def is_smoke():
    """True when the quick test profile is active."""
    return profile() == 'smoke'


def profile_epochs(num_epochs, smoke=SMOKE_EPOCHS):
    """The number of epochs to run: ``num_epochs``, or at most ``smoke`` in a test run."""
    return min(num_epochs, smoke) if is_smoke() else num_epochs


def profile_examples(num_examples, smoke=SMOKE_EXAMPLES):
    """How many examples of a dataset to use: all, or at most ``smoke`` in a test run."""
    return min(num_examples, smoke) if is_smoke() else num_examples
