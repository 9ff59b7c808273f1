"""The matter folders: each is complete and consistent, and no code outside a
folder names its matter."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.definitions import inspect_file
from processes import catalogue as matters
from processes.catalogue import Catalogue, CatalogueError, Matter
from storage.archive import RetentionClass

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = matters.load()
FORMS = CATALOGUE.forms()
BPMN_OPERATION = re.compile(r'serviceTaskOperator id="([^"]+)"')
BPMN_FORM = re.compile(r'name="form_key" value="([^"]+)"')
# Operations the platform itself provides to every matter (documents, not a manifest).
PLATFORM_OPERATIONS = {"documents.request", "timers.escalate"}


def test_every_matter_folder_has_a_manifest_and_nothing_is_left_at_the_top() -> None:
    folders = sorted(p.name for p in matters.FOLDER.iterdir() if p.is_dir() and not p.name.startswith("__"))
    assert folders == sorted(CATALOGUE.keys())
    assert list(matters.FOLDER.glob("*.bpmn")) == []


@pytest.mark.parametrize("key", CATALOGUE.keys())
def test_the_bpmn_is_the_matter_its_folder_names(key: str) -> None:
    matter = CATALOGUE.get(key)
    assert matter is not None
    found = inspect_file(matter.bpmn.read_bytes(), matter.bpmn.name)
    assert [(k, name) for k, name, _ in found] == [(key, matter.title)]


@pytest.mark.parametrize("key", CATALOGUE.keys())
def test_every_form_and_operation_the_bpmn_names_is_there(key: str) -> None:
    matter = CATALOGUE.get(key)
    assert matter is not None
    xml = matter.bpmn.read_text(encoding="utf-8")
    for form_key in set(BPMN_FORM.findall(xml)):
        assert FORMS.get(form_key) is not None, form_key
    provided = set(matter.services) | PLATFORM_OPERATIONS
    assert set(BPMN_OPERATION.findall(xml)) <= provided
    assert set(matter.form_checks) <= {f.stem for f in matter.forms_dir.glob("*.json")}


@pytest.mark.parametrize("key", CATALOGUE.keys())
def test_every_enum_that_is_not_chinese_already_has_chinese_labels(key: str) -> None:
    matter = CATALOGUE.get(key)
    assert matter is not None
    for path in matter.forms_dir.glob("*.json"):
        form = FORMS.get(path.stem)
        assert form is not None
        for where, spec in _enums(form.schema, path.stem):
            coded = [v for v in spec["enum"] if re.search(r"[A-Za-z_]", str(v))]
            labels = spec.get("x-enum-labels") or {}
            missing = [v for v in coded if not re.search(r"[\u4e00-\u9fff]", str(labels.get(v, "")))]
            assert missing == [], f"{where}: {missing}"


def _enums(schema: dict[str, object], where: str) -> list[tuple[str, dict[str, object]]]:
    found: list[tuple[str, dict[str, object]]] = []
    if "enum" in schema:
        found.append((where, schema))
    for name, sub in (schema.get("properties") or {}).items():  # type: ignore[attr-defined]
        found += _enums(sub, f"{where}/{name}")
    items = schema.get("items")
    if isinstance(items, dict):
        found += _enums(items, f"{where}/items")
    return found


@pytest.mark.parametrize("key", CATALOGUE.keys())
def test_a_matter_title_comes_from_its_data_and_falls_back_to_its_kind(key: str) -> None:
    matter = CATALOGUE.get(key)
    assert matter is not None
    start_forms = [FORMS.get(k) for k in set(BPMN_FORM.findall(matter.bpmn.read_text(encoding="utf-8")))]
    examples = [e for form in start_forms if form for e in form.schema.get("examples", [])]
    assert examples
    for example in examples:
        title = matter.title_of(example)
        assert title and "{" not in title and "None" not in title
    assert matter.title_of({}) == matter.title  # too little data: the kind


def test_titles_from_data() -> None:
    setup = CATALOGUE.get("institution_setup")
    entry = CATALOGUE.get("staff_entry")
    assert setup is not None and entry is not None
    assert setup.title_of({"name": "示范市大数据发展中心"}) == "新设“示范市大数据发展中心”"
    five = {"persons": [{"name": n} for n in ("甲", "乙", "丙", "丁", "戊")]}
    assert entry.title_of(five) == "入编：甲、乙、丙等5人"


def test_archive_classes_are_unique_and_every_issued_kind_has_a_retention() -> None:
    codes = [m.archive_class for m in CATALOGUE]
    assert len(codes) == len(set(codes))
    assert set(CATALOGUE.document_retention()) == set(CATALOGUE.document_kinds())


def test_two_matters_may_not_give_one_operation_two_meanings() -> None:
    def one(params: dict[str, object]) -> None:
        return None

    def other(params: dict[str, object]) -> None:
        return None

    def matter(key: str, services: dict[str, Callable[..., Any]]) -> Matter:
        return Matter(key, key, "", key, lambda d: key, "X" + key, RetentionClass.YEARS_10, services=services)

    shared = Catalogue([matter("a", {"op": one}), matter("b", {"op": one})])
    assert shared.services() == {"op": one}
    with pytest.raises(CatalogueError, match="op"):
        Catalogue([matter("a", {"op": one}), matter("b", {"op": other})]).services()
    with pytest.raises(CatalogueError):
        Catalogue([matter("a", {}), matter("a", {})])


# A matter key as a quoted word; "credit_code" is left out, being also the field of a unit's code.
NAMED = re.compile("[\"'](" + "|".join(m.key for m in CATALOGUE if m.key != "credit_code") + ")[\"']")
CODE = ("api", "archive", "documents", "engine", "forms", "kernel", "onestop", "registry", "signatures", "storage")


def test_no_code_outside_the_matter_folders_names_a_matter() -> None:
    found = []
    for package in CODE:
        for path in (REPO / package).rglob("*"):
            if path.suffix not in (".py", ".html", ".j2") or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if NAMED.search(line):
                    found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert found == []
