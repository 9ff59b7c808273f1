"""The region's 编制总量 as every writer of approved places keeps it: a quota raised by hand, an
import, a new institution; the account itself never set below what is used. (编制调整 and its
random sequences are in tests/api/test_staff_adjustment.py and the register invariants.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import services
from kernel.errors import Conflict, ValidationFailed
from onestop.bootstrap import Platform
from registry import totals
from registry.models import Quota, RegionTotal, Unit
from registry.services import quotas, region_totals
from registry.services.imports import import_register
from tests.conftest import actors_of
from tests.engine.helpers import decide
from tests.engine.test_institution_setup import _countersign
from tests.engine.test_staff_processes import example
from tests.registry.import_samples import csv_bytes

REGION, FULL = "141002", "事业编制（全额拨款）"


def figures(platform: Platform) -> totals.RegionFigures:
    with platform.ctx.reading() as session:
        found = totals.figures_of(session, REGION, FULL)
        assert found is not None
        return found


def tighten(platform: Platform, spare: int) -> None:
    """Leave only ``spare`` places of the total unallocated."""
    f = figures(platform)
    with platform.ctx.transaction() as session:
        session.get(RegionTotal, (REGION, FULL)).total = f.allocated + f.pool + spare  # type: ignore[union-attr]


def approved(platform: Platform, code: str) -> int:
    with platform.ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        quota = session.get(Quota, (unit_id, FULL))
        return quota.approved if quota else 0


def test_a_quota_raised_by_hand_stays_within_the_total(platform: Platform) -> None:
    admin = actors_of(platform)["admin"]
    tighten(platform, 3)
    with pytest.raises(ValidationFailed) as refused:
        quotas.set_quota(
            platform.ctx, admin, unit_code="demo-unit-001", est_type=FULL, approved=24, basis="示编〔2026〕1号"
        )
    assert refused.value.code == "total_exceeded" and "超出编制总量" in refused.value.message
    assert approved(platform, "demo-unit-001") == 20
    quotas.set_quota(
        platform.ctx, admin, unit_code="demo-unit-001", est_type=FULL, approved=23, basis="示编〔2026〕1号"
    )
    assert figures(platform).headroom == 0


def test_an_import_over_the_total_is_refused_whole(platform: Platform) -> None:
    admin = actors_of(platform)["admin"]
    tighten(platform, 2)
    rows = [["单位代码", "编制类型", "核定数"], ["demo-unit-001", FULL, "21"], ["demo-unit-003", FULL, "5"]]
    with pytest.raises(Conflict) as refused:
        import_register(platform.ctx, admin, "quotas", "quotas.csv", csv_bytes(rows))
    assert refused.value.code == "total_exceeded"
    assert (approved(platform, "demo-unit-001"), approved(platform, "demo-unit-003")) == (20, 3)
    fits = [["单位代码", "编制类型", "核定数"], ["demo-unit-001", FULL, "21"], ["demo-unit-003", FULL, "4"]]
    assert import_register(platform.ctx, admin, "quotas", "quotas.csv", csv_bytes(fits))["applied"]


def test_a_new_institution_over_the_total_is_not_registered(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    tighten(platform, 11)  # the example asks for 12
    iid = services.start(
        ctx, actors["applicant"], process_key="institution_setup", data=example("institution_setup_application")
    )["id"]
    decide(ctx, actors["bianban"], iid)
    _countersign(platform, iid)
    ended = services.get(ctx, actors["admin"], iid)
    assert ended["status"] == "rejected"
    assert "超出编制总量" in ended["data"]["results"]["unit"]["message"]
    assert figures(platform).headroom == 11


def test_the_account_is_never_set_below_what_is_used(platform: Platform) -> None:
    admin = actors_of(platform)["admin"]
    f = figures(platform)
    with pytest.raises(ValidationFailed) as refused:
        region_totals.record_total(
            platform.ctx,
            admin,
            region_code=REGION,
            est_type=FULL,
            total=f.allocated,
            pool=f.pool,
            basis="晋编〔2026〕1号",
        )
    assert refused.value.code == "total_below_used"
    with platform.ctx.transaction() as session:
        unit = session.scalars(select(Unit).where(Unit.code == "demo-unit-001")).one()
        totals.lend(session, unit=unit, est_type=FULL, places=4, months=6, instance_id=None)
    with pytest.raises(ValidationFailed) as below_lent:
        region_totals.record_total(
            platform.ctx, admin, region_code=REGION, est_type=FULL, total=f.total, pool=3, basis="晋编〔2026〕1号"
        )
    assert "周转池借出超过池内编制" in below_lent.value.message
    assert figures(platform).pool == f.pool
    with pytest.raises(ValidationFailed):
        region_totals.record_total(platform.ctx, admin, region_code="000000", est_type=FULL, total=1, pool=0, basis="x")
    clerk = actors_of(platform)["applicant"]
    with pytest.raises(Exception) as forbidden:
        region_totals.overview(platform.ctx, clerk)
    assert getattr(forbidden.value, "code", "") == "admin_only"
