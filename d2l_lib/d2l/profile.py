"""The one switch between a reader's run and a quicker run: ``D2L_PROFILE``.

* ``full`` (the default) runs every page as printed: whole datasets, all epochs.
* ``lite`` caps the data and the epochs for pages whose full run needs a GPU
  (the big CNNs on a CPU); a page whose stored outputs come from it says so,
  and its caps are in the page's header (``d2l: {profile: lite, ...}``).
* ``smoke`` is what ``make test`` sets: a small slice of each dataset and a
  couple of epochs, so the whole book executes in minutes on two CPU cores.
  A loader that says its batch size still gets at least ``SMOKE_MIN_BATCHES``
  minibatches per epoch, so code that does something every
  ``num_batches // 5`` batches (as the original edition's loops do) runs too.

Only the library's loaders and training loops consult these helpers; the code
on the page is the same in every profile. ``D2L_MAX_EPOCHS`` and
``D2L_MAX_EXAMPLES`` override a capped profile's defaults; ``D2L_MAX_IMAGE_SIZE``
caps the side of resized images in a capped profile (a page that asks for
224-pixel images trains at that size instead, with the same code).
"""
import os

# (epochs, examples) kept by each profile; None keeps everything. The smoke
# slice is five minibatches of 256, the book's usual batch size.
CAPS = {'full': (None, None), 'lite': (3, 8192), 'smoke': (2, 1280)}
SMOKE_MIN_BATCHES = 5


def profile():
    """Return the active profile name: ``'full'``, ``'lite'`` or ``'smoke'``."""
    name = os.environ.get('D2L_PROFILE', 'full').strip().lower() or 'full'
    if name not in CAPS:
        raise ValueError(f'D2L_PROFILE={name!r} is not a known profile; '
                         f'use one of {", ".join(CAPS)}')
    return name


def is_smoke():
    """True when the quick test profile is active."""
    return profile() == 'smoke'


def _cap(index, variable):
    name = profile()
    default = CAPS[name][index]
    if default is None:
        return None
    return int(os.environ.get(variable, default))


def profile_epochs(num_epochs, smoke=None):
    """The number of epochs to run: ``num_epochs`` unless the profile caps it.

    ``smoke`` overrides the cap of the smoke profile for one call.
    """
    cap = smoke if (smoke is not None and is_smoke()) else _cap(0, 'D2L_MAX_EPOCHS')
    return num_epochs if cap is None else min(num_epochs, cap)


def profile_examples(num_examples, smoke=None, batch_size=None):
    """How many examples of a dataset to use: all, unless the profile caps it.

    With ``batch_size``, the default smoke slice never holds fewer than
    ``SMOKE_MIN_BATCHES`` minibatches (a page's own ``D2L_MAX_EXAMPLES`` or
    ``smoke`` still wins: it chose to be smaller).
    """
    if smoke is not None and is_smoke():
        cap = smoke
    else:
        cap = _cap(1, 'D2L_MAX_EXAMPLES')
        if is_smoke() and batch_size and 'D2L_MAX_EXAMPLES' not in os.environ:
            cap = max(cap, SMOKE_MIN_BATCHES * batch_size)
    return num_examples if cap is None else min(num_examples, cap)


def profile_image_size(size):
    """The side to resize images to: ``size`` unless a capped profile lowers it.

    Only ``D2L_MAX_IMAGE_SIZE`` caps it, and only in the lite and smoke
    profiles: the full profile always trains at the size the page asks for.
    ``None`` (no resize) stays ``None``.
    """
    cap = os.environ.get('D2L_MAX_IMAGE_SIZE')
    if size is None or cap is None or profile() == 'full':
        return size
    return min(size, int(cap))
