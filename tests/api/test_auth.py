"""Logging in and out, the current user, and the 401 responses."""

from __future__ import annotations

import pytest

from onestop.demo import DEMO_PASSWORD, DEMO_UNIT
from tests.api.helpers import assert_error
from tests.conftest import Api

ME = {
    "applicant": (["applicant"], [], DEMO_UNIT),
    "bianban": (["approver"], ["bianban"], None),
    "zuzhi": (["approver"], ["zuzhi"], None),
    "renshe": (["approver"], ["renshe"], None),
    "caizheng": (["approver"], ["caizheng"], None),
    "archivist": (["archivist"], ["archives"], None),
    "admin": (["admin"], [], None),
}


def _login(api: Api, username: str, password: str = DEMO_PASSWORD) -> str:
    response = api.client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 32
    return str(body["access_token"])


def test_login_me_logout(api: Api) -> None:
    token = _login(api, "bianban")
    bearer = {"Authorization": f"Bearer {token}"}
    me = api.client.get("/api/v1/auth/me", headers=bearer)
    assert me.status_code == 200
    assert me.json() == {
        "username": "bianban",
        "display_name": "王建国",
        "roles": ["approver"],
        "departments": ["bianban"],
        "unit_code": None,
    }

    logout = api.client.post("/api/v1/auth/logout", headers=bearer)
    assert logout.status_code == 204
    assert logout.content == b""
    assert_error(api.client.get("/api/v1/auth/me", headers=bearer), 401, "invalid_token")
    assert_error(api.client.post("/api/v1/auth/logout", headers=bearer), 401, "invalid_token")
    # Logging in again gives a new, working token.
    again = _login(api, "bianban")
    assert again != token
    assert api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {again}"}).status_code == 200


@pytest.mark.parametrize("username", sorted(ME))
def test_me_for_each_demo_account(shared_api: Api, username: str) -> None:
    body = shared_api.get("/api/v1/auth/me", username).json()
    roles, departments, unit = ME[username]
    assert body["username"] == username
    assert (body["roles"], body["departments"], body["unit_code"]) == (roles, departments, unit)


def test_logout_revokes_only_that_token(sqlite_api: Api) -> None:
    first, second = _login(sqlite_api, "zuzhi"), _login(sqlite_api, "zuzhi")
    assert (
        sqlite_api.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"}).status_code == 204
    )
    assert sqlite_api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_no_token(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/api/v1/instances")
    assert_error(response, 401, "not_authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-real-token", "Bearer " + "A" * 43, "Bearer x"],
)
def test_bad_token(sqlite_api: Api, authorization: str) -> None:
    response = sqlite_api.client.get("/api/v1/tasks", headers={"Authorization": authorization})
    assert_error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"] == "Bearer"


def test_non_bearer_scheme_is_not_authenticated(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/api/v1/auth/me", headers={"Authorization": "Basic YWRtaW46b25lc3RvcC1kZW1v"})
    assert_error(response, 401, "not_authenticated")


def test_wrong_password_and_unknown_user_look_the_same(sqlite_api: Api) -> None:
    wrong = sqlite_api.client.post("/api/v1/auth/token", data={"username": "admin", "password": "wrong"})
    unknown = sqlite_api.client.post("/api/v1/auth/token", data={"username": "nobody", "password": "wrong"})
    assert_error(wrong, 401, "invalid_credentials")
    assert wrong.json() == unknown.json()
    assert unknown.status_code == 401


def test_login_with_json_instead_of_form_is_a_request_error(sqlite_api: Api) -> None:
    response = sqlite_api.client.post("/api/v1/auth/token", json={"username": "admin", "password": DEMO_PASSWORD})
    body = assert_error(response, 422, "request_invalid")
    assert {d["path"] for d in body["details"]} >= {"/body/username", "/body/password"}
    assert all("缺少参数" in d["message"] for d in body["details"])
