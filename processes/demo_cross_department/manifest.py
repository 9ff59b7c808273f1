"""跨部门联办（演示）: the smallest matter that crosses every department; for
trying the platform out, not offered on the home page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from processes.catalogue import Matter
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    return f"跨部门联办演示（{data['unit_name']}）"


MATTER = Matter(
    key="demo_cross_department",
    title="跨部门联办演示",
    card="演示用：编办、组织部、人社局、财政局依次办理",
    short_title="跨部门联办（演示）",
    display_title=_title,
    archive_class="QT",
    retention=RetentionClass.YEARS_10,
    startable=False,
)
