"""The book: its reading order and its pages.

``_toc.yml`` is the reading order. A page is a pair of files, the MyST source
``<page>.md`` and the executed ``<page>.ipynb``; its settings live in the
``d2l:`` block of the source's header, read here and nowhere else::

    d2l: {profile: lite, max_examples: 2048, max_epochs: 2, max_image_size: 96,
          smoke_max_examples: 32, smoke_max_epochs: 1}

``profile``/``max_*`` describe the run its stored outputs come from;
``smoke_max_*`` shrink its run in the test profile; ``budget_minutes`` raises
the time its stored run may take above the book's default (see ``budget``).
"""
import dataclasses
import datetime
import functools
import json
import pathlib

import jupytext
import yaml

from booktools import paths

SETTING_KEYS = ('profile', 'max_examples', 'max_epochs', 'max_image_size',
                'smoke_max_examples', 'smoke_max_epochs', 'budget_minutes')

# Minutes a page's stored run may take on the two-core machine that makes it;
# the heaviest networks of chapter 7 declare 45 in their headers.
DEFAULT_BUDGET_MINUTES = 30


def reading_order(toc_path=None):
    """The page names of ``_toc.yml`` (paths without suffix, relative to the root), in order."""
    toc = yaml.safe_load(pathlib.Path(toc_path or paths.toc()).read_text())
    names = [toc['root']]

    def walk(entries):
        for entry in entries or []:
            if 'file' in entry:
                names.append(entry['file'])
            walk(entry.get('sections'))
            walk(entry.get('chapters'))

    for part in toc.get('parts', []):
        walk(part.get('chapters'))
    walk(toc.get('chapters'))
    return names


class SettingsError(ValueError):
    """A page header that names an unknown setting or profile."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """A page's ``d2l:`` header block."""
    profile: str = 'full'
    max_examples: int | None = None
    max_epochs: int | None = None
    max_image_size: int | None = None
    smoke_max_examples: int | None = None
    smoke_max_epochs: int | None = None
    budget_minutes: int | None = None

    @classmethod
    def from_header(cls, block, where='page'):
        block = dict(block or {})
        unknown = set(block) - set(SETTING_KEYS)
        if unknown:
            raise SettingsError(f'{where}: unknown d2l setting(s) {sorted(unknown)}; '
                                f'known: {", ".join(SETTING_KEYS)}')
        if block.get('profile', 'full') not in ('full', 'lite'):
            raise SettingsError(f'{where}: stored outputs come from the full or lite profile, '
                                f'not {block["profile"]!r}')
        # Every other setting is a count (examples, epochs, pixels, minutes).
        wrong = {k: v for k, v in block.items() if k != 'profile'
                 and (isinstance(v, bool) or not isinstance(v, int) or v < 1)}
        if wrong:
            raise SettingsError(f'{where}: d2l settings other than the profile are positive '
                                f'whole numbers, not {wrong}')
        return cls(**block)

    def header(self):
        """The block as it is written in the header (defaults left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items()
                if v is not None and not (k == 'profile' and v == 'full')} or None

    def budget(self):
        """Minutes the stored run may take."""
        return self.budget_minutes or DEFAULT_BUDGET_MINUTES

    def stored_env(self):
        """The environment of the run whose outputs the page stores."""
        env = {'D2L_PROFILE': self.profile}
        if self.max_examples is not None:
            env['D2L_MAX_EXAMPLES'] = str(self.max_examples)
        if self.max_epochs is not None:
            env['D2L_MAX_EPOCHS'] = str(self.max_epochs)
        if self.max_image_size is not None:
            env['D2L_MAX_IMAGE_SIZE'] = str(self.max_image_size)
        return env

    def smoke_env(self):
        """The environment of the page's run in the test profile."""
        env = {'D2L_PROFILE': 'smoke'}
        if self.smoke_max_examples is not None:
            env['D2L_MAX_EXAMPLES'] = str(self.smoke_max_examples)
        if self.smoke_max_epochs is not None:
            env['D2L_MAX_EPOCHS'] = str(self.smoke_max_epochs)
        if self.max_image_size is not None:
            # The test run is no bigger than the stored one.
            env['D2L_MAX_IMAGE_SIZE'] = str(self.max_image_size)
        return env


@dataclasses.dataclass(frozen=True)
class Page:
    name: str            # e.g. 'chapters/03-linear-networks/softmax-regression'
    root: pathlib.Path

    @property
    def path(self):
        return self.root / self.name

    @property
    def md(self):
        return self.path.with_suffix('.md')

    @property
    def ipynb(self):
        return self.path.with_suffix('.ipynb')

    @property
    def slug(self):
        return self.path.name

    def source(self):
        """The page's source as a notebook (jupytext reads the MyST file)."""
        return jupytext.read(self.md)

    @functools.cached_property
    def settings(self):
        return Settings.from_header(self.source().metadata.get('d2l'), self.name)

    def code_cells(self):
        """The source of each code cell, in order."""
        return [c.source for c in self.source().cells if c.cell_type == 'code']

    def stored_minutes(self):
        """How long the stored run took, by the timestamps the kernel wrote."""
        return run_minutes(json.loads(self.ipynb.read_text()))


def run_minutes(notebook):
    """Minutes from the first code cell's start to the last one's end: 0 for a
    page without code, None if its code cells carry no timestamps."""
    times = [c.get('metadata', {}).get('execution', {}) for c in notebook['cells']
             if c['cell_type'] == 'code']
    if not times:
        return 0.0
    starts = [t['iopub.execute_input'] for t in times if 'iopub.execute_input' in t]
    ends = [t['shell.execute_reply'] for t in times if 'shell.execute_reply' in t]
    if not starts or not ends:
        return None
    parse = lambda stamp: datetime.datetime.fromisoformat(stamp.replace('Z', '+00:00'))
    return (max(map(parse, ends)) - min(map(parse, starts))).total_seconds() / 60


def pages(root=None):
    """Every page of the book, in reading order."""
    root = pathlib.Path(root or paths.root())
    return [Page(name, root) for name in reading_order(root / '_toc.yml')]


def resolve(name, root=None):
    """The page a command-line name means: a path (with or without suffix) or a unique slug."""
    path = pathlib.Path(name)
    if path.suffix in ('.md', '.ipynb'):
        path = path.with_suffix('')
    everything = pages(root)
    found = [p for p in everything
             if p.path == (p.root / path).resolve() or (len(path.parts) == 1 and p.slug == path.name)]
    if len(found) != 1:
        listed = ', '.join(p.name for p in found) or 'no page'
        raise LookupError(f'{name!r} matches {listed} in _toc.yml')
    return found[0]
