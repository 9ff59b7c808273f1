"""An archive search as the pages carry it: the filters of the search form,
read into an ``ArchiveQuery``, and described back in Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from archive.search import ArchiveQuery
from kernel.errors import ValidationFailed

FILTERS = (
    "q",
    "unit",
    "credit_code",
    "person",
    "matter",
    "number",
    "department",
    "date_from",
    "date_to",
    "retention",
    "kind",
    "instance",
)
LABELS = {
    "q": "全文",
    "unit": "单位",
    "credit_code": "统一社会信用代码",
    "person": "人员",
    "matter": "事项",
    "number": "文号",
    "department": "经办部门",
    "date_from": "日期自",
    "date_to": "日期至",
    "retention": "保管期限",
    "kind": "类别",
    "instance": "同一事项",
    "flagged": "检测",
}
KINDS = {"document": "文书", "dossier": "案卷"}


def parse_query(params: dict[str, str]) -> ArchiveQuery:
    values: dict[str, Any] = {k: params[k].strip() for k in FILTERS if params.get(k, "").strip()}
    try:
        for key in ("date_from", "date_to"):
            if key in values:
                values[key] = date.fromisoformat(values[key])
        page_number = max(1, int(params.get("page") or 1))
    except ValueError:
        raise ValidationFailed("invalid_filter", "日期应为 YYYY-MM-DD，页码应为正整数") from None
    flagged = params.get("flagged")
    return ArchiveQuery(
        **values,
        flagged=True if flagged == "1" else None,
        page=page_number,
        sort="oldest" if params.get("sort") == "oldest" else "newest",
    )


def form_params(params: dict[str, str]) -> dict[str, str]:
    """The search's filters (and order) as they travel in a form or a link."""
    return {k: params[k] for k in (*FILTERS, "flagged", "sort") if params.get(k)}


def stored_params(described: dict[str, Any]) -> dict[str, str]:
    """A stored ``ArchiveQuery.describe()`` back as the search form's parameters."""
    params = {k: str(v) for k, v in described.items() if k in FILTERS and v not in (None, "")}
    if described.get("flagged"):
        params["flagged"] = "1"
    if described.get("sort") == "oldest":
        params["sort"] = "oldest"
    return params


def search_url(described: dict[str, Any]) -> str:
    return "/archive?" + urlencode(stored_params(described))


def conditions(
    described: dict[str, Any], department_name: Any = None, matters: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(label, value) in Chinese for each filter of a stored query (``matters``: each matter's short title)."""
    shown: list[tuple[str, str]] = []
    for key, value in stored_params(described).items():
        if key == "sort":
            continue
        if key == "matter":
            value = (matters or {}).get(value, value)
        elif key == "kind":
            value = KINDS.get(value, value)
        elif key == "flagged":
            value = "只看检测未通过的档案"
        elif key == "department" and department_name is not None:
            value = str(department_name(value))
        shown.append((LABELS.get(key, key), value))
    return shown
