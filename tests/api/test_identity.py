"""Every matter has an identity (pinned): the instance JSON carries its 受理编号 ``number`` and its
``title``, in the start's answer, the detail and every list item; a task carries its matter's
``number`` and ``title`` (its own step is ``step``). Two matters of one type are told apart."""

from __future__ import annotations

import re

from tests.api.helpers import REVIEW_DEPARTMENTS, decide, start
from tests.conftest import Api

NUMBER = re.compile(r"\d{4}-\d{6}")


def test_instances_and_their_tasks_carry_number_and_title(api: Api) -> None:
    first, second = start(api), start(api)
    assert NUMBER.fullmatch(first["number"]) and NUMBER.fullmatch(second["number"])
    assert first["number"] != second["number"]
    year, serial = first["number"].split("-")
    assert second["number"] == f"{year}-{int(serial) + 1:06d}"  # the next one, no gap
    assert first["title"] == "跨部门联办演示（示范市数据资源服务中心）"

    detail = api.get(f"/api/v1/instances/{first['id']}", "applicant").json()
    assert (detail["number"], detail["title"]) == (first["number"], first["title"])
    listed = api.get("/api/v1/instances", "applicant").json()["items"]
    assert {(i["id"], i["number"], i["title"]) for i in listed} >= {
        (m["id"], m["number"], m["title"]) for m in (first, second)
    }

    inbox = api.get("/api/v1/tasks", REVIEW_DEPARTMENTS[0]).json()
    numbers = {t["instance_id"]: (t["number"], t["title"]) for t in inbox}
    assert numbers[first["id"]] == (first["number"], first["title"])
    assert numbers[second["id"]] == (second["number"], second["title"])
    assert all(t["step"] for t in inbox)
    one = api.get(f"/api/v1/tasks/{inbox[0]['id']}", REVIEW_DEPARTMENTS[0]).json()
    assert one["number"] in (first["number"], second["number"]) and one["title"] == first["title"]
    for task in first["tasks"]:
        assert (task["number"], task["title"]) == (first["number"], first["title"])


def test_the_inbox_finds_a_matter_by_its_number(api: Api) -> None:
    first, second = start(api), start(api)
    found = api.get("/api/v1/tasks", "bianban", params={"q": second["number"]}).json()
    assert {t["instance_id"] for t in found} == {second["id"]}
    listed = api.get("/api/v1/instances", "applicant", params={"q": first["number"]}).json()
    assert [i["id"] for i in listed["items"]] == [first["id"]] and listed["total"] == 1


def test_notifications_name_the_number_and_are_read_person_by_person(api: Api) -> None:
    matter = start(api)
    api.run_worker()
    counts = api.get("/api/v1/notifications/counts", "bianban").json()
    assert counts["unread"] >= 1
    mine = api.get("/api/v1/notifications", "bianban", params={"unread": "true"}).json()
    assert any(matter["number"] in n["message"] for n in mine)

    for department in REVIEW_DEPARTMENTS:  # one asks for a correction; it goes back once all have decided
        decision, opinion = ("return", "请补充岗位设置方案") if department == "zuzhi" else ("approve", None)
        assert decide(api, matter["id"], department, decision, opinion=opinion).status_code == 200
    api.run_worker()
    returned = api.get("/api/v1/notifications/counts", "applicant").json()["returned"]
    assert returned == 1
    note = next(n for n in api.get("/api/v1/notifications", "applicant").json() if n["kind"] == "returned")
    assert matter["number"] in note["message"] and not note["read"]
    read = api.post(f"/api/v1/notifications/{note['id']}/read", "applicant")
    assert read.status_code == 200 and read.json()["marked"] == 1
    assert api.get("/api/v1/notifications/counts", "applicant").json()["returned"] == 0
    # Someone else's notification is not theirs to read.
    assert api.post(f"/api/v1/notifications/{note['id']}/read", "bianban").status_code == 404
    everything = api.post("/api/v1/notifications/read", "bianban").json()
    assert everything["marked"] >= 1 and api.get("/api/v1/notifications/counts", "bianban").json()["unread"] == 0
