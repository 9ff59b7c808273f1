"""One vocabulary: the stored values never change (rows hold them), every word has its Chinese
label, and no production module spells a status or a decision as a raw string."""

from __future__ import annotations

import re
from pathlib import Path

from engine.vocabulary import APPROVER_DECISIONS, FINAL_STATUSES, Decision, InstanceStatus, TaskStatus, labels

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "api",
    "archive",
    "documents",
    "engine",
    "kernel",
    "onestop",
    "processes",
    "registry",
    "signatures",
    "storage",
    "forms",
)
RAW = re.compile(
    r"""(==|!=|\bin\b|state=|status=|decision=)\s*\(?\s*["'](open|completed|cancelled|recalled|running|returned|incident|withdrawn|rejected|approve|return|return_to|reject|submit)["']"""
)


def test_the_stored_values_are_the_ones_in_the_database() -> None:
    assert [s.value for s in InstanceStatus] == [
        "running", "returned", "incident", "completed", "rejected", "withdrawn", "cancelled"
    ]  # fmt: skip
    assert [s.value for s in TaskStatus] == ["open", "completed", "cancelled", "recalled"]
    assert [d.value for d in Decision] == ["submit", "approve", "return", "reject", "return_to"]
    assert {"completed", "rejected", "withdrawn", "cancelled"} == FINAL_STATUSES
    assert APPROVER_DECISIONS == ("approve", "return", "reject")


def test_every_word_has_a_chinese_label() -> None:
    for words in (InstanceStatus, TaskStatus, Decision):
        shown = labels(words)
        assert set(shown) == {w.value for w in words}
        assert all(re.search(r"[\u4e00-\u9fff]", text) for text in shown.values()), shown


def test_no_module_spells_a_status_or_a_decision() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path.name != "vocabulary.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if RAW.search(line)
    ]
    assert found == []
