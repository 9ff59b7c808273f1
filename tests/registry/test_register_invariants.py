"""The register's figures as invariants: random sequences of 入编 (approved,
refused at each step, returned, withdrawn, cancelled, over the posts cap or
the vacancy), 出编, 人员调动 (both units consenting or not, into a unit with
or without room, approved or refused at the end), 领导职务任免 (within the
posts or over them), 用编计划 (approved, recruited or not, then persons entering on
its notice a few at a time), 编制调整, a unit merged in with its places and persons
(机构撤并更名), imports and notice expiry,
checked after every step on SQLite and PostgreSQL.

The machine keeps its own model of who is in place and which notices are
open, predicted from the rules (DOMAIN.md) rather than read back from the
platform, and compares the platform's derived figures with it:
actual = persons in place; reserved = places on open notices; vacancy =
approved + lent − actual − reserved; posts used = persons by 人员分类; no person in
two places; every notice ends exactly once and never changes after; the region's
allocated places and pool never exceed its total, nor its loans its pool.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, precondition, rule
from sqlalchemy import func, select

from engine import services
from kernel import clock
from kernel.actors import Actor
from kernel.errors import Conflict, ValidationFailed
from onestop.bootstrap import Platform
from registry import totals
from registry.figures import leadership_figures, unit_figures
from registry.models import Person, Quota, Reservation, Unit
from registry.notices import expire_due
from tests.conftest import PG_URL, _pg, actors_of, make_platform
from tests.engine.helpers import add_clerk
from tests.registry.import_samples import PERSON_HEADER, csv_bytes, person, ric

UNITS = {"demo-unit-001": "applicant", "demo-unit-002": "clerk002", "demo-unit-003": "clerk003"}
MERGED = "demo-unit-005"  # 示范市地方志研究室, outside the machine until it is merged into one of its units
REGION = "141002"  # the demo units' region, its 总量 and 周转池 as the demo records them
CATEGORIES = ("非领导", "非领导", "领导副职", "领导正职")  # leaders rarer, as in life
LEVEL_OF = {"领导正职": "正职", "领导副职": "副职"}
HIRER = {"事业单位": "renshe", "机关": "zuzhi"}


def new_person(serial: Iterator[int], category: str) -> dict[str, Any]:
    """A person nobody has seen: a valid ID number from a serial birth date."""
    n = next(serial)
    born = date(1980, 1, 1) + timedelta(days=n * 37 % 9000)
    sex = "女" if n % 2 else "男"
    number = ric("141002", born, sex, seq=n % 400 + 1)
    return {
        "name": f"测试{n}",
        "sex": sex,
        "id_number": number,
        "birth_date": born.isoformat(),
        "education": "大学本科",
        "entry_form": "招聘",
        "post_category": "专技",
        "category": category,
    }


@dataclass
class Matter:
    id: str
    unit: str
    est_type: str
    persons: list[dict[str, Any]]
    stage: str = "review"  # review, returned, hire, placed, ended
    notice: str | None = None
    decided: bool = False  # a department has decided (the applicant may no longer withdraw)


@dataclass
class Model:
    approved: dict[tuple[str, str], int]
    posts_approved: dict[tuple[str, str], int]
    unit_kind: dict[str, str]
    unit_id: dict[str, int]
    in_place: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id number → (unit, type, category)
    open_notices: dict[str, tuple[str, str, int, dict[str, int]]] = field(default_factory=dict)
    ended_notices: dict[str, str] = field(default_factory=dict)  # number → how it ended
    plan_used: dict[str, int] = field(default_factory=dict)  # a plan's notice → persons entered on it so far
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)  # the region's type → (总量, 周转池)
    outside: dict[str, int] = field(default_factory=dict)  # type → places of the region's other units
    loans: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # open loan → (unit, type, places)

    def lent(self, unit: str, est_type: str) -> int:
        return sum(n for u, t, n in self.loans.values() if (u, t) == (unit, est_type))

    def usable(self, unit: str, est_type: str) -> int:
        return self.approved.get((unit, est_type), 0) + self.lent(unit, est_type)

    def allocated(self, est_type: str) -> int:
        mine = sum(n for (_, t), n in self.approved.items() if t == est_type)
        return self.outside.get(est_type, 0) + mine

    def headroom(self, est_type: str) -> int | None:
        """Places of the region's total neither allocated nor pooled (None: the type has no total)."""
        if est_type not in self.totals:
            return None
        total, pool = self.totals[est_type]
        return total - self.allocated(est_type) - pool

    def pool_free(self, est_type: str) -> int:
        total_pool = self.totals.get(est_type, (0, 0))[1]
        return total_pool - sum(n for _, t, n in self.loans.values() if t == est_type)

    def actual(self, unit: str, est_type: str) -> int:
        return sum(1 for u, t, _ in self.in_place.values() if (u, t) == (unit, est_type))

    def reserved(self, unit: str, est_type: str) -> int:
        return sum(n for u, t, n, _ in self.open_notices.values() if (u, t) == (unit, est_type))

    def vacancy(self, unit: str, est_type: str) -> int:
        return self.usable(unit, est_type) - self.actual(unit, est_type) - self.reserved(unit, est_type)

    def posts_used(self, unit: str, level: str) -> int:
        return sum(1 for u, _, c in self.in_place.values() if u == unit and LEVEL_OF.get(c) == level)

    def posts_reserved(self, unit: str, level: str) -> int:
        return sum(posts[level] for u, _, _, posts in self.open_notices.values() if u == unit)

    def may_hire(self, unit: str, est_type: str, persons: list[dict[str, Any]]) -> bool:
        """The platform's rule, restated: posts free for the leaders, and enough vacancy (a full unit hires none
        until someone leaves; an over-staffed one none at all)."""
        for level in ("正职", "副职"):
            wanted = sum(1 for p in persons if LEVEL_OF.get(p["category"]) == level)
            free = self.posts_approved.get((unit, level), 0) - self.posts_used(unit, level)
            if wanted and wanted > free - self.posts_reserved(unit, level):
                return False
        over = self.actual(unit, est_type) > self.usable(unit, est_type)
        return not over and self.vacancy(unit, est_type) >= len(persons) > 0


class RegisterMachine(RuleBasedStateMachine):
    """One platform per run, on the backend the test names."""

    platform_factory: Any = None

    matters = Bundle("matters")

    def __init__(self) -> None:
        super().__init__()
        self.serial = itertools.count(1)  # the same persons on every replay of a run
        self.platform, self.cleanup = type(self).platform_factory()
        ctx = self.platform.ctx
        add_clerk(self.platform, "clerk002", "demo-unit-002")  # clerk003 is a demo account
        self.actors: dict[str, Actor] = actors_of(self.platform)
        with ctx.reading() as session:
            units = {u.code: (u.id, u.kind) for u in session.scalars(select(Unit).where(Unit.code.in_(UNITS)))}
            code_of = {unit_id: code for code, (unit_id, _) in units.items()}
            approved = {
                (code_of[q.unit_id], q.est_type): q.approved
                for q in session.scalars(select(Quota).where(Quota.unit_id.in_(code_of)))
            }
            posts = {
                (code, f.level): f.approved
                for code, (unit_id, _) in units.items()
                for f in leadership_figures(session, unit_id)
            }
            people = session.execute(
                select(Person.id_number, Unit.code, Person.est_type, Person.category)
                .join(Unit, Unit.id == Person.unit_id)
                .where(Person.status == "在编", Unit.code.in_(UNITS))
            ).all()
            region_totals = {f.est_type: (f.total, f.pool) for f in totals.region_figures(session, REGION)}
            everyone = totals.allocated(session, REGION)
            self.unit_names = {u.code: u.name for u in session.scalars(select(Unit).where(Unit.code.in_(UNITS)))}
        self.model = Model(
            approved=approved,
            posts_approved=posts,
            unit_kind={code: kind for code, (_, kind) in units.items()},
            unit_id={code: unit_id for code, (unit_id, _) in units.items()},
            in_place={n: (u, t, c) for n, u, t, c in people},
            totals=region_totals,
        )
        for est_type, n in everyone.items():  # what the region's units outside the machine hold
            self.model.outside[est_type] = n - self.model.allocated(est_type)
        self.types = sorted(approved)
        self.plan_notices: list[str] = []  # notices of approved plans, in the order issued
        self.transferring: set[str] = set()  # persons whose transfer is recorded but not finished (财政's step)
        self.roomy = max(self.types, key=lambda k: self.model.vacancy(*k))
        self.merged = False

    def teardown(self) -> None:
        self.cleanup()

    # -- helpers ---------------------------------------------------------------------------------------

    def _actor(self, matter: Matter, department: str, unit: str | None) -> Actor:
        """A department's user, or the clerk of ``unit`` (the matter's own unit by default)."""
        return self.actors[department if department != "applicant" else UNITS[unit or matter.unit]]

    def _task(self, matter: Matter, department: str, unit: str | None = None) -> dict[str, Any]:
        actor = self._actor(matter, department, unit)
        found = [t for t in services.inbox(self.platform.ctx, actor, limit=200) if t["instance_id"] == matter.id]
        assert len(found) == 1, (matter, department, found)
        return found[0]

    def _decide(
        self,
        matter: Matter,
        department: str,
        decision: str,
        data: dict[str, Any] | None = None,
        unit: str | None = None,
    ) -> Any:
        task = self._task(matter, department, unit)
        actor = self._actor(matter, department, unit)
        return services.complete(
            self.platform.ctx,
            actor,
            task["id"],
            decision=decision,
            opinion="意见" if decision != "approve" else "同意",
            data=data or {},
        )

    def _status(self, matter: Matter) -> dict[str, Any]:
        return services.get(self.platform.ctx, self.actors["admin"], matter.id)

    def _reserve_or_refuse(self, matter: Matter) -> None:
        """After 编办's approval: the posts, then the vacancy, then a notice (all in one step)."""
        detail = self._status(matter)
        if self.model.may_hire(matter.unit, matter.est_type, matter.persons):
            notice = detail["data"]["results"]["reservation"]
            assert notice["reserved"], notice
            posts = {
                lvl: sum(1 for p in matter.persons if LEVEL_OF.get(p["category"]) == lvl) for lvl in ("正职", "副职")
            }
            self.model.open_notices[notice["number"]] = (matter.unit, matter.est_type, len(matter.persons), posts)
            matter.notice, matter.stage = notice["number"], "hire"
            assert detail["status"] == "running"
        else:
            assert detail["status"] == "rejected", detail
            matter.stage = "ended"

    def _end(self, matter: Matter, how: str) -> None:
        if matter.notice and matter.notice in self.model.open_notices:
            del self.model.open_notices[matter.notice]
            self.model.ended_notices[matter.notice] = how
        matter.stage = "ended"

    # -- rules -----------------------------------------------------------------------------------------

    @rule(
        target=matters,
        which=st.integers(min_value=0, max_value=7),
        categories=st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3),
    )
    def apply_for_entry(self, which: int, categories: list[str]) -> Matter:
        # Half the applications go to the type with room; the rest hit small, full or over-staffed types.
        unit, est_type = self.types[which - 4] if which >= 4 and which - 4 < len(self.types) else self.roomy
        persons = [new_person(self.serial, c) for c in categories]
        data = {
            "est_type": est_type,
            "post": "专业技术岗",
            "reason": "承担新增任务，申请使用编制。",
            "contact_person": "王晓明",
            "contact_phone": "13800138000",
            "persons": persons,
        }
        had_vacancy = self.model.vacancy(unit, est_type) >= len(persons) and not (
            self.model.actual(unit, est_type) > self.model.usable(unit, est_type)
        )
        started = services.start(self.platform.ctx, self.actors[UNITS[unit]], process_key="staff_entry", data=data)
        matter = Matter(started["id"], unit, est_type, persons)
        if not had_vacancy:
            assert started["status"] == "rejected", started  # 空缺不足，不予受理
            matter.stage = "ended"
        return matter

    @rule(matter=matters)
    def holder_says_yes(self, matter: Matter) -> None:
        self._next_step(matter, "yes")

    @rule(matter=matters)
    def everyone_says_yes(self, matter: Matter) -> None:
        """Most matters run to the hire, as in life."""
        while matter.stage in ("review", "returned", "hire"):
            self._next_step(matter, "yes")

    @rule(matter=matters)
    def holder_says_no(self, matter: Matter) -> None:
        self._next_step(matter, "no")

    @rule(matter=matters)
    def holder_returns_for_correction(self, matter: Matter) -> None:
        self._next_step(matter, "return")

    def _next_step(self, matter: Matter, answer: str) -> None:
        """Whoever holds the matter acts on it: yes, no, or (编办) back for correction."""
        if matter.stage == "review":
            self.bianban_reviews(matter, {"yes": "approve", "no": "reject", "return": "return"}[answer])
        elif matter.stage == "returned":
            self.applicant_resubmits(matter)
        elif matter.stage == "hire" and answer != "return":
            self.department_hires(matter, hired=answer == "yes")

    def bianban_reviews(self, matter: Matter, decision: str) -> None:
        matter.decided = True
        self._decide(matter, "bianban", decision)
        event(f"编办 decided: {decision}")
        if decision == "approve":
            self._reserve_or_refuse(matter)
        elif decision == "reject":
            matter.stage = "ended"
            assert self._status(matter)["status"] == "rejected"
        else:
            matter.stage = "returned"

    def applicant_resubmits(self, matter: Matter) -> None:
        detail = self._status(matter)
        had_vacancy = self.model.vacancy(matter.unit, matter.est_type) >= len(matter.persons) and not (
            self.model.actual(matter.unit, matter.est_type) > self.model.usable(matter.unit, matter.est_type)
        )
        self._decide(matter, "applicant", "submit", detail["data"]["application"])
        if had_vacancy:
            matter.stage = "review"
        else:
            assert self._status(matter)["status"] == "rejected"
            matter.stage = "ended"

    def department_hires(self, matter: Matter, hired: bool) -> None:
        event(f"hire decided: {'hired' if hired else 'not hired'}")
        assert matter.notice is not None
        department = HIRER[self.model.unit_kind[matter.unit]]
        if matter.notice in self.model.ended_notices:  # expired while the matter waited
            self._decide(matter, department, "approve" if hired else "reject")
            status = self._status(matter)["status"]
            assert status == ("incident" if hired else "rejected"), status
            matter.stage = "stuck" if hired else "ended"
            return
        self._decide(matter, department, "approve" if hired else "reject")
        if hired:
            for p in matter.persons:
                self.model.in_place[p["id_number"]] = (matter.unit, matter.est_type, p["category"])
            del self.model.open_notices[matter.notice]
            self.model.ended_notices[matter.notice] = "used"
            matter.stage = "placed"
        else:
            assert self._status(matter)["status"] == "rejected"
            self._end(matter, "released")

    @rule(matter=consumes(matters))
    def applicant_withdraws(self, matter: Matter) -> None:
        may = matter.stage in ("review", "returned") and not matter.decided
        try:
            services.withdraw(self.platform.ctx, self.actors[UNITS[matter.unit]], matter.id)
        except Conflict:
            assert not may, matter
            return
        assert may, matter
        self._end(matter, "released")

    @rule(matter=consumes(matters))
    def administrator_cancels(self, matter: Matter) -> None:
        try:
            services.cancel(self.platform.ctx, self.actors["admin"], matter.id, reason="录入错误")
        except Conflict:
            assert matter.stage in ("ended",) or self._status(matter)["status"] in ("rejected", "completed")
            return
        self._end(matter, "used" if matter.stage == "placed" else "released")

    @rule(data=st.data())
    def someone_leaves(self, data: st.DataObject) -> None:
        placed = sorted(n for n, (u, _, _) in self.model.in_place.items() if u in UNITS)
        if not placed:
            return
        number = data.draw(st.sampled_from(placed))
        unit = self.model.in_place[number][0]
        with self.platform.ctx.reading() as session:
            name = session.scalar(select(Person.name).where(Person.id_number == number))
        exit_data = {"name": name, "id_number": number, "reason": "退休", "exit_date": clock.today().isoformat()}
        started = services.start(self.platform.ctx, self.actors[UNITS[unit]], process_key="staff_exit", data=exit_data)
        exit_matter = Matter(started["id"], unit, "", [])
        self._decide(exit_matter, "bianban", "approve")  # 核销编制 runs in this step
        del self.model.in_place[number]

    @rule(
        data=st.data(),
        category=st.sampled_from(CATEGORIES),
        ending=st.sampled_from(("moved", "moved", "unit_refuses", "hirer_refuses")),
    )
    def someone_transfers(self, data: st.DataObject, category: str, ending: str) -> None:
        """人员调动 to another unit: refused at submission when that unit has no places of the person's type;
        else the unit left consents (or not), the vacancy and the posts decide, the hirer approves (or not)."""
        placed = sorted(self.model.in_place)
        if not placed:
            return
        number = data.draw(st.sampled_from(placed))
        leaving, est_type, _ = self.model.in_place[number]
        others = sorted(u for u in UNITS if u != leaving)
        same_type = [u for u in others if self.model.approved.get((u, est_type), 0) > 0]
        receiving = data.draw(st.sampled_from(same_type * 3 + others))  # mostly where the type exists
        ctx = self.platform.ctx
        with ctx.reading() as session:
            name = session.scalar(select(Person.name).where(Person.id_number == number))
            from_unit = session.scalar(select(Unit.name).where(Unit.code == leaving))
        form = {
            "name": name,
            "id_number": number,
            "from_unit": from_unit,
            "category": category,
            "post_category": "专技",
            "post": "专业技术岗",
            "reason": "工作需要，双方单位协商一致。",
            "contact_person": "王晓明",
            "contact_phone": "13800138000",
        }
        clerk = self.actors[UNITS[receiving]]
        if not self.model.approved.get((receiving, est_type), 0) or number in self.transferring:
            with pytest.raises(ValidationFailed):
                services.start(ctx, clerk, process_key="staff_transfer", data=form)
            event("transfer refused at submission: no such type there, or one under way")
            return
        matter = Matter(
            services.start(ctx, clerk, process_key="staff_transfer", data=form)["id"], receiving, est_type, []
        )
        self._decide(matter, "applicant", "reject" if ending == "unit_refuses" else "approve", unit=leaving)
        room = self.model.vacancy(receiving, est_type) >= 1 and not (
            self.model.actual(receiving, est_type) > self.model.usable(receiving, est_type)
        )
        if ending == "unit_refuses" or not room:
            assert self._status(matter)["status"] == "rejected"
            event(f"transfer ended: {'the unit left refused' if ending == 'unit_refuses' else 'no room'}")
            return
        self._decide(matter, "bianban", "approve")
        if not self.model.may_hire(receiving, est_type, [{"category": category}]):
            assert self._status(matter)["status"] == "rejected"
            event("transfer ended: posts or vacancy taken")
            return
        notice = self._status(matter)["data"]["results"]["reservation"]["number"]
        posts = {lvl: int(LEVEL_OF.get(category) == lvl) for lvl in ("正职", "副职")}
        self.model.open_notices[notice] = (receiving, est_type, 1, posts)
        assert self.model.reserved(receiving, est_type) == self._figures(receiving, est_type).reserved
        hirer = HIRER[self.model.unit_kind[receiving]]
        self._decide(matter, hirer, "reject" if ending == "hirer_refuses" else "approve")
        del self.model.open_notices[notice]
        if ending == "hirer_refuses":
            self.model.ended_notices[notice] = "released"
            assert self._status(matter)["status"] == "rejected"
            event("transfer ended: the hirer refused")
            return
        self.model.ended_notices[notice] = "used"
        self.model.in_place[number] = (receiving, est_type, category)
        self.transferring.add(number)  # one transfer of a person at a time
        event("transfer: moved")

    @rule(data=st.data(), level=st.sampled_from(("副职", "副职", "正职")))
    def a_leader_is_appointed_or_removed(self, data: st.DataObject, level: str) -> None:
        """A leader is removed (the post is free again); anyone else is appointed if a post of the level is free."""
        placed = sorted(self.model.in_place)
        if not placed:
            return
        number = data.draw(st.sampled_from(placed))
        unit, est_type, category = self.model.in_place[number]
        with self.platform.ctx.reading() as session:
            name = session.scalar(select(Person.name).where(Person.id_number == number))
        removal = category in LEVEL_OF
        form = {
            "action": "remove" if removal else "appoint",
            "name": name,
            "id_number": number,
            "position": "副主任",
            "reason": "工作需要，经组织考察。",
            "contact_person": "王晓明",
            "contact_phone": "13800138000",
            **({} if removal else {"level": level}),
        }
        started = services.start(
            self.platform.ctx, self.actors[UNITS[unit]], process_key="leader_appointment", data=form
        )
        matter = Matter(started["id"], unit, est_type, [])
        fits = removal or self.model.posts_used(unit, level) + self.model.posts_reserved(unit, level) < (
            self.model.posts_approved.get((unit, level), 0)
        )
        if not removal:
            self._decide(matter, "bianban", "approve")  # 事前沟通 (the figures are shown, the office agrees)
        self._decide(matter, "zuzhi", "approve")  # recorded in this step, the posts checked again
        status = self._status(matter)["status"]
        if not fits:
            assert status == "rejected", status
            event("appointment refused: no post free")
            return
        assert status == "running", status  # until its documents are issued
        self.model.in_place[number] = (unit, est_type, "非领导" if removal else f"领导{level}")
        event("leader removed" if removal else "leader appointed")

    @rule(
        which=st.integers(min_value=0, max_value=10),
        places=st.integers(min_value=1, max_value=3),
        recruited=st.booleans(),
    )
    def a_unit_plans_and_recruits(self, which: int, places: int, recruited: bool) -> None:
        """用编计划 of one line: refused without the vacancy; else its notice holds the places, past the plan's
        end once recruitment is done (released if it is not)."""
        unit, est_type = self.roomy if which < 5 else self.types[which % len(self.types)]
        form = {
            "lines": [
                {
                    "est_type": est_type,
                    "places": places,
                    "post": "专业技术岗",
                    "post_category": "专技",
                    "entry_form": "招聘",
                }
            ],
            "reason": "按照年度工作任务计划招聘。",
            "contact_person": "王晓明",
            "contact_phone": "13800138000",
        }
        room = self.model.vacancy(unit, est_type) >= places and not (
            self.model.actual(unit, est_type) > self.model.usable(unit, est_type)
        )
        started = services.start(self.platform.ctx, self.actors[UNITS[unit]], process_key="staff_plan", data=form)
        plan = Matter(started["id"], unit, est_type, [])
        if not room:
            assert started["status"] == "rejected", started
            event("plan refused: no vacancy")
            return
        self._decide(plan, "bianban", "approve")
        [notice] = self._status(plan)["data"]["results"]["plan_notices"]["notices"]
        self.model.open_notices[notice["number"]] = (unit, est_type, places, {"正职": 0, "副职": 0})
        self._decide(plan, HIRER[self.model.unit_kind[unit]], "approve" if recruited else "reject")
        if recruited:
            self.plan_notices.append(notice["number"])
            event("plan approved and recruited")
        else:
            del self.model.open_notices[notice["number"]]
            self.model.ended_notices[notice["number"]] = "released"
            event("plan approved, recruitment not done")

    @rule(data=st.data())
    def recruits_enter_on_a_plan(self, data: st.DataObject) -> None:
        """入编 on a plan's notice: refused at submission for more persons than it has left."""
        open_plans = [n for n in self.plan_notices if n in self.model.open_notices]
        if not open_plans:
            return
        number = data.draw(st.sampled_from(open_plans))
        unit, est_type, left, posts = self.model.open_notices[number]
        count = data.draw(st.integers(min_value=1, max_value=left + 1))
        persons = [new_person(self.serial, "非领导") for _ in range(count)]
        form = {
            "est_type": est_type,
            "post": "专业技术岗",
            "notice_no": number,
            "reason": "按用编计划招聘的人员办理入编。",
            "contact_person": "王晓明",
            "contact_phone": "13800138000",
            "persons": persons,
        }
        clerk = self.actors[UNITS[unit]]
        if count > left:
            with pytest.raises(ValidationFailed):
                services.start(self.platform.ctx, clerk, process_key="staff_entry", data=form)
            event("entry on a plan refused: too many")
            return
        entry = Matter(
            services.start(self.platform.ctx, clerk, process_key="staff_entry", data=form)["id"],
            unit,
            est_type,
            persons,
        )
        self._decide(entry, "bianban", "approve")  # the plan's notice is taken as it is: no new one
        assert self.model.reserved(unit, est_type) == self._figures(unit, est_type).reserved
        self._decide(entry, HIRER[self.model.unit_kind[unit]], "approve")
        for p in persons:
            self.model.in_place[p["id_number"]] = (unit, est_type, "非领导")
        self.model.plan_used[number] = self.model.plan_used.get(number, 0) + count
        if count == left:
            del self.model.open_notices[number]
            self.model.ended_notices[number] = "used"
        else:
            self.model.open_notices[number] = (unit, est_type, left - count, posts)
        event("entry on a plan")

    def _figures(self, unit: str, est_type: str) -> Any:
        with self.platform.ctx.reading() as session:
            return next(f for f in unit_figures(session, self.model.unit_id[unit]) if f.est_type == est_type)

    @rule(which=st.integers(min_value=0, max_value=10))
    def placed_person_cannot_enter_again(self, which: int) -> None:
        placed = sorted(self.model.in_place)
        if not placed:
            return
        number = placed[which % len(placed)]
        unit, est_type, _ = self.model.in_place[number]
        person = {**new_person(self.serial, "非领导"), "id_number": number}
        person["sex"], person["birth_date"] = (
            ("男" if int(number[16]) % 2 else "女"),
            (f"{number[6:10]}-{number[10:12]}-{number[12:14]}"),
        )
        data = {
            "est_type": est_type,
            "post": "岗",
            "reason": "再次入编",
            "contact_person": "王晓明",
            "contact_phone": "13800138000",
            "persons": [person],
        }
        applicant = self.actors[UNITS.get(unit, "applicant")]
        with pytest.raises(ValidationFailed):
            services.start(self.platform.ctx, applicant, process_key="staff_entry", data=data)

    @rule(n=st.integers(min_value=1, max_value=2), which=st.integers(min_value=0, max_value=10))
    def administrator_imports_persons(self, n: int, which: int) -> None:
        """Imported persons take places directly (the roster as it stands), so they count at once."""
        from registry.services.imports import import_register

        unit, est_type = self.types[which % len(self.types)]
        persons = [new_person(self.serial, "非领导") for _ in range(n)]
        rows = [person(p["name"], p["sex"], p["id_number"], unit, est_type, 人员类别="非领导") for p in persons]
        try:
            import_register(
                self.platform.ctx, self.actors["admin"], "persons", "persons.csv", csv_bytes([PERSON_HEADER, *rows])
            )
        except ValidationFailed:
            return  # refused as a whole: nothing changed
        for p in persons:
            self.model.in_place[p["id_number"]] = (unit, est_type, "非领导")

    @rule(months=st.integers(min_value=5, max_value=8))
    def time_passes_and_notices_expire(self, months: int) -> None:
        later = clock.today() + timedelta(days=months * 31)
        with self.platform.ctx.transaction() as session:
            expired = expire_due(session, later)
        with self.platform.ctx.reading() as session:
            expiring = {
                n for n, until in session.execute(select(Reservation.number, Reservation.expires_on)) if until < later
            }
        assert set(expired) == expiring & set(self.model.open_notices)
        for number in expired:
            del self.model.open_notices[number]
            self.model.ended_notices[number] = "expired"

    @rule(
        data=st.data(),
        kind=st.sampled_from(("周转池借用", "核增", "周转池归还", "划转", "核减", "划转")),
        places=st.integers(min_value=1, max_value=4),
        committee_agrees=st.booleans(),
    )
    def a_unit_adjusts_its_places(self, data: st.DataObject, kind: str, places: int, committee_agrees: bool) -> None:
        """编制调整: refused at submission when the figures forbid it (the region's 总量, what is
        occupied, the pool), else 编办 approves and 编委 countersigns (or one member says no)."""
        pooled = [k for k in self.types if self.model.totals.get(k[1], (0, 0))[1] > 0]
        unit, est_type = data.draw(st.sampled_from(pooled if kind.startswith("周转池") else self.types))
        form: dict[str, Any] = {
            "kind": kind,
            "est_type": est_type,
            "places": places,
            "reason": "工作需要，经研究调整。",
        }
        form |= {"contact_person": "王晓明", "contact_phone": "13800138000"}
        moving: list[str] = []
        target = None
        if kind == "划转":
            target = data.draw(st.sampled_from(sorted(u for u in UNITS if u != unit)))
            candidates = sorted(
                n
                for n, (u, t, _) in self.model.in_place.items()
                if (u, t) == (unit, est_type) and n not in self.transferring
            )
            moving = data.draw(st.lists(st.sampled_from(candidates), unique=True, max_size=2)) if candidates else []
            with self.platform.ctx.reading() as session:
                rows = session.execute(select(Person.id_number, Person.name).where(Person.id_number.in_(moving)))
                names = {number: name for number, name in rows}
            form |= {
                "to_unit": self.unit_names[target],
                "persons": [{"name": names[n], "id_number": n} for n in moving],
            }
        if kind == "周转池借用":
            form["months"] = 6
        loan = None
        if kind == "周转池归还":
            loan = data.draw(st.sampled_from(sorted(self.model.loans))) if self.model.loans else None
            unit = self.model.loans[loan][0] if loan else unit  # the borrowing unit gives it back
            form = {k: v for k, v in form.items() if k not in ("est_type", "places")}
            form["loan_number"] = loan or "周转〔2000〕1号"
        if not self._adjustment_allowed(kind, unit, est_type, places, moving, loan):
            with pytest.raises(ValidationFailed):
                services.start(self.platform.ctx, self.actors[UNITS[unit]], process_key="staff_adjustment", data=form)
            event(f"adjustment refused at submission: {kind}")
            return
        started = services.start(self.platform.ctx, self.actors[UNITS[unit]], process_key="staff_adjustment", data=form)
        matter = Matter(started["id"], unit, est_type, [])
        self._decide(matter, "bianban", "approve")
        for i, member in enumerate(("bianwei1", "bianwei2", "bianwei3")):
            task = next(
                t
                for t in services.inbox(self.platform.ctx, self.actors[member], limit=200)
                if t["instance_id"] == matter.id
            )
            no = not committee_agrees and i == 1
            services.complete(
                self.platform.ctx,
                self.actors[member],
                task["id"],
                decision="reject" if no else "approve",
                opinion="意见",
            )
        status = self._status(matter)
        if not committee_agrees:
            assert status["status"] == "rejected", status["status"]
            event("adjustment refused by 编委")
            return
        result = status["data"]["results"]["adjustment"]
        assert result["done"] is True, result
        self._apply_adjustment(kind, unit, est_type, places, target, moving, loan, result)
        event(f"adjustment: {kind}")

    def _adjustment_allowed(
        self, kind: str, unit: str, est_type: str, places: int, moving: list[str], loan: str | None
    ) -> bool:
        m = self.model
        if kind == "核增":
            headroom = m.headroom(est_type)
            return headroom is None or places <= headroom
        if kind in ("核减", "划转"):
            occupied = m.actual(unit, est_type) - len(moving) + m.reserved(unit, est_type)
            fits = places <= m.approved.get((unit, est_type), 0) and m.usable(unit, est_type) - places >= occupied
            return fits and len(moving) <= places  # persons move only with places
        if kind == "周转池借用":
            return m.totals.get(est_type, (0, 0))[1] > 0 and places <= m.pool_free(est_type)
        if loan is None:
            return False
        _, loan_type, lent = m.loans[loan]
        return m.actual(unit, loan_type) + m.reserved(unit, loan_type) <= m.usable(unit, loan_type) - lent

    def _apply_adjustment(
        self,
        kind: str,
        unit: str,
        est_type: str,
        places: int,
        target: str | None,
        moving: list[str],
        loan: str | None,
        result: dict[str, Any],
    ) -> None:
        m = self.model
        if kind == "核增":
            m.approved[(unit, est_type)] = m.approved.get((unit, est_type), 0) + places
        elif kind == "核减":
            m.approved[(unit, est_type)] -= places
        elif kind == "划转":
            assert target is not None
            m.approved[(unit, est_type)] -= places
            m.approved[(target, est_type)] = m.approved.get((target, est_type), 0) + places
            for number in moving:
                m.in_place[number] = (target, est_type, "非领导")  # the post stays with the unit left
        elif kind == "周转池借用":
            m.loans[result["loan_number"]] = (unit, est_type, places)
        else:
            assert loan is not None
            del m.loans[loan]

    @precondition(lambda self: not self.merged)
    @rule(into=st.sampled_from(("demo-unit-001", "demo-unit-003")), committee_agrees=st.booleans())
    def a_unit_outside_is_merged_in(self, into: str, committee_agrees: bool) -> None:
        """机构撤并更名 (合并): a unit outside the machine merges into one of its units, its places
        and persons moving in one step (as 非领导), or 编委 says no and nothing moves."""
        with self.platform.ctx.reading() as session:
            merged_id = session.scalars(select(Unit.id).where(Unit.code == MERGED)).one()
            rows = session.execute(
                select(Person.id_number, Person.est_type).where(Person.unit_id == merged_id, Person.status == "在编")
            )
            coming = {number: est_type for number, est_type in rows}
            places = {q.est_type: q.approved for q in session.scalars(select(Quota).where(Quota.unit_id == merged_id))}
        form = {
            "kind": "合并",
            "to_unit": self.unit_names[into],
            "reason": "按照机构改革方案合并。",
            "contact_person": "郭丽娟",
            "contact_phone": "13800138000",
        }
        started = services.start(self.platform.ctx, self.actors["clerk005"], process_key="unit_restructure", data=form)
        matter = Matter(started["id"], MERGED, "", [])
        self._decide(matter, "bianban", "approve")
        for i, member in enumerate(("bianwei1", "bianwei2", "bianwei3")):
            task = next(
                t
                for t in services.inbox(self.platform.ctx, self.actors[member], limit=200)
                if t["instance_id"] == matter.id
            )
            no = not committee_agrees and i == 0
            decision = "reject" if no else "approve"
            services.complete(self.platform.ctx, self.actors[member], task["id"], decision=decision, opinion="意见")
        status = self._status(matter)
        if not committee_agrees:
            assert status["status"] == "rejected", status["status"]
            event("merge refused by 编委")
            return
        assert status["data"]["results"]["restructure"]["done"] is True, status["data"]["results"]
        for est_type, n in places.items():
            self.model.approved[(into, est_type)] = self.model.approved.get((into, est_type), 0) + n
            self.model.outside[est_type] -= n
        for number, est_type in coming.items():
            self.model.in_place[number] = (into, est_type, "非领导")
        self.types = sorted(self.model.approved)
        self.merged = True
        event("unit merged")

    # -- invariants ------------------------------------------------------------------------------------

    @invariant()
    def figures_match_the_model(self) -> None:
        with self.platform.ctx.reading() as session:
            for unit, unit_id in self.model.unit_id.items():
                figures = {f.est_type: f for f in unit_figures(session, unit_id)}
                for (u, est_type), approved in self.model.approved.items():
                    if u != unit:
                        continue
                    f = figures[est_type]
                    assert (f.approved, f.lent, f.actual, f.reserved) == (
                        approved,
                        self.model.lent(unit, est_type),
                        self.model.actual(unit, est_type),
                        self.model.reserved(unit, est_type),
                    ), (unit, est_type)
                    assert (
                        f.vacancy == f.approved + f.lent - f.actual - f.reserved == self.model.vacancy(unit, est_type)
                    )
                for post in leadership_figures(session, unit_id):
                    assert post.used == self.model.posts_used(unit, post.level), (unit, post)
                    assert post.reserved == self.model.posts_reserved(unit, post.level), (unit, post)

    @invariant()
    def the_region_keeps_within_its_total(self) -> None:
        """Allocated + pool never over the total, lent never over the pool: and both as the model says."""
        with self.platform.ctx.reading() as session:
            for f in totals.region_figures(session, REGION):
                assert f.headroom >= 0 and f.pool_free >= 0, f
                assert f.allocated == self.model.allocated(f.est_type), f
                assert f.pool_free == self.model.pool_free(f.est_type), f

    @invariant()
    def one_person_one_place(self) -> None:
        with self.platform.ctx.reading() as session:
            doubled = session.execute(
                select(Person.id_number)
                .where(Person.status == "在编")
                .group_by(Person.id_number)
                .having(func.count() > 1)
            ).all()
            assert doubled == []
            placed = set(
                session.scalars(
                    select(Person.id_number)
                    .join(Unit, Unit.id == Person.unit_id)
                    .where(Person.status == "在编", Unit.code.in_(UNITS))
                )
            )
        assert placed == set(self.model.in_place)

    @invariant()
    def every_notice_ends_once(self) -> None:
        with self.platform.ctx.reading() as session:
            notices = {n.number: n for n in session.scalars(select(Reservation))}
            session.expunge_all()  # plain values from here on
        assert {k for k, n in notices.items() if n.status == "issued"} == set(self.model.open_notices)
        for number, how in self.model.ended_notices.items():
            notice = notices[number]
            assert notice.status == how and notice.ended_on is not None, (number, how, notice.status)
            if how == "used":
                assert notice.used == notice.places
            else:  # released or expired: nobody, or (a plan's) those who entered before its end
                assert notice.used == self.model.plan_used.get(number, 0)


def _run(factory: Any, examples: int) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    machine = type("Machine", (RegisterMachine,), {"platform_factory": staticmethod(factory)})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            # Each run builds a platform (about a second); a failure prints its whole sequence unshrunk.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )


def test_register_invariants_on_sqlite(sqlite_template: Path, tmp_path: Path) -> None:
    import shutil

    counter = itertools.count()

    def fresh() -> tuple[Platform, Any]:
        folder = tmp_path / f"run{next(counter)}"
        folder.mkdir()
        shutil.copy(sqlite_template, folder / "db.sqlite3")
        platform = make_platform(f"sqlite:///{folder / 'db.sqlite3'}", tmp_path / "data")  # keys made once
        return platform, platform.close

    _run(fresh, examples=25)


@pytest.mark.postgres
def test_register_invariants_on_postgresql(pg_template: str, tmp_path: Path) -> None:
    import uuid

    def fresh() -> tuple[Platform, Any]:
        name = f"onestop_h_{uuid.uuid4().hex[:12]}"
        _pg(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
        platform = make_platform(PG_URL.format(name=name), tmp_path / "data")  # keys made once

        def close() -> None:
            platform.close()
            _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return platform, close

    _run(fresh, examples=12)
