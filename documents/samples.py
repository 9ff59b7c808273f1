"""Sample facts for every document kind, from the forms' example fillings.

``onestop documents sample`` issues these for template work and checks; a
sample carries the number 0 of its series (``示编〔2026〕0号``), which real
issuance never gives (series start at 1), and is not recorded anywhere. Each
kind's own facts come from its matter's manifest (``DocumentKind.sample``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from forms import FormRegistry

# The demo register's first unit, as it stands there (name and code pass the platform's own checks).
SAMPLE_UNIT = {"unit_name": "示范市数据资源服务中心", "credit_code": "12141002MB1234562N", "unit_code": "demo-unit-001"}


def example(forms: FormRegistry, form_key: str) -> dict[str, Any]:
    """A form's first example filling."""
    form = forms.get(form_key)
    if form is None:
        raise LookupError(f"没有表单“{form_key}”")
    return dict(form.schema["examples"][0])


def sample_facts(kind: DocumentKind, today: date, forms: FormRegistry) -> dict[str, Any]:
    """``forms``: the shared and the matters' forms (``processes.catalogue.load().forms()``)."""
    if kind.sample is None:
        raise LookupError(f"文书种类“{kind.key}”没有样本")
    matter = {"instance_id": "sample", "process_key": "sample", "title": "样本", **SAMPLE_UNIT}
    return {"matter": matter, **kind.sample(today, forms)}
