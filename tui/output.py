"""Printing data for people (aligned, cleaned of escape sequences) and for scripts (JSON)."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Sequence
from typing import Any

from personae.store.text import one_line

# Characters json.dumps leaves raw with ensure_ascii=False that a terminal would act on.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def dumps(value: Any) -> str:
    """JSON that is safe to print: every control or bidi character is \\u-escaped."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(value: Any) -> None:
    print(dumps(value))


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str] | None = None) -> None:
    """Columns aligned for reading; every cell cleaned and kept on one line."""
    cells = [[one_line(str(cell)) for cell in row] for row in rows]
    if headers:
        cells.insert(0, list(headers))
    if not cells:
        return
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def say(message: str) -> None:
    """A status line for a person, on stderr so stdout stays data."""
    print(one_line(message), file=sys.stderr)


def when(timestamp: float | None) -> str:
    """A moment as local date and time to the minute; "-" for none."""
    if not timestamp:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))
