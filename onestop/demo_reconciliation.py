"""The demo's 人编经费比对 of last month: 财政's payroll list (everyone in place but one, and one
person paid who is 在编 nowhere), compared by 编办, a 整改 matter sent for each finding, and the
demo unit's one answered and closed, so the findings pages and the archive have something real.
The other finding's 整改 stays open at its unit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine import services
from engine.vocabulary import Decision
from forms.identifiers import make_ric
from kernel import clock
from kernel.actors import Actor
from onestop.bootstrap import Platform
from registry.models import Person, Unit
from registry.services import reconciliation
from registry.staff_lists import previous_month

UNPAID = "赵磊"  # 在编 at the demo unit, missing from the payroll
STRANGER = ("钱进", make_ric("141002", date(1985, 3, 7), 900, "男"), "示范市行政审批服务管理局")
OPENER = "bianban2"  # who compares does not close the findings (回避): bianban reviews them
CLERK = "applicant"


def payroll_csv(platform: Platform) -> bytes:
    with platform.ctx.reading() as session:
        rows = session.execute(
            select(Person.name, Person.id_number, Unit.name)
            .join(Unit, Unit.id == Person.unit_id)
            .where(Person.status == "在编")
            .order_by(Person.id)
        ).all()
    lines = ["姓名,身份证号,单位名称,应发工资"]
    lines += [f"{n},{i},{u},6500.00" for n, i, u in rows if n != UNPAID]
    lines.append(f"{STRANGER[0]},{STRANGER[1]},{STRANGER[2]},5200.00")
    return "\n".join(lines).encode("utf-8")


def seed_reconciliation(platform: Platform, actors: dict[str, Actor], holder: dict[str, str]) -> str:
    """Import, compare, send the findings out and close the demo unit's; that matter's id."""
    ctx, period = platform.ctx, previous_month(clock.today())
    reconciliation.import_list(
        ctx, actors["caizheng"], source="payroll", period=period, filename=f"{period}工资统发名单.csv",
        content=payroll_csv(platform),
    )  # fmt: skip
    run = reconciliation.run(ctx, actors[OPENER], period=period)
    opened = reconciliation.rectify(ctx, actors[OPENER], int(run["id"]))["opened"]
    clerk = actors[CLERK]
    iid = str(next(i for i in opened if services.get(ctx, actors["admin"], i)["unit_code"] == clerk.unit_code))
    for _ in range(10):
        tasks = services.get(ctx, actors["admin"], iid)["tasks"]
        if not tasks:
            break
        task = tasks[0]
        if task["role"] == "applicant":
            form = ctx.forms.get(str(task["form_key"]))
            assert form is not None
            report = dict(form.schema["examples"][0])
            services.complete(ctx, clerk, task["id"], decision=Decision.SUBMIT, opinion=None, data=report)
        else:
            user = actors[holder[task["department"]]]
            services.complete(ctx, user, task["id"], decision=Decision.APPROVE, opinion="整改到位，同意销号", data={})
    return iid
