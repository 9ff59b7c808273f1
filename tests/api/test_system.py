"""Health, the OpenAPI document and the offline Swagger UI."""

from __future__ import annotations

import re

from tests.conftest import Api

LOCAL_ASSET = re.compile(r'(?:href|src)="([^"]+)"')


def test_healthz(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_index_points_at_docs_and_health(sqlite_api: Api) -> None:
    assert sqlite_api.client.get("/").json() == {"name": "OneStop 一件事一次办", "docs": "/docs", "health": "/healthz"}


def test_openapi_document_lists_every_endpoint(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "OneStop 一件事一次办"
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/auth/logout"),
        ("GET", "/api/v1/auth/me"),
        ("GET", "/api/v1/processes"),
        ("POST", "/api/v1/validate/{kind}"),
        ("POST", "/api/v1/efficiency"),
        ("POST", "/api/v1/verify"),
        ("GET", "/verify/{code}"),
        ("GET", "/api/v1/archive/records"),
        ("GET", "/api/v1/archive/records/{record_id}"),
        ("GET", "/api/v1/archive/records/{record_id}/download"),
        ("POST", "/api/v1/archive/records/{record_id}/verify"),
        ("GET", "/api/v1/instances/{instance_id}/documents"),
        ("GET", "/api/v1/documents/{document_id}/download"),
        ("GET", "/api/v1/register/units"),
        ("GET", "/api/v1/register/units/{code}"),
        ("GET", "/api/v1/register/units/{code}/persons"),
        ("GET", "/api/v1/calendar/add-workdays"),
        ("GET", "/api/v1/calendar/{year}"),
        ("PUT", "/api/v1/calendar/days/{day}"),
        ("PUT", "/api/v1/calendar/years/{year}"),
        ("GET", "/api/v1/processes/{key}/form"),
        ("POST", "/api/v1/instances"),
        ("GET", "/api/v1/instances"),
        ("GET", "/api/v1/instances/{instance_id}"),
        ("POST", "/api/v1/instances/{instance_id}/withdraw"),
        ("POST", "/api/v1/instances/{instance_id}/cancel"),
        ("POST", "/api/v1/instances/{instance_id}/urge"),
        ("GET", "/api/v1/instances/{instance_id}/attachments/{sha256}"),
        ("GET", "/api/v1/tasks"),
        ("GET", "/api/v1/tasks/{task_id}"),
        ("POST", "/api/v1/tasks/{task_id}/claim"),
        ("POST", "/api/v1/tasks/{task_id}/unclaim"),
        ("POST", "/api/v1/tasks/batch-approve"),
        ("POST", "/api/v1/tasks/{task_id}/complete"),
        ("POST", "/api/v1/tasks/{task_id}/transfer"),
        ("POST", "/api/v1/tasks/{task_id}/delegate"),
        ("POST", "/api/v1/tasks/{task_id}/resolve"),
        ("POST", "/api/v1/tasks/{task_id}/copy"),
        ("GET", "/api/v1/tasks/{task_id}/return-steps"),
        ("POST", "/api/v1/tasks/{task_id}/return-to"),
        ("POST", "/api/v1/tasks/{task_id}/recall"),
        ("POST", "/api/v1/tasks/{task_id}/add-signers"),
        ("GET", "/api/v1/processes/{key}/versions"),
        ("GET", "/api/v1/processes/{key}/migration"),
        ("POST", "/api/v1/processes/{key}/migration"),
        ("GET", "/api/v1/instances/{instance_id}/replay"),
        ("GET", "/api/v1/me/deputy"),
        ("PUT", "/api/v1/me/deputy"),
        ("DELETE", "/api/v1/me/deputy"),
        ("GET", "/api/v1/incidents"),
        ("POST", "/api/v1/incidents/{incident_id}/retry"),
        ("GET", "/api/v1/notifications"),
        ("GET", "/api/v1/notifications/counts"),
        ("POST", "/api/v1/notifications/read"),
        ("POST", "/api/v1/notifications/{notification_id}/read"),
        ("POST", "/api/v1/admin/import/{kind}"),
        ("POST", "/api/v1/reconciliation/lists/{source}"),
        ("GET", "/api/v1/reconciliation/lists"),
        ("POST", "/api/v1/reconciliation/runs"),
        ("GET", "/api/v1/reconciliation/runs"),
        ("GET", "/api/v1/reconciliation/runs/{run_id}"),
        ("GET", "/api/v1/reconciliation/runs/{run_id}/units/{code}"),
        ("POST", "/api/v1/reconciliation/runs/{run_id}/rectifications"),
        ("POST", "/api/v1/register/units/{code}/freeze"),
        ("POST", "/api/v1/register/units/{code}/unfreeze"),
        ("POST", "/api/v1/instances/proposals"),
    }
    start = document["paths"]["/api/v1/instances"]["post"]
    assert set(start["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "ErrorOut" in document["components"]["schemas"]


def test_docs_use_only_local_assets(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "SwaggerUIBundle" in html
    assert "'/openapi.json'" in html
    assert not re.search(r"https?://", html), "the docs page must not load anything from a CDN"
    assets = LOCAL_ASSET.findall(html)
    assert sorted(assets) == [
        "/static/swagger/favicon.png",
        "/static/swagger/swagger-ui-bundle.js",
        "/static/swagger/swagger-ui.css",
    ]
    for asset in assets:
        fetched = sqlite_api.client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 100, asset
    assert (
        sqlite_api.client.get("/static/swagger/swagger-ui-bundle.js")
        .headers["content-type"]
        .startswith(("application/javascript", "text/javascript"))
    )


def test_unknown_path_is_a_chinese_404(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "请求的资源不存在", "details": None}


def test_wrong_method_is_a_chinese_405(sqlite_api: Api) -> None:
    response = sqlite_api.client.delete("/healthz")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response.json()["message"] == "不支持该请求方法"
