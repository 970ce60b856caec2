"""Untrusted text (anything from a feed, a server, a script or another process) made safe to
show or store: the one place every layer cleans text.

Terminal escape sequences (CSI, OSC, DCS...) and other control characters are removed, so
a post cannot retitle the terminal, move the cursor or smuggle in hyperlinks. Rich/Textual
markup is never interpreted: widgets receive ``rich.text.Text`` objects built from this,
never markup strings."""

from __future__ import annotations

import re
import unicodedata

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC (ESC ] ... BEL or ST),
# and two-character escapes. Their 8-bit C1 forms are removed as control characters below.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]              # CSI
  | \x1b[\]PX^_].*?(?:\x07|\x1b\\|$)     # OSC, DCS, SOS, PM, APC up to BEL or ST
  | \x9b[0-?]*[ -/]*[@-~]                # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x9c|$)  # 8-bit string commands up to BEL or ST
  | \x1b[ -/]*[0-~]?                     # any other escape
    """,
    re.VERBOSE | re.DOTALL,
)
_KEEP = {"\n", "\t"}


def clean(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without escape sequences and control characters (newlines and tabs kept,
    or turned into spaces with ``keep_newlines=False``)."""
    if text.isprintable():  # no control, format or escape character: nothing to remove
        return text
    text = _ESCAPES.sub("", text)
    out = []
    for char in text:
        if char in _KEEP:
            out.append(char if keep_newlines else " ")
        elif unicodedata.category(char) in ("Cc", "Cf") and char not in ("\u200d", "\u200c"):
            continue  # controls, and format characters such as bidi overrides
        else:
            out.append(char)
    return "".join(out)


def one_line(text: str, width: int | None = None) -> str:
    """Cleaned text folded onto one line, optionally cut to ``width`` characters with '…'."""
    line = " ".join(clean(text, keep_newlines=False).split())
    if width is not None and len(line) > width:
        return line[: max(width - 1, 0)] + "…"
    return line
