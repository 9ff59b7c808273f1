"""A finished, archived matter for the archive tests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.models import ArchiveRecord
from onestop.bootstrap import Platform
from tests.api.test_matters import drive, start
from tests.conftest import Api


@pytest.fixture
def archived_exit(sqlite_api: Api) -> str:
    """A staff exit of the demo unit (陈静 retires), finished, its notice issued and archived."""
    instance_id = start(sqlite_api, "staff_exit")
    assert drive(sqlite_api, instance_id)["status"] == "completed"
    return instance_id


def records_of(platform: Platform, instance_id: str) -> list[ArchiveRecord]:
    with platform.ctx.reading() as session:
        found = list(session.scalars(select(ArchiveRecord).where(ArchiveRecord.instance_id == instance_id)))
        session.expunge_all()
        return found
