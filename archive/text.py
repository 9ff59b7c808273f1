"""Full-text search in Chinese without a search server.

Chinese has no spaces, so text is indexed as overlapping character pairs
(bigrams): 机构编制 → 机构 构编 编制. A query of two or more characters becomes
the phrase of its pairs, which matches exactly the texts that contain it,
inside longer words too. Letters and digits (credit codes, ID numbers, years)
are indexed as whole lower-case words. The same token string feeds SQLite
FTS5 and PostgreSQL ``to_tsvector('simple', …)``.
"""

from __future__ import annotations

import re
import unicodedata

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUN = re.compile(f"[{CJK}]+|[a-z0-9]+")
IS_CJK = re.compile(f"[{CJK}]")
# Text extracted from a PDF breaks lines (and sometimes spaces) inside a sentence.
BREAK_INSIDE = re.compile(f"(?<=[{CJK}])\\s+(?=[{CJK}])")


def _runs(text: str) -> list[str]:
    return RUN.findall(BREAK_INSIDE.sub("", unicodedata.normalize("NFKC", text).lower()))


def _run_tokens(run: str) -> list[str]:
    if IS_CJK.match(run) and len(run) > 1:
        return [run[i : i + 2] for i in range(len(run) - 1)]
    return [run]


def search_text(*parts: str) -> str:
    """The indexed token string of a record's texts (each part kept apart, so
    no pair spans two fields)."""
    tokens: list[str] = []
    for part in parts:
        for run in _runs(part or ""):
            tokens.extend(_run_tokens(run))
    return " ".join(tokens)


def query_phrases(query: str) -> list[list[str]]:
    """One phrase (list of consecutive tokens) per run of the query; all must match."""
    return [_run_tokens(run) for run in _runs(query)]


def sqlite_match(phrases: list[list[str]]) -> str:
    return " AND ".join('"' + " ".join(tokens) + '"' for tokens in phrases)


def postgres_tsquery(phrases: list[list[str]]) -> str:
    return " & ".join("(" + " <-> ".join(tokens) + ")" for tokens in phrases)
