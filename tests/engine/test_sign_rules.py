"""会签, 或签 and 票签 on a multi-instance step (the ``sign`` property and the BPMN's completion
condition), on SQLite and PostgreSQL: who still decides, how the step ends, the tally people see,
a late decision refused, and two 或签 decisions at once of which exactly one wins."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from engine import services
from engine.definitions import deploy_file
from engine.signing_rules import SignRule
from kernel.actors import Actor
from kernel.errors import Conflict, ValidationFailed
from onestop.bootstrap import Platform
from tests.api.helpers import assert_error
from tests.conftest import Api, actors_of, make_platform

MEMBERS = ("bianwei1", "bianwei2", "bianwei3")
COMPLETION = '<bpmn:completionCondition>vote_tally["settled"]</bpmn:completionCondition>'


def sign_bpmn(key: str, sign: str | None, *, completion: bool = True, multi: bool = True) -> str:
    """start → submit → the committee (3 members) → a 会签/或签/票签 vote → passed or refused."""
    props = "".join(
        f'<spiffworkflow:property name="{n}" value="{v}"/>'
        for n, v in [
            ("department", "bianwei"),
            ("role", "approver"),
            ("decisions", "approve,reject"),
            ("result_key", "vote_record"),
            ("assignee_item", "member"),
            *([("sign", sign)] if sign else []),
        ]
    )
    loop = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>committee</bpmn:loopDataInputRef>"
        '<bpmn:loopDataOutputRef>votes</bpmn:loopDataOutputRef><bpmn:inputDataItem id="member"/>'
        f'<bpmn:outputDataItem id="vote_record"/>{COMPLETION if completion else ""}'
        "</bpmn:multiInstanceLoopCharacteristics>"
        if multi
        else ""
    )
    refused = 'not votes[-1]["tally"]["passed"]' if multi else 'vote_record["decision"] != "approve"'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d_{key}" targetNamespace="http://t">
  <bpmn:process id="{key}" name="表决测试 {key}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="submit" name="提交"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="department" value="applicant"/></spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="members" name="编委名单"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>committee = {list(MEMBERS)!r}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="vote" name="编委表决"><bpmn:extensionElements><spiffworkflow:properties>{props}
      </spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      {loop}</bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" name="表决结论" default="f_pass"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f_pass</bpmn:outgoing><bpmn:outgoing>f_refuse</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="submit"/>
    <bpmn:sequenceFlow id="f1" sourceRef="submit" targetRef="members"/>
    <bpmn:sequenceFlow id="f2" sourceRef="members" targetRef="vote"/>
    <bpmn:sequenceFlow id="f3" sourceRef="vote" targetRef="gw"/>
    <bpmn:sequenceFlow id="f_pass" sourceRef="gw" targetRef="end_passed"/>
    <bpmn:sequenceFlow id="f_refuse" sourceRef="gw" targetRef="end_rejected"><bpmn:conditionExpression
      xsi:type="bpmn:tFormalExpression">{refused}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="end_passed"><bpmn:incoming>f_pass</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_rejected"><bpmn:incoming>f_refuse</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _deploy(platform: Platform, tmp_path: Path, key: str, sign: str | None, **shape: bool) -> None:
    path = tmp_path / f"{key}.bpmn"
    path.write_text(sign_bpmn(key, sign, **shape), encoding="utf-8")
    with platform.ctx.transaction() as session:
        deploy_file(session, path, deployed_by="test")


def _start(platform: Platform, actors: dict[str, Actor], key: str) -> tuple[str, dict[str, str]]:
    """A matter at its vote; each member's task id."""
    matter = services.start(platform.ctx, actors["applicant"], process_key=key, data={})
    seats = {t["assignee"]: t["id"] for t in matter["tasks"]}
    assert set(seats) == set(MEMBERS), matter["tasks"]
    return str(matter["id"]), seats


def _vote(platform: Platform, actors: dict[str, Actor], seats: dict[str, str], member: str, decision: str) -> Any:
    opinion = None if decision == "approve" else "不同意"
    return services.complete(platform.ctx, actors[member], seats[member], decision=decision, opinion=opinion)


def test_any_one_decides_and_the_other_seats_close(platform: Platform, tmp_path: Path) -> None:
    actors = actors_of(platform)
    _deploy(platform, tmp_path, "sign_any", "any")
    _, seats = _start(platform, actors, "sign_any")
    ended = _vote(platform, actors, seats, "bianwei2", "approve")
    assert ended["status"] == "completed" and ended["tasks"] == []
    with pytest.raises(Conflict) as late:
        _vote(platform, actors, seats, "bianwei1", "reject")
    assert late.value.code == "task_already_completed" and "已结束" in late.value.message
    detail = services.get_task(platform.ctx, actors["bianwei1"], seats["bianwei1"])
    assert detail["state"] == "cancelled" and detail["vote"]["not_needed"] == ["周志刚", "郑伟"]

    _, seats = _start(platform, actors, "sign_any")
    assert _vote(platform, actors, seats, "bianwei3", "reject")["status"] == "rejected"  # one refusal decides too


def test_two_thirds_pass_or_fail_as_soon_as_the_outcome_is_certain(platform: Platform, tmp_path: Path) -> None:
    actors = actors_of(platform)
    _deploy(platform, tmp_path, "sign_share", "2/3")
    _, seats = _start(platform, actors, "sign_share")
    after_one = _vote(platform, actors, seats, "bianwei1", "approve")
    assert after_one["status"] == "running" and len(after_one["tasks"]) == 2
    vote = services.get_task(platform.ctx, actors["bianwei2"], seats["bianwei2"])["vote"]
    assert (vote["approve"], vote["decided"], vote["total"], vote["needed"], vote["settled"]) == (1, 1, 3, 2, False)
    assert vote["label"] == "票签（三分之二以上同意方可通过）" and vote["votes"] == [
        {"by_name": "周志刚", "decision": "approve"}
    ]
    assert _vote(platform, actors, seats, "bianwei2", "reject")["status"] == "running"  # 1 of 3, one to come
    assert _vote(platform, actors, seats, "bianwei3", "approve")["status"] == "completed"

    _, seats = _start(platform, actors, "sign_share")
    _vote(platform, actors, seats, "bianwei1", "reject")
    refused = _vote(platform, actors, seats, "bianwei3", "reject")  # two of three against: 2/3 out of reach
    assert refused["status"] == "rejected"

    _, seats = _start(platform, actors, "sign_share")
    _vote(platform, actors, seats, "bianwei1", "approve")
    assert _vote(platform, actors, seats, "bianwei2", "approve")["status"] == "completed"  # the third not needed


def test_all_must_agree_and_everyone_votes(platform: Platform, tmp_path: Path) -> None:
    actors = actors_of(platform)
    _deploy(platform, tmp_path, "sign_all", "all", completion=False)
    _, seats = _start(platform, actors, "sign_all")
    assert _vote(platform, actors, seats, "bianwei1", "reject")["status"] == "running"  # 会签: all vote
    assert _vote(platform, actors, seats, "bianwei2", "approve")["status"] == "running"
    assert _vote(platform, actors, seats, "bianwei3", "approve")["status"] == "rejected"


@pytest.mark.parametrize(
    ("sign", "shape", "says"),
    [
        ("any", {"completion": False}, "completionCondition"),
        ("any", {"multi": False}, "不是多实例任务"),
        ("half", {}, "sign 属性应为"),
        ("3/2", {}, "sign 属性应为"),
    ],
)
def test_a_rule_the_bpmn_cannot_keep_is_refused_at_deployment(
    sqlite_platform: Platform, tmp_path: Path, sign: str, shape: dict[str, bool], says: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _deploy(sqlite_platform, tmp_path, "sign_bad", sign, **shape)
    assert refused.value.code == "invalid_bpmn" and says in refused.value.message


def test_the_tally_rule() -> None:
    share = SignRule("share", Fraction(2, 3))
    assert share.tally(["approve", "approve"], 3)["passed"] is True
    assert share.tally(["approve", "reject"], 3)["settled"] is False
    assert share.tally(["reject", "reject"], 3)["passed"] is False
    assert share.tally(["approve", "approve", "approve"], 4)["needed"] == 3  # ⌈2/3 × 4⌉
    assert (SignRule("any").tally(["reject"], 5)["settled"], SignRule("any").tally(["reject"], 5)["passed"]) == (
        True,
        False,
    )
    assert SignRule("any").tally([], 5)["settled"] is False
    assert SignRule("all").tally(["approve"] * 3, 3)["passed"] is True


def _race(
    platform: Platform, actors: dict[str, Actor], seats: dict[str, str], votes: list[tuple[str, str]]
) -> dict[str, str]:
    """Each (member, decision) at the same moment, one thread each; the matter's status or the refusal's code."""
    barrier = threading.Barrier(len(votes))
    outcomes: dict[str, str] = {}

    def decide(member: str, decision: str) -> None:
        barrier.wait()
        try:
            outcomes[member] = _vote(platform, actors, seats, member, decision)["status"]
        except Conflict as lost:
            outcomes[member] = lost.code

    threads = [threading.Thread(target=decide, args=vote) for vote in votes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.postgres
def test_two_any_one_decisions_at_once_exactly_one_wins(pg_platform_url: str, tmp_path: Path) -> None:
    platform = make_platform(pg_platform_url, tmp_path / "data")
    try:
        actors = actors_of(platform)
        _deploy(platform, tmp_path, "sign_race", "any")
        for _ in range(5):
            _, seats = _start(platform, actors, "sign_race")
            outcomes = _race(platform, actors, seats, [("bianwei1", "approve"), ("bianwei2", "reject")])
            assert sorted(outcomes.values()) in (
                ["completed", "task_already_completed"],
                ["rejected", "task_already_completed"],
            ), outcomes
    finally:
        platform.close()


def test_any_one_over_http_a_second_decision_is_409(api: Api, tmp_path: Path) -> None:
    _deploy(api.platform, tmp_path, "sign_http", "any")
    started = api.post("/api/v1/instances", "applicant", json={"process_key": "sign_http", "data": {}})
    assert started.status_code == 201, started.text
    seats = {t["assignee"]: t["id"] for t in started.json()["tasks"]}
    first = api.post(f"/api/v1/tasks/{seats['bianwei1']}/complete", "bianwei1", json={"decision": "approve"})
    assert first.status_code == 200 and first.json()["status"] == "completed"
    second = api.post(f"/api/v1/tasks/{seats['bianwei3']}/complete", "bianwei3", json={"decision": "approve"})
    assert_error(second, 409, "task_already_completed")
    seen = api.get(f"/api/v1/tasks/{seats['bianwei3']}", "bianwei3").json()["vote"]
    assert (seen["rule"], seen["approve"], seen["not_needed"]) == ("any", 1, ["吴秀兰", "郑伟"])
