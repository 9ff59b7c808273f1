"""Sample facts for every document kind, from the forms' example fillings.

``onestop documents sample`` issues these for template work and checks; a
sample carries the number 0 of its series (``示编〔2026〕0号``), which real
issuance never gives (series start at 1), and is not recorded anywhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from forms import FormRegistry
from kernel.calendar import add_years

# The demo register's first unit, as it stands there (name and code pass the platform's own checks).
SAMPLE_UNIT = {"unit_name": "示范市数据资源服务中心", "credit_code": "12141002MB1234562N", "unit_code": "demo-unit-001"}
# What the demo's code block gives the first new 事业单位: a new institution has a code of its own.
NEW_INSTITUTION_CODE = "12141002MB1234570H"


def _example(forms: FormRegistry, form_key: str) -> dict[str, Any]:
    form = forms.get(form_key)
    assert form is not None, form_key
    return dict(form.schema["examples"][0])


def sample_facts(kind: str, today: date, forms: FormRegistry) -> dict[str, Any]:
    """``forms``: the shared and the matters' forms (``processes.catalogue.load().forms()``)."""
    matter = {"instance_id": "sample", "process_key": "sample", "title": "样本", **SAMPLE_UNIT}
    if kind in ("institution_approval", "legal_person_certificate"):
        app = _example(forms, "institution_setup_application")
        return {
            "matter": matter,
            "application": app,
            "unit": {"code": "U20260001", "name": app["name"]},
            "credit_code": {"code": NEW_INSTITUTION_CODE},
        }
    if kind == "credit_code_notice":
        return {
            "matter": matter,
            "application": {"action": "new", "approval_doc_no": "示编〔2026〕21号"},
            "credit_code": {"done": True, "code": "12141002MB1234562N"},
        }
    if kind == "domain_confirmation":
        app = _example(forms, "domain_name_application")
        full = f"{app['name']}{app['suffix']}"
        domain = {
            "done": True,
            "action": "register",
            "name": full,
            "registered_on": today.isoformat(),
            "expires_on": add_years(today, 1).isoformat(),
        }
        return {"matter": matter, "application": app, "domain": domain}
    if kind in ("staff_quota_notice", "staff_entry_notice"):
        app = _example(forms, "staff_entry_application")
        persons = app["persons"]
        return {
            "matter": matter,
            "application": app,
            "reservation": {"reserved": True, "number": f"{today.year}-0001", "places": len(persons)},
            "entry": {
                "placed": [{"name": p["name"], "id_number": p["id_number"]} for p in persons],
                "notice": f"{today.year}-0001",
                "est_type": app["est_type"],
            },
        }
    if kind == "staff_exit_notice":
        app = _example(forms, "staff_exit_application")
        return {
            "matter": matter,
            "application": app,
            "exit": {
                "name": app["name"],
                "est_type": "事业编制（全额拨款）",
                "exit_date": app["exit_date"],
                "reason": app["reason"],
            },
        }
    raise LookupError(f"没有文书种类“{kind}”")
