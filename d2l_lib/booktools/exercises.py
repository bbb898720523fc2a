"""A page's exercises and their solutions, as the house style writes them.

Under ``## Exercises`` a page poses its exercises as one numbered list, then
answers each in a collapsed dropdown titled ``Solution to exercise N`` (a long
answer may continue in further dropdowns, ``Solution to exercise N,
continued``). Code that belongs to a solution is hidden (``hide-cell``).
"""
import dataclasses
import re

HEADING = re.compile(r'^## Exercises[ \t]*$', re.M)
NEXT_HEADING = re.compile(r'^## ', re.M)
ITEM = re.compile(r'^(\d+)\. ', re.M)                      # top-level list items only
DROPDOWN = re.compile(r'^(:{3,})\{dropdown\}[ \t]*(.*)$', re.M)
SOLUTION = re.compile(r'Solution to exercise (\d+)\b')
CODE_CELL = re.compile(r'^```\{code-cell\}[^\n]*\n((?::[^\n]*\n)*)', re.M)


@dataclasses.dataclass
class Exercises:
    posed: list          # exercise numbers as the rendered list shows them
    solved: list         # exercise numbers named by the solution dropdowns, in order
    unhidden_code: int   # code cells in the section without a hide-cell tag


def of(markdown):
    """The exercises of a page's MyST source, or None if it has no Exercises section."""
    heading = HEADING.search(markdown)
    if not heading:
        return None
    section = markdown[heading.end():]
    following = NEXT_HEADING.search(section)
    if following:
        section = section[:following.start()]
    first = DROPDOWN.search(section)
    questions = section[:first.start()] if first else section
    items = [int(n) for n in ITEM.findall(questions)]
    # Markdown numbers a list from its first item on, whatever the later items say.
    posed = list(range(items[0], items[0] + len(items))) if items else []
    solved = []
    for _, title in DROPDOWN.findall(section):
        found = SOLUTION.search(title)
        if found and 'continued' not in title:
            solved.append(int(found.group(1)))
    unhidden = sum('hide-cell' not in options and 'remove-cell' not in options
                   for options in CODE_CELL.findall(section))
    return Exercises(posed, solved, unhidden)
