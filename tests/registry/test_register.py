"""The demo register: derived figures, frozen units, access to the register."""

from __future__ import annotations

from typing import Any

import pytest

from engine import services
from kernel.errors import Conflict, Forbidden, NotFound
from onestop.bootstrap import Platform
from registry.services import register
from tests.conftest import actors_of
from tests.engine.helpers import DEMO, application


def _figures(unit: dict[str, Any]) -> dict[str, tuple[int, int, int, int, str]]:
    return {
        f["est_type"]: (f["approved"], f["actual"], f["reserved"], f["vacancy"], f["state"]) for f in unit["figures"]
    }


def test_demo_units_have_vacant_full_and_over_staffed_figures(platform: Platform) -> None:
    admin = actors_of(platform)["admin"]
    units = {u["code"]: u for u in register.list_units(platform.ctx, admin)}
    assert _figures(units["demo-unit-001"])["事业编制（全额拨款）"] == (20, 4, 0, 16, "有空编")
    assert _figures(units["demo-unit-002"])["行政编制"] == (4, 4, 0, 0, "满编")
    assert _figures(units["demo-unit-003"])["事业编制（全额拨款）"] == (3, 4, 0, -1, "超编")
    assert units["demo-unit-004"]["status"] == "frozen"
    detail = register.get_unit(platform.ctx, admin, "demo-unit-001")
    assert detail["leadership"] == [
        {"level": "正职", "approved": 1, "used": 1, "reserved": 0, "free": 0},
        {"level": "副职", "approved": 2, "used": 1, "reserved": 0, "free": 1},
    ]


def test_frozen_unit_cannot_start_a_matter(platform: Platform) -> None:
    actors = actors_of(platform)
    with pytest.raises(Conflict) as refused:
        services.start(platform.ctx, actors["applicant_frozen"], process_key=DEMO, data=application())
    assert refused.value.code == "unit_frozen" and "冻结" in refused.value.message
    assert services.list_instances(platform.ctx, actors["admin"])["total"] == 0


def test_register_is_scoped_by_role(sqlite_platform: Platform) -> None:
    actors = actors_of(sqlite_platform)
    ctx = sqlite_platform.ctx
    assert [u["code"] for u in register.list_units(ctx, actors["applicant"])] == ["demo-unit-001"]
    with pytest.raises(NotFound):
        register.get_unit(ctx, actors["applicant"], "demo-unit-002")
    with pytest.raises(Forbidden):
        register.list_units(ctx, actors["archivist"])
    staff = register.list_persons(ctx, actors["bianban"], "demo-unit-003")
    assert staff["total"] == 4 and all(len(p["id_number"]) == 18 for p in staff["items"])


def test_demo_staff_records_are_consistent(sqlite_platform: Platform) -> None:
    from sqlalchemy import select

    from forms.identifiers import check_ric, ric_birth_date, ric_sex
    from registry.models import Person

    with sqlite_platform.ctx.reading() as session:
        people = [(p.id_number, p.sex, p.birth_date) for p in session.scalars(select(Person))]
    assert len(people) == 15
    for number, sex, born in people:
        assert check_ric(number).valid
        assert ric_sex(number) == sex and ric_birth_date(number) == born
