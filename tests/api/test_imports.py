"""POST /api/v1/admin/import/{kind}: multipart upload, report, uniform errors."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import assert_error, has_chinese
from tests.conftest import Api
from tests.registry.import_samples import BAD_LINES, BAD_PERSONS, PERSONS, QUOTAS, UNITS, csv_bytes, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(api: Api, kind: str, name: str, content: bytes, as_user: str = "admin", mime: str = "text/csv") -> Any:
    return api.post(f"/api/v1/admin/import/{kind}", as_user, files={"file": (name, content, mime)})


def test_admin_imports_a_roster(sqlite_api: Api) -> None:
    response = _upload(sqlite_api, "units", "单位.csv", csv_bytes(UNITS))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["kind"], report["total"], report["imported"], report["applied"]) == ("units", 4, 4, True)
    assert report["warnings"][0]["line"] == 5 and has_chinese(report["warnings"][0]["warnings"][0])
    assert _upload(sqlite_api, "quotas", "编制.xlsx", xlsx_bytes(QUOTAS), mime=XLSX).json()["imported"] == 7
    assert _upload(sqlite_api, "persons", "人员.csv", csv_bytes(PERSONS, "gb18030")).json()["imported"] == 6
    unit = sqlite_api.get("/api/v1/register/units/imp-001", "admin")
    assert unit.status_code == 200 and unit.json()["name"] == "样例区人力资源和社会保障局"


def test_rejected_file_reports_every_line(sqlite_api: Api) -> None:
    _upload(sqlite_api, "units", "u.csv", csv_bytes(UNITS))
    _upload(sqlite_api, "persons", "p.csv", csv_bytes(PERSONS))
    body = assert_error(_upload(sqlite_api, "persons", "bad.csv", csv_bytes(BAD_PERSONS)), 422, "import_rejected")
    report = body["details"]
    assert (report["kind"], report["total"], report["imported"], report["applied"]) == ("persons", 10, 0, False)
    assert [r["line"] for r in report["rejected"]] == BAD_LINES
    assert all(has_chinese(message) for r in report["rejected"] for message in r["errors"])
    # Line 2 was valid, but nothing of the file was written.
    staff = sqlite_api.get("/api/v1/register/units/imp-002/persons", "admin").json()
    assert "孙丽" not in {p["name"] for p in staff["items"]}


def test_bad_header_and_empty_file(sqlite_api: Api) -> None:
    body = assert_error(_upload(sqlite_api, "persons", "u.csv", csv_bytes(UNITS)), 422, "import_bad_header")
    assert "身份证号" in body["details"]["missing"]
    assert_error(_upload(sqlite_api, "units", "u.csv", b""), 422, "import_empty")


def test_only_admins(sqlite_api: Api) -> None:
    for user in ("bianban", "applicant"):
        assert_error(_upload(sqlite_api, "units", "u.csv", csv_bytes(UNITS), as_user=user), 403, "admin_only")
    response = sqlite_api.client.post("/api/v1/admin/import/units", files={"file": ("u.csv", b"x", "text/csv")})
    assert_error(response, 401, "not_authenticated")


def test_too_large(sqlite_api: Api) -> None:
    content = csv_bytes(UNITS) + b"#" * (10 * 1024 * 1024)
    body = assert_error(_upload(sqlite_api, "units", "u.csv", content), 413, "import_too_large")
    assert "10 MB" in body["message"]


def test_unsupported_files(sqlite_api: Api) -> None:
    assert_error(_upload(sqlite_api, "units", "u.txt", csv_bytes(UNITS)), 415, "import_unsupported_type")
    assert_error(
        _upload(sqlite_api, "units", "u.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 60), 415, "import_unsupported_type"
    )
    fake = _upload(sqlite_api, "units", "u.xlsx", csv_bytes(UNITS), mime=XLSX)
    assert_error(fake, 415, "import_content_mismatch")
    assert_error(_upload(sqlite_api, "units", "u.xlsx", b"PK\x03\x04" + b"\0" * 60, mime=XLSX), 422, "import_bad_file")


def test_request_shape(sqlite_api: Api) -> None:
    assert_error(sqlite_api.post("/api/v1/admin/import/units", "admin"), 422, "request_invalid")
    wrong = sqlite_api.post("/api/v1/admin/import/staff", "admin", files={"file": ("u.csv", b"a", "text/csv")})
    assert_error(wrong, 422, "request_invalid")
    as_text = sqlite_api.post("/api/v1/admin/import/units", "admin", data={"file": "单位代码"})
    assert_error(as_text, 422, "request_invalid")
