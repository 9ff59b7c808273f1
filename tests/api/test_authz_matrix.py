"""Who may do what: every demo account against every action, on bianban's task of a fresh matter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.helpers import DEMO_USERS, PROCESS_KEY, application, assert_error, open_task, start
from tests.conftest import Api

ACTIONS = (
    "start",
    "read_instance",
    "read_task",
    "claim",
    "complete",
    "withdraw",
    "cancel",
    "list_incidents",
    "transfer",
    "delegate",
    "copy",
    "urge",
    "return_to",
    "add_signers",
)

# fmt: off
EXPECTED: dict[str, tuple[int, ...]] = {
    # transfer to zuzhi: bianban may pass its task on, but not outside its department (422); columns as ACTIONS
    #             start readi readt claim done  withd cancl incid trans deleg copy  urge  retrn sign
    "applicant": (201,  200,  200,  403,  403,  200,  403,  403,  403,  403,  403,  200,  403,  403),
    "bianban":   (403,  200,  200,  200,  200,  403,  403,  403,  422,  200,  200,  200,  200,  200),
    "zuzhi":     (403,  200,  200,  403,  403,  403,  403,  403,  403,  403,  403,  200,  403,  403),
    "renshe":    (403,  200,  200,  403,  403,  403,  403,  403,  403,  403,  403,  200,  403,  403),
    "caizheng":  (403,  200,  200,  403,  403,  403,  403,  403,  403,  403,  403,  200,  403,  403),
    "archivist": (403,  404,  404,  404,  404,  404,  403,  403,  404,  404,  404,  404,  404,  404),
    "admin":     (403,  200,  200,  403,  403,  403,  200,  200,  403,  403,  403,  200,  403,  403),
}
# fmt: on

# The error code each refusal carries.
FORBIDDEN_CODE = {
    "start": "applicant_only",
    "claim": "not_your_task",
    "complete": "not_your_task",
    "withdraw": "applicant_only",
    "cancel": "admin_only",
    "list_incidents": "admin_only",
    "transfer": "not_your_task",
    "delegate": "not_your_task",
    "copy": "not_your_task",
    "return_to": "not_your_task",
    "add_signers": "not_your_task",
}
NOT_FOUND_CODE = {
    "read_instance": "instance_not_found",
    "read_task": "task_not_found",
    "claim": "task_not_found",
    "complete": "task_not_found",
    "withdraw": "instance_not_found",
    "transfer": "task_not_found",
    "delegate": "task_not_found",
    "copy": "task_not_found",
    "urge": "instance_not_found",
    "return_to": "task_not_found",
    "add_signers": "task_not_found",
}


def _act(api: Api, user: str, action: str, instance_id: str, task_id: str) -> Any:
    calls: dict[str, Callable[[], Any]] = {
        "start": lambda: api.post("/api/v1/instances", user, json={"process_key": PROCESS_KEY, "data": application()}),
        "read_instance": lambda: api.get(f"/api/v1/instances/{instance_id}", user),
        "read_task": lambda: api.get(f"/api/v1/tasks/{task_id}", user),
        "claim": lambda: api.post(f"/api/v1/tasks/{task_id}/claim", user),
        "complete": lambda: api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"decision": "approve"}),
        "withdraw": lambda: api.post(f"/api/v1/instances/{instance_id}/withdraw", user),
        "cancel": lambda: api.post(f"/api/v1/instances/{instance_id}/cancel", user, json={"reason": "权限矩阵测试"}),
        "list_incidents": lambda: api.get("/api/v1/incidents", user),
        "transfer": lambda: api.post(f"/api/v1/tasks/{task_id}/transfer", user, json={"to": "zuzhi"}),
        "delegate": lambda: api.post(
            f"/api/v1/tasks/{task_id}/delegate", user, json={"to": "zuzhi", "opinion": "请协助核实"}
        ),
        "copy": lambda: api.post(f"/api/v1/tasks/{task_id}/copy", user, json={"departments": ["caizheng"]}),
        "urge": lambda: api.post(f"/api/v1/instances/{instance_id}/urge", user, json={}),
        "return_to": lambda: api.post(
            f"/api/v1/tasks/{task_id}/return-to", user, json={"step": "submit", "opinion": "权限矩阵测试"}
        ),
        "add_signers": lambda: api.post(
            f"/api/v1/tasks/{task_id}/add-signers",
            user,
            json={"users": ["zuzhi"], "position": "before", "opinion": "权限矩阵测试"},
        ),
    }
    return calls[action]()


def test_table_covers_every_user_and_action() -> None:
    assert set(EXPECTED) == set(DEMO_USERS)
    assert all(len(row) == len(ACTIONS) for row in EXPECTED.values())


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("user", DEMO_USERS)
def test_matrix(shared_api: Api, user: str, action: str) -> None:
    instance_id = start(shared_api)["id"]
    task_id = open_task(shared_api, instance_id, "bianban")["id"]
    expected = EXPECTED[user][ACTIONS.index(action)]

    response = _act(shared_api, user, action, instance_id, task_id)

    if expected == 403:
        assert_error(response, 403, FORBIDDEN_CODE[action])
    elif expected == 404:
        assert_error(response, 404, NOT_FOUND_CODE[action])
    else:
        assert response.status_code == expected, (user, action, response.text)

    # A refusal changes nothing; an allowed change is visible to the administrator.
    after = shared_api.get(f"/api/v1/instances/{instance_id}", "admin").json()
    bianban_open = [t for t in after["tasks"] if t["department"] == "bianban"]
    if expected >= 400:
        assert after["status"] == "running"
        assert [t["assignee"] for t in bianban_open] == [None]
    elif action == "claim":
        assert [t["assignee"] for t in bianban_open] == [user]
    elif action == "complete":
        assert bianban_open == []
    elif action in ("withdraw", "cancel", "return_to"):
        assert after["status"] == {"withdraw": "withdrawn", "cancel": "cancelled", "return_to": "returned"}[action]
