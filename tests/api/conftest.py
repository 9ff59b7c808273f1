"""Fixtures of the API tests: one SQLite platform shared by a module.

Most edge cases start their own matter and do not care what else is in the
database; sharing the platform (and the logged-in tokens: each login
verifies an argon2 hash) keeps them fast. Tests that count things or need a
pristine database use ``sqlite_api`` or ``api`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onestop.bootstrap import Platform
from tests.conftest import Api, _sqlite_url, api_for, make_platform


@pytest.fixture(scope="module")
def shared_platform(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("shared")
    platform = make_platform(_sqlite_url(tmp, sqlite_template), tmp / "data")
    yield platform
    platform.close()


@pytest.fixture(scope="module")
def shared_api(shared_platform: Platform) -> Iterator[Api]:
    yield from api_for(shared_platform)
