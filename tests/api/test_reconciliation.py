"""人编经费比对 through HTTP on SQLite and PostgreSQL: 财政's payroll list and 人社's staff list
imported (all or nothing, by their own department), compared with the 实名制 roster by 编办 into
findings per unit, a 整改 matter opened for each one and closed when 编办 (and 财政, where the pay
is concerned) accept it; and the negative list set or lifted only on a 文号."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from onestop.bootstrap import Platform
from registry.models import Person, Unit, UnitEvent
from tests.api.helpers import assert_error, instance
from tests.api.test_staff_plan import example, start
from tests.conftest import Api

PERIOD = "2026-11"
STRANGER = ("钱进", "141002198503078012")  # paid by the 审批局, 在编 nowhere


def roster(platform: Platform) -> list[tuple[str, str, str]]:
    """(name, id number, unit name) of everyone 在编, in the register's order."""
    with platform.ctx.reading() as session:
        rows = session.execute(
            select(Person.name, Person.id_number, Unit.name)
            .join(Unit, Unit.id == Person.unit_id)
            .where(Person.status == "在编")
            .order_by(Person.id)
        )
        return [(n, i, u) for n, i, u in rows]


def csv_file(rows: list[tuple[str, str, str]], amount: str = "6500.00") -> bytes:
    lines = ["姓名,身份证号,单位名称,应发工资", *(f"{n},{i},{u},{amount}" for n, i, u in rows)]
    return "\n".join(lines).encode("utf-8")


def upload(api: Api, source: str, content: bytes, user: str, period: str = PERIOD) -> Any:
    files = {"file": ("名单.csv", content, "text/csv")}
    return api.post(f"/api/v1/reconciliation/lists/{source}", user, data={"period": period}, files=files)


def payroll_rows(platform: Platform) -> list[tuple[str, str, str]]:
    """Everyone in place but 赵磊; 王芳 paid by 示范市档案馆 too; and a stranger paid by the 审批局."""
    people = roster(platform)
    wang = next(p for p in people if p[0] == "王芳")
    paid = [p for p in people if p[0] != "赵磊"]
    return [*paid, (wang[0], wang[1], "示范市档案馆"), (STRANGER[0], STRANGER[1], "示范市行政审批服务管理局")]


def compared(api: Api, platform: Platform) -> dict[str, Any]:
    imported = upload(api, "payroll", csv_file(payroll_rows(platform)), "caizheng")
    assert imported.status_code == 200, imported.text
    response = api.post("/api/v1/reconciliation/runs", "bianban2", json={"period": PERIOD})
    assert response.status_code == 201, response.text
    return dict(response.json())


def findings_of(api: Api, run_id: int, code: str, user: str = "bianban") -> dict[str, Any]:
    response = api.get(f"/api/v1/reconciliation/runs/{run_id}/units/{code}", user)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_comparison_finds_each_kind_at_its_unit(api: Api, platform: Platform) -> None:
    run = compared(api, platform)
    assert run["counts"] == {"有薪无编": 1, "有编无薪": 1, "一人两单位": 1, "超编发放": 1, "人社名册不符": 0}
    by_unit = {u["code"]: u["kinds"] for u in run["units"]}
    assert by_unit["demo-unit-001"]["有编无薪"] == 1
    assert by_unit["demo-unit-002"]["有薪无编"] == 1
    assert by_unit["demo-unit-003"]["一人两单位"] == 1 and by_unit["demo-unit-003"]["超编发放"] == 1
    archive = findings_of(api, run["id"], "demo-unit-003")
    assert archive["figures"]["approved"] == 3 and archive["figures"]["paid"] == 5
    over = next(f for f in archive["findings"] if f["kind"] == "超编发放")
    assert "财政统发5名，超出2名" in over["detail"]
    two = next(f for f in archive["findings"] if f["kind"] == "一人两单位")
    assert two["name"] == "王芳" and "在编于示范市数据资源服务中心" in two["detail"]


def test_hr_list_differences_are_found_for_public_institutions(api: Api, platform: Platform) -> None:
    public = [p for p in roster(platform) if p[2] in ("示范市数据资源服务中心", "示范市档案馆", "示范市地方志研究室")]
    listed = [p for p in public if p[0] != "马琳"]
    assert upload(api, "hr", csv_file(listed), "renshe").status_code == 200
    run = compared(api, platform)
    assert run["counts"]["人社名册不符"] == 1
    [mismatch] = [f for f in findings_of(api, run["id"], "demo-unit-003")["findings"] if f["kind"] == "人社名册不符"]
    assert mismatch["name"] == "马琳" and "人社人员名册中无此人" in mismatch["detail"]


def test_a_list_is_imported_by_its_own_department_and_whole_or_not_at_all(api: Api, platform: Platform) -> None:
    assert_error(upload(api, "payroll", csv_file(payroll_rows(platform)), "renshe"), 403, "reconciliation_forbidden")
    assert_error(upload(api, "payroll", csv_file(payroll_rows(platform)), "applicant"), 403, "reconciliation_forbidden")
    bad = [*roster(platform)[:2], ("某人", "123", "示范市档案馆"), ("某甲", STRANGER[1], "不存在的单位")]
    refused = upload(api, "payroll", csv_file(bad), "caizheng")
    assert_error(refused, 422, "import_rejected")
    lines = {r["line"]: r["errors"] for r in refused.json()["details"]["rejected"]}
    assert "不是有效的公民身份号码" in lines[4][0] and "不在机构编制台账中" in lines[5][0]
    assert api.get("/api/v1/reconciliation/lists", "caizheng").json() == []  # nothing kept
    no_list = api.post("/api/v1/reconciliation/runs", "bianban", json={"period": PERIOD})
    assert_error(no_list, 409, "payroll_missing")
    assert api.post("/api/v1/reconciliation/runs", "caizheng", json={"period": PERIOD}).status_code == 403
    assert upload(api, "payroll", csv_file(bad[:2]), "caizheng", period="2026-13").status_code == 422


def test_a_unit_reads_only_its_own_findings(api: Api, platform: Platform) -> None:
    run = compared(api, platform)
    own = api.get("/api/v1/reconciliation/runs", "applicant").json()
    assert [u["code"] for u in own[0]["units"]] == ["demo-unit-001"]
    assert findings_of(api, run["id"], "demo-unit-001", "applicant")["findings"][0]["name"] == "赵磊"
    other = api.get(f"/api/v1/reconciliation/runs/{run['id']}/units/demo-unit-003", "applicant")
    assert_error(other, 404, "unit_not_found")


def test_each_finding_is_rectified_by_its_unit_and_closed(api: Api, platform: Platform) -> None:
    run = compared(api, platform)
    assert api.post(f"/api/v1/reconciliation/runs/{run['id']}/rectifications", "caizheng").status_code == 403
    opened = api.post(f"/api/v1/reconciliation/runs/{run['id']}/rectifications", "bianban2")
    assert opened.status_code == 200, opened.text
    assert len(opened.json()["opened"]) == 4
    again = api.post(f"/api/v1/reconciliation/runs/{run['id']}/rectifications", "bianban2").json()
    assert again["opened"] == []  # each finding once
    [finding] = findings_of(api, run["id"], "demo-unit-001")["findings"]
    assert finding["status"] == "rectifying"
    iid = finding["instance_id"]
    inbox = api.get("/api/v1/tasks", "applicant").json()
    task = next(t for t in inbox if t["instance_id"] == iid)
    detail = instance(api, iid, as_user="applicant")
    assert detail["title"] == "人编经费比对整改：有编无薪（赵磊）"
    assert detail["data"]["results"]["finding"]["id_number_masked"].count("*") == 8
    report = example("payroll_rectification_report")
    submit = {"decision": "submit", "data": report}
    submitted = api.post(f"/api/v1/tasks/{task['id']}/complete", "applicant", json=submit)
    assert submitted.status_code == 200, submitted.text
    # The opener does not close what they found: a colleague reviews (回避).
    assert all(t["instance_id"] != iid for t in api.get("/api/v1/tasks", "bianban2").json())
    review = next(t for t in api.get("/api/v1/tasks", "bianban").json() if t["instance_id"] == iid)
    back = {"decision": "return", "opinion": "请附工资起薪审批表"}
    assert api.post(f"/api/v1/tasks/{review['id']}/complete", "bianban", json=back).status_code == 200
    task = next(t for t in api.get("/api/v1/tasks", "applicant").json() if t["instance_id"] == iid)
    resubmit = {"decision": "submit", "data": {**report, "measures": report["measures"] + "起薪审批表已附。"}}
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", "applicant", json=resubmit).status_code == 200
    for user in ("bianban", "caizheng"):  # 编办 accepts; 财政 checks the pay (有编无薪 concerns it)
        step = next(t for t in api.get("/api/v1/tasks", user).json() if t["instance_id"] == iid)
        done = {"decision": "approve", "opinion": "同意销号"}
        assert api.post(f"/api/v1/tasks/{step['id']}/complete", user, json=done).status_code == 200
    api.run_worker()
    finished = instance(api, iid, as_user="applicant")
    assert finished["status"] == "completed", finished["status"]
    [closed] = findings_of(api, run["id"], "demo-unit-001")["findings"]
    assert closed["status"] == "resolved" and closed["resolution"].startswith("已整改到位")
    documents = api.get(f"/api/v1/instances/{iid}/documents", "applicant").json()
    assert [d["kind"] for d in documents] == ["payroll_rectification_closure"]


def test_a_terminated_rectification_gives_its_finding_back(api: Api, platform: Platform) -> None:
    run = compared(api, platform)
    api.post(f"/api/v1/reconciliation/runs/{run['id']}/rectifications", "bianban2")
    [finding] = findings_of(api, run["id"], "demo-unit-001")["findings"]
    cancel = {"reason": "单位已撤销，另行处理"}
    assert api.post(f"/api/v1/instances/{finding['instance_id']}/cancel", "admin", json=cancel).status_code == 200
    [back] = findings_of(api, run["id"], "demo-unit-001")["findings"]
    assert back["status"] == "open" and back["instance_id"] is None
    again = api.post(f"/api/v1/reconciliation/runs/{run['id']}/rectifications", "bianban2").json()
    assert len(again["opened"]) == 1  # sent out again


def test_a_frozen_unit_still_answers_its_rectification(api: Api, platform: Platform) -> None:
    run = compared(api, platform)
    body = {"doc_no": "示编〔2026〕7号", "reason": "人编经费比对发现超编发放，限期整改"}
    assert api.post("/api/v1/register/units/demo-unit-003/freeze", "bianban", json=body).status_code == 200
    assert api.post(f"/api/v1/reconciliation/runs/{run['id']}/rectifications", "bianban2").status_code == 200
    tasks = [t for t in api.get("/api/v1/tasks", "clerk003").json() if "比对整改" in t["title"]]
    assert len(tasks) == 2


def test_the_negative_list_is_set_and_lifted_only_on_a_doc_number(api: Api, platform: Platform) -> None:
    code, path = "demo-unit-003", "/api/v1/register/units/demo-unit-003"
    no_number = api.post(f"{path}/freeze", "bianban", json={"doc_no": "研究决定", "reason": "超编"})
    assert_error(no_number, 422, "freeze_invalid")
    body = {"doc_no": "示编〔2026〕7号", "reason": "超编"}
    assert api.post(f"{path}/freeze", "caizheng", json=body).status_code == 403
    frozen = api.post(f"{path}/freeze", "bianban", json={"doc_no": "示编[2026]7号", "reason": "超编发放，限期整改"})
    assert frozen.status_code == 200 and frozen.json()["doc_no"] == "示编〔2026〕7号"
    again = api.post(f"{path}/freeze", "bianban", json={"doc_no": "示编〔2026〕8号", "reason": "再次"})
    assert_error(again, 409, "freeze_unchanged")
    refused = start(api, "staff_adjustment", example("staff_adjustment_application", kind="核减", places=1), "clerk003")
    assert_error(refused, 409, "unit_frozen")
    lifted = api.post(f"{path}/unfreeze", "bianban", json={"doc_no": "示编〔2026〕9号", "reason": "已整改到位"})
    assert lifted.status_code == 200 and lifted.json()["status"] == "active"
    with platform.ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        events = session.execute(
            select(UnitEvent.event, UnitEvent.basis_doc_no).where(UnitEvent.unit_id == unit_id).order_by(UnitEvent.id)
        ).all()
    assert [tuple(e) for e in events] == [("列入负面清单", "示编〔2026〕7号"), ("移出负面清单", "示编〔2026〕9号")]
