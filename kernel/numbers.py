"""Whole numbers typed by people or carried in URLs, read without surprises.

``str.isdigit`` accepts "²" and "١٢", and ``int`` refuses more than 4,300
digits; both ended in 500s. Here a number is 1 to ``max_digits`` ASCII digits.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def whole_number(text: str | None, *, max_digits: int = 9) -> int | None:
    """``text`` (surrounding spaces ignored) as a non-negative int, or None if it is not one."""
    if text is None:
        return None
    text = text.strip()
    if not 0 < len(text) <= max_digits or not _DIGITS.fullmatch(text):
        return None
    return int(text)
