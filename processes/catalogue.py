"""The matters the platform offers, one folder each, read through one catalogue.

A matter is a folder ``processes/<key>/``:

- ``<key>.bpmn``: the process (its id is the key);
- ``forms/*.json``: the JSON Schemas its tasks name (their ``form_key`` property);
- ``documents/*.html.j2``: the templates of the document kinds it defines;
- ``manifest.py``: what BPMN cannot say, as ``MATTER = Matter(...)``: the
  titles people read, the matter's title from its data, its service
  operations, form checks and start rules (a season among them), the
  document kinds it defines (title, 文号 series, issuer, sample facts), its
  archive class and retention, and how the demo fills it.

Nothing outside a matter's folder names its key: pages, the archive, the
documents and the demo ask the catalogue. Forms every matter may use (the
departments' review form) stay in ``forms/schemas``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from documents.kinds import DocumentKind
from forms.registry import SCHEMA_DIR, FormRegistry
from kernel import clock
from kernel.errors import Conflict
from storage.archive import RetentionClass

FOLDER = Path(__file__).parent
MANIFEST = "manifest.py"

# Callables a manifest hands over; their arguments are the engine's (session, actor, data).
Operation = Callable[..., Any]
DemoFill = Callable[[Any, dict[str, Any]], dict[str, Any]]


class CatalogueError(Exception):
    """A matter folder is incomplete or two matters claim the same name."""


@dataclass(frozen=True)
class Season:
    """The days of each year in which a matter may be started (报送期), both ends included."""

    opens: tuple[int, int]  # (month, day)
    closes: tuple[int, int]

    def window(self, year: int) -> tuple[date, date]:
        return date(year, *self.opens), date(year, *self.closes)

    def contains(self, day: date) -> bool:
        opens, closes = self.window(day.year)
        return opens <= day <= closes

    def current_or_next(self, day: date) -> tuple[date, date]:
        """This year's window if it has not closed yet, else next year's."""
        opens, closes = self.window(day.year)
        return (opens, closes) if day <= closes else self.window(day.year + 1)

    @property
    def text(self) -> str:
        return f"每年{self.opens[0]}月{self.opens[1]}日至{self.closes[0]}月{self.closes[1]}日"

    def refusal(self, title: str, today: date) -> Conflict | None:
        """Why ``title`` cannot be started ``today``, with the dates; None inside the season."""
        if self.contains(today):
            return None
        opens, closes = self.current_or_next(today)
        return Conflict(
            "outside_season",
            f"{title}的报送期为{self.text}，今天（{_day(today)}）不在报送期内；"
            f"下一报送期为{_day(opens)}至{_day(closes)}",
            {"opens": opens.isoformat(), "closes": closes.isoformat(), "today": today.isoformat()},
        )


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Matter:
    """One matter's manifest. ``key`` must equal its folder's name and its BPMN process id."""

    key: str
    title: str  # 事项名称, as the home page's card shows it
    card: str  # one line under the title on the home page
    short_title: str  # in the archive's matter filter and in lists
    display_title: Callable[[Mapping[str, Any]], str]  # this matter's title from its application
    archive_class: str  # the matter's code in a 档号 (全宗号-年度-保管期限-事项-件号)
    retention: RetentionClass  # how long its 案卷 is kept
    documents: tuple[DocumentKind, ...] = ()  # the kinds it defines, templates in its folder's documents/
    document_retention: Mapping[str, RetentionClass] = field(default_factory=dict)  # per document kind it issues
    services: Mapping[str, Operation] = field(default_factory=dict)  # BPMN service operations it uses
    result_labels: Mapping[str, str] = field(default_factory=dict)  # its operations' result variables, in Chinese
    form_checks: Mapping[str, Operation] = field(default_factory=dict)  # form key -> check against the register
    start_guards: tuple[Operation, ...] = ()  # (session, actor, process key) -> None or a refusal raised
    startable: bool = True  # offered on the home page (a demonstration matter is not)
    demo_order: int | None = None  # seeded finished on a new demo in this order; None: not seeded
    # What a department opens this matter for, for a unit (e.g. a comparison's finding), instead of a
    # unit starting it; the register asks the catalogue which matter answers what.
    opened_for: str | None = None
    proposed_by: frozenset[str] = frozenset()  # departments that may also propose it for a unit
    demo_applicant: str | None = None  # the demo account that starts it; None: the demo unit's clerk
    demo_changes: Mapping[str, Any] = field(default_factory=dict)  # over the start form's first example
    demo_fill: DemoFill | None = None  # (session, data) -> data, for what depends on the register or today
    season: Season | None = None  # started only in these days of each year (China date); None: any day
    folder: Path = FOLDER  # set by the catalogue

    @property
    def bpmn(self) -> Path:
        return self.folder / f"{self.key}.bpmn"

    @property
    def forms_dir(self) -> Path:
        return self.folder / "forms"

    def title_of(self, data: Mapping[str, Any] | None) -> str:
        """The matter's own title (新设“示范市大数据发展中心”), or its kind when the data says too little."""
        try:
            title = self.display_title(data or {})
        except (KeyError, TypeError, ValueError, AttributeError):
            return self.title
        return title or self.title


class Catalogue:
    """The matters by key, in folder order."""

    def __init__(self, matters: list[Matter]) -> None:
        self._matters = {m.key: m for m in matters}
        if len(self._matters) != len(matters):
            raise CatalogueError("两个事项使用了同一个标识")
        # The tables every matter adds to, merged once: a name two matters define differently
        # fails here, when the platform loads, not when a page or a step first asks.
        self._services = _merged("服务操作", {m.key: m.services for m in matters})
        self._form_checks = _merged("表单检查", {m.key: m.form_checks for m in matters})
        self._result_labels = _merged("结果名称", {m.key: m.result_labels for m in matters})
        self._kinds = _merged("文书种类", {m.key: {kind.key: kind for kind in m.documents} for m in matters})
        self._retention = _merged("文书保管期限", {m.key: m.document_retention for m in matters})

    def __iter__(self) -> Iterator[Matter]:
        return iter(self._matters.values())

    def __len__(self) -> int:
        return len(self._matters)

    def get(self, key: str) -> Matter | None:
        return self._matters.get(key)

    def keys(self) -> list[str]:
        return list(self._matters)

    def is_startable(self, key: str) -> bool:
        """Offered on the home page; a process deployed without a manifest is too."""
        matter = self.get(key)
        return matter.startable if matter else True

    def title_of(self, key: str, data: Mapping[str, Any] | None) -> str | None:
        """The matter's own title from its data; None for a process no manifest describes."""
        matter = self.get(key)
        return matter.title_of(data) if matter else None

    def name_of(self, key: str) -> str:
        """The kind of matter (新设机构一件事) that a process key stands for."""
        matter = self.get(key)
        return matter.title if matter else key

    def short_titles(self) -> dict[str, str]:
        return {m.key: m.short_title for m in self}

    def card(self, key: str) -> str:
        """The card's line, with the season of a seasonal matter."""
        matter = self.get(key)
        if matter is None:
            return ""
        return f"{matter.card}（报送期：{matter.season.text}）" if matter.season else matter.card

    def form_dirs(self) -> list[Path]:
        return [m.forms_dir for m in self if m.forms_dir.is_dir()]

    def forms(self) -> FormRegistry:
        """The shared forms and every matter's."""
        return FormRegistry.load(SCHEMA_DIR, *self.form_dirs())

    def seeded_in_demo(self) -> list[Matter]:
        return sorted((m for m in self if m.demo_order is not None), key=lambda m: m.demo_order or 0)

    def services(self) -> Mapping[str, Operation]:
        return self._services

    def form_checks(self) -> Mapping[str, Operation]:
        return self._form_checks

    def opened_for(self) -> dict[str, str]:
        """What departments open matters for (a purpose), and the matter that answers each."""
        return {m.opened_for: m.key for m in self if m.opened_for}

    def proposers(self) -> dict[str, frozenset[str]]:
        """The departments that may propose each matter for a unit (besides the unit applying)."""
        return {m.key: m.proposed_by for m in self if m.proposed_by}

    def start_guards(self) -> dict[str, tuple[Operation, ...]]:
        """Each matter's own start rules, its season first."""
        guards = {m.key: (*((_season_guard(m),) if m.season else ()), *m.start_guards) for m in self}
        return {key: found for key, found in guards.items() if found}

    def result_labels(self) -> Mapping[str, str]:
        """What approvers read above each computed result (核查与测算)."""
        return self._result_labels

    def document_kinds(self) -> Mapping[str, DocumentKind]:
        """Every kind a matter defines (another matter may issue it too, by its key)."""
        return self._kinds

    def document_retention(self) -> Mapping[str, RetentionClass]:
        return self._retention


def _season_guard(matter: Matter) -> Operation:
    season = matter.season
    assert season is not None

    def in_season(session: Any, actor: Any, process_key: str) -> None:
        refusal = season.refusal(matter.title, clock.today())
        if refusal is not None:
            raise refusal

    return in_season


def _merged(what: str, tables: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """One table from every matter's; a name two matters give different values is an error.
    (The same operation shared by two matters, such as a register check, is fine.)"""
    merged: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for key, table in tables.items():
        for name, value in table.items():
            if name in merged and merged[name] != value:
                raise CatalogueError(f"{what}“{name}”在事项 {owner[name]} 与 {key} 中定义不同")
            merged[name] = value
            owner.setdefault(name, key)
    return merged


def load() -> Catalogue:
    """Every folder of this package with a manifest, in name order."""
    matters = []
    for folder in sorted(p for p in FOLDER.iterdir() if (p / MANIFEST).is_file()):
        module = importlib.import_module(f"{__package__}.{folder.name}.manifest")
        matter = getattr(module, "MATTER", None)
        if not isinstance(matter, Matter):
            raise CatalogueError(f"{folder / MANIFEST} 没有定义 MATTER = Matter(...)")
        if matter.key != folder.name:
            raise CatalogueError(f"{folder / MANIFEST} 的事项标识 {matter.key} 与目录名 {folder.name} 不一致")
        matter = replace(
            matter,
            folder=folder,
            documents=tuple(replace(kind, template_dir=folder / "documents") for kind in matter.documents),
        )
        if not matter.bpmn.is_file():
            raise CatalogueError(f"事项 {matter.key} 缺少流程文件 {matter.bpmn.name}")
        matters.append(matter)
    return Catalogue(matters)
