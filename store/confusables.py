"""Look-alike-proof text matching: Unicode's confusable skeletons (UTS #39 §4), applied
after NFKC and case folding, with word boundaries taken from the text as written.

A skeleton maps every character to its prototype in Unicode's ``confusables.txt`` (vendored
in ``data/`` with its licence): Cyrillic 'А' and Greek 'Α' become Latin 'A', 'm' becomes
'rn', '0' becomes 'O'. Two strings that look alike have the same skeleton.

Case needs two forms, because Unicode's prototypes are case-sensitive: capital Cyrillic
'АСМЕ' is Latin 'ACME' only before case folding (lower-case 'м' looks like a small capital,
not like 'm'), while 'I' and 'i' are one letter only after it. So every text is matched in
both forms, each computed once per check, character by character (cached per character):

- as written: skeleton, case fold, skeleton — catches capital look-alikes and '0' for 'o';
- folded: case fold first, then the same — catches lower-case look-alikes and case.

Invisible characters (zero-width spaces and joiners, bidi marks, variation selectors: the
Default_Ignorable_Code_Point set) vanish from both forms, so they cannot hide a term."""

from __future__ import annotations

import bisect
import functools
import unicodedata
from collections.abc import Callable
from importlib import resources

from personae.store.errors import StoreError

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt).
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_IGNORABLE_STARTS = [start for start, _ in _IGNORABLE]


def ignorable(char: str) -> bool:
    """Whether ``char`` is invisible by default (zero-width, bidi mark, selector, …)."""
    code = ord(char)
    at = bisect.bisect_right(_IGNORABLE_STARTS, code) - 1
    return at >= 0 and code <= _IGNORABLE[at][1]


@functools.cache
def prototypes() -> dict[str, str]:
    """Unicode's confusables.txt as {character: prototype}, read once per process."""
    data = resources.files("personae.store").joinpath("data", "confusables.txt")
    try:
        lines = data.read_text(encoding="utf-8-sig").splitlines()
    except OSError as error:  # an install without its package data: refuse, never guess
        raise StoreError(
            f"personae is installed without Unicode's look-alike table ({error.strerror}: "
            "personae/store/data/confusables.txt); reinstall personae"
        ) from None
    table = {}
    for line in lines:
        fields = line.split("#", 1)[0].split(";")
        if len(fields) >= 2:
            source, target = fields[0].strip(), fields[1].split()
            table[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target)
    return table


def skeleton(text: str) -> str:
    """UTS #39's skeleton: NFD, invisible characters dropped, each character replaced by
    its prototype, NFD again."""
    table = prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    mapped = "".join(table.get(c, c) for c in decomposed if not ignorable(c))
    return unicodedata.normalize("NFD", mapped)


def _written(text: str) -> str:
    return skeleton(skeleton(unicodedata.normalize("NFKC", text)).casefold())


def _folded(text: str) -> str:
    return _written(unicodedata.normalize("NFKC", text).casefold())


class _Forms(dict[int, str]):
    """A ``str.translate`` table that works out each character's form on first sight."""

    def __init__(self, form: Callable[[str], str]) -> None:
        super().__init__()
        self.form = form

    def __missing__(self, code: int) -> str:
        value = self[code] = self.form(chr(code))
        return value


WRITTEN = _Forms(_written)
FOLDED = _Forms(_folded)
TABLES = (WRITTEN, FOLDED)


@functools.lru_cache(maxsize=4096)
def term_forms(term: str) -> tuple[str, str]:
    """A guard term in both forms; cached, as terms are few and checked on every post."""
    return term.translate(WRITTEN).strip(), term.translate(FOLDED).strip()


def is_word(char: str) -> bool:
    """Part of a word: a letter, mark, digit or underscore (as regex's ``\\w``)."""
    return char == "_" or unicodedata.category(char)[0] in "LMN"


class Text:
    """A text in both forms, for finding terms in it as whole words."""

    __slots__ = ("_starts", "forms", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.forms = (text.translate(WRITTEN), text.translate(FOLDED))
        self._starts: list[list[int] | None] = [None, None]

    def find(self, term: str) -> str | None:
        """The part of the text that is ``term`` or looks like it, standing as a whole
        word (not inside a longer one), as written in the text; None if there is none."""
        for which, needle in enumerate(term_forms(term)):
            if not needle:
                continue
            haystack = self.forms[which]
            at = haystack.find(needle)
            while at != -1:
                span = self._whole_chars(which, at, at + len(needle))
                if span is not None and not self._glued(*span):
                    return self.text[span[0] : span[1]]
                at = haystack.find(needle, at + 1)
        return None

    def _whole_chars(self, which: int, start: int, end: int) -> tuple[int, int] | None:
        """The characters whose forms make up exactly [start, end) of a form, if any."""
        starts = self._starts[which]
        if starts is None:
            table = TABLES[which]
            starts = [0]
            for char in self.text:
                starts.append(starts[-1] + len(table[ord(char)]))
            self._starts[which] = starts
        first = bisect.bisect_left(starts, start)
        last = bisect.bisect_left(starts, end)
        if first >= len(self.text) or starts[first] != start or starts[last] != end:
            return None
        while starts[first + 1] == start:  # skip invisible characters before the match
            first += 1
        return first, last

    def _glued(self, first: int, end: int) -> bool:
        """Whether a word character touches the match (invisible characters skipped)."""
        before = first - 1
        while before >= 0 and ignorable(self.text[before]):
            before -= 1
        after = end
        while after < len(self.text) and ignorable(self.text[after]):
            after += 1
        return (before >= 0 and is_word(self.text[before])) or (
            after < len(self.text) and is_word(self.text[after])
        )


def contains(text: str, term: str) -> bool:
    """Whether ``term``, or something that looks like it, stands in ``text`` as a whole
    word, hashtag, handle or link part."""
    return Text(text).find(term) is not None
