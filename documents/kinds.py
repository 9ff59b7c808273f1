"""The official documents the platform issues, one kind per template.

A kind names its title, its template, the department that issues and seals
it, and the series of its 文号 (``示编〔2026〕3号``, ``示编码〔2026〕12号``): each
series counts per department and year without gaps. Each matter declares the
kinds it issues in its manifest, with the template in its folder's
``documents/`` and the sample facts people and tests render it from; the
catalogue collects them (``processes.catalogue.Catalogue.document_kinds``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from forms import FormRegistry

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class DocumentKind:
    key: str
    title: str
    template: str
    series: str
    department: str = "bianban"
    seal_line: str = ""
    header: str = "文件"  # 发文机关标志 = issuer + this word
    # The document's own heading from its facts (关于设立…的批复); None: the kind's title.
    heading: Callable[[Facts], str] | None = None
    # Template variables of this kind beyond the common ones, from its facts and its date of issue.
    context: Callable[[Facts, date], dict[str, Any]] | None = None
    # Facts to render a sample from (``onestop documents sample``, the tests), on a day, from the forms' examples.
    sample: Callable[[date, FormRegistry], dict[str, Any]] | None = None
    template_dir: Path | None = None  # the matter folder's documents/ (set by the catalogue)

    def number(self, prefix: str, year: int, sequence: int) -> str:
        return f"{prefix}{self.series}〔{year}〕{sequence}号"

    @property
    def sequence_name(self) -> str:
        return f"docno:{self.department}:{self.series}"

    def heading_of(self, facts: Facts) -> str:
        return self.heading(facts) if self.heading else self.title


Kinds = Mapping[str, DocumentKind]


def kind_of(kinds: Kinds, key: str) -> DocumentKind:
    try:
        return kinds[key]
    except KeyError:
        raise LookupError(f"没有文书种类“{key}”") from None
