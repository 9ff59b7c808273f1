"""事业单位法人年度报告: a registered 事业单位 reports on the year before between
1 January and 31 March; 编办 (as 事业单位登记管理局) reviews; the report is
published (公示) and archived."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kernel import clock
from processes.annual_report import rules
from processes.catalogue import Matter, Season
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    return f"{int(data['year'])}年度报告"


def _for_today(session: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The example reports on last year, whatever year it is now."""
    return {**data, "year": clock.today().year - 1}


MATTER = Matter(
    key="annual_report",
    title="事业单位法人年度报告",
    card="报送上一年度的年度报告，编办（事业单位登记管理局）审核后公示",
    short_title="年度报告",
    display_title=_title,
    result_labels={"publicity": "公示"},
    archive_class="NDBG",
    retention=RetentionClass.YEARS_30,
    season=Season(opens=(1, 1), closes=(3, 31)),
    start_guards=(rules.registered_institution, rules.once_a_year),
    services={"annual_report.publish": rules.publish},
    form_checks={"annual_report_application": rules.check_report},
    demo_fill=_for_today,
)
