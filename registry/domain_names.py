"""Chinese domain names of public bodies (政务和公益机构域名, ``.政务`` / ``.公益``).

The rules are pure functions on a unit and a request; the service task
(``domain.register``) and the submission check only add the register: the
matter's unit and who holds a name now.

- ``.政务`` is for 党政群机关 (units of kind 机关 and the 群团机关 kept as
  群众团体) and for 事业单位 that exercise administrative functions;
  ``.公益`` is for 事业单位 and 群众团体 (non-profits). A 机关 takes ``.政务``.
- The name is the unit's approved full name or its standard short name; on a
  clash the higher-level region's name is prefixed (临汾市…, then 山西省…).
- A unit registers only once it has its 统一社会信用代码.
- A registration runs one year (to the day before the same date next year);
  renewal adds a year to the unit's own name while it is in force.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import step_context
from forms.identifiers import region_name
from kernel import clock
from kernel.actors import Actor
from kernel.calendar import add_years
from registry.models import DomainName, Unit
from registry.reservations import lock_unit

GOV = ".政务"
NONPROFIT = ".公益"
SUFFIXES = (GOV, NONPROFIT)
MAX_LENGTH = 100  # DomainName.name
ACTIONS = {"register": "注册", "renew": "续费"}

HolderOf = Callable[[str], int | None]
"""The id of the unit holding a domain name in force, or None when it is free."""


@dataclass(frozen=True)
class Problem:
    """A refusal with the form field it belongs to (JSON pointer, Chinese title)."""

    path: str
    field: str
    message: str

    def as_error(self) -> dict[str, str]:
        return {"path": self.path, "field": self.field, "code": "register", "message": self.message}


@dataclass(frozen=True)
class DomainRequest:
    action: str
    stem: str  # the name before the suffix, canonical
    suffix: str
    administrative_functions: bool = False

    @property
    def full(self) -> str:
        return self.stem + self.suffix

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DomainRequest:
        return cls(
            action=str(data.get("action") or "register"),
            stem=canonical(str(data.get("name") or "")),
            suffix=str(data.get("suffix") or ""),
            administrative_functions=bool(data.get("administrative_functions")),
        )


def canonical(text: str) -> str:
    """NFKC (full-width letters and digits) without white space, as names are compared and stored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --- eligibility -------------------------------------------------------------------------------


def eligibility(kind: str, suffix: str, administrative_functions: bool = False) -> str | None:
    """None when a unit of ``kind`` may register under ``suffix``, else the Chinese reason."""
    if suffix == GOV:
        if kind in ("机关", "群众团体"):
            return None
        if kind == "事业单位":
            if administrative_functions:
                return None
            return "“.政务”域名限于党政群机关和承担行政职能的事业单位；本单位未承担行政职能，请注册“.公益”域名"
    elif suffix == NONPROFIT:
        if kind in ("事业单位", "群众团体"):
            return None
        if kind == "机关":
            return "“.公益”域名适用于事业单位和群众团体等非营利性机构，机关请注册“.政务”域名"
    else:
        return "域名后缀应为“.政务”或“.公益”"
    return f"{kind or '本单位'}不能注册“{suffix}”域名"


# --- the name rule -----------------------------------------------------------------------------


def _usable_region(code: str, own: str) -> str | None:
    if code == own:
        return None
    name = region_name(code)
    if name is None or name in ("市辖区", "县") or "直辖" in name:
        return None
    return name


def region_prefixes(region_code: str) -> list[str]:
    """Names of the higher-level regions, nearest first: 141002 -> 临汾市, 山西省."""
    if len(region_code) != 6 or not region_code.isdigit():
        return []
    names: list[str] = []
    for code in (region_code[:4] + "00", region_code[:2] + "0000"):
        name = _usable_region(code, region_code)
        if name is not None and name not in names:
            names.append(name)
    return names


def base_names(unit: Unit) -> list[str]:
    """The approved full name and the standard short name (if any)."""
    names = [canonical(unit.name)]
    short = canonical(unit.short_name or "")
    if short and short not in names:
        names.append(short)
    return names


def allowed_stems(unit: Unit) -> list[str]:
    """Full name, short name, and each prefixed with a higher-level region (for clashes)."""
    bases = base_names(unit)
    prefixed = [p + b for p in region_prefixes(unit.region_code) for b in bases if not b.startswith(p)]
    return bases + prefixed


def name_allowed(unit: Unit, stem: str) -> bool:
    return canonical(stem) in allowed_stems(unit)


def name_rule_message(unit: Unit) -> str:
    short = canonical(unit.short_name or "")
    names = f"全称“{canonical(unit.name)}”" + (f"或规范简称“{short}”" if short else "")
    return f"域名应使用本单位经批准的{names}（重名时可冠以上级行政区划名称）"


def suggestion(unit: Unit, stem: str, suffix: str, holder_of: HolderOf) -> str | None:
    """A free name one region level above ``stem`` (which is taken), or None."""
    prefixes = region_prefixes(unit.region_code)
    bases = base_names(unit)
    level, base = -1, stem
    for i, prefix in enumerate(prefixes):
        if stem.startswith(prefix) and stem[len(prefix) :] in bases:
            level, base = i, stem[len(prefix) :]
    for prefix in prefixes[level + 1 :]:
        if base.startswith(prefix):
            continue
        candidate = prefix + base + suffix
        if holder_of(candidate) is None and len(candidate) <= MAX_LENGTH:
            return candidate
    return None


def clash_message(taken: str, suggested: str | None) -> str:
    if suggested is None:
        return f"域名“{taken}”已被其他单位注册，冠以上级行政区划名称的域名也已被注册，请与编办联系"
    return f"域名“{taken}”已被其他单位注册。重名时可在名称前冠以上级行政区划名称，如“{suggested}”"


# --- validity ----------------------------------------------------------------------------------


def period_end(start: date, years: int = 1) -> date:
    """Last day of a registration starting on ``start``: 2026-03-10 -> 2027-03-09, 2024-02-29 -> 2025-02-28."""
    return add_years(start, years) - timedelta(days=1)


def renewed_until(expires_on: date) -> date:
    """The new expiry after one annual renewal: the next year follows on from the current one."""
    return period_end(expires_on + timedelta(days=1))


def in_force(domain: DomainName, today: date) -> bool:
    return domain.status == "active" and domain.expires_on >= today


# --- the whole check ---------------------------------------------------------------------------


def check_request(unit: Unit, request: DomainRequest, holder_of: HolderOf) -> list[Problem]:
    """Every reason to refuse ``request`` by ``unit``; empty when it may go ahead."""
    if request.action == "renew":
        holder = holder_of(request.full)
        if holder == unit.id:
            return []
        if holder is None:
            message = f"本单位没有有效的域名“{request.full}”；续费只能办理本单位已注册且在有效期内的域名"
        else:
            message = f"域名“{request.full}”不属于本单位，不能续费"
        return [Problem("/name", "域名", message)]
    if request.action != "register":
        return [Problem("/action", "办理事项", "办理事项应为注册或续费")]
    problems = []
    if not unit.credit_code:
        problems.append(Problem("", "申请单位", "本单位尚未取得统一社会信用代码，请先办理赋码，再申请域名"))
    refusal = eligibility(unit.kind, request.suffix, request.administrative_functions)
    if refusal is not None:
        problems.append(Problem("/suffix", "域名后缀", refusal))
    if not name_allowed(unit, request.stem):
        problems.append(Problem("/name", "域名", name_rule_message(unit)))
        return problems
    holder = holder_of(request.full)
    if holder == unit.id:
        problems.append(Problem("/name", "域名", f"本单位已注册域名“{request.full}”，如需延续有效期请选择“续费”"))
    elif holder is not None:
        suggested = suggestion(unit, request.stem, request.suffix, holder_of)
        problems.append(Problem("/name", "域名", clash_message(request.full, suggested)))
    elif len(request.full) > MAX_LENGTH:
        problems.append(Problem("/name", "域名", f"域名不能超过{MAX_LENGTH}个字符"))
    return problems


def holders(session: Session, today: date) -> HolderOf:
    def holder_of(name: str) -> int | None:
        domain = session.get(DomainName, name)
        return domain.unit_id if domain is not None and in_force(domain, today) else None

    return holder_of


# --- submission check --------------------------------------------------------------------------


def check_application(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    unit = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first()
    if unit is None:
        return [Problem("", "申请单位", "机构编制台账中没有本单位，请先办理机构设立").as_error()]
    request = DomainRequest.from_data(data)
    problems = check_request(unit, request, holders(session, clock.today()))
    if request.action == "register" and not str(data.get("approval_doc_no") or "").strip():
        problems.append(Problem("/approval_doc_no", "设立批准文号", "注册域名须填写本单位设立的批准文号"))
    return [p.as_error() for p in problems]


# --- service task ------------------------------------------------------------------------------


def _matter_unit(session: Session) -> Unit:
    code = step_context.current().instance.unit_code
    unit = session.scalars(select(Unit.id).where(Unit.code == code)).first()
    if unit is None:
        raise LookupError(f"机构编制台账中没有单位“{code}”")
    return lock_unit(session, unit)


def register(params: dict[str, Any]) -> dict[str, Any]:
    """注册 or 续费 after 编办 approval; the rules are checked again as the register is now."""
    session = step_context.current().session
    return register_for(session, _matter_unit(session), DomainRequest.from_data(params))


def register_for(session: Session, unit: Unit, request: DomainRequest) -> dict[str, Any]:
    """Register or renew ``request`` for ``unit``, or say why not (``done`` false)."""
    today = clock.today()
    # Lock the name's row (if any) first: the check and the write see the same holder.
    current = session.get(DomainName, request.full, with_for_update=True, populate_existing=True)
    holder_of = holders(session, today)
    problems = check_request(unit, request, holder_of)
    if problems:
        return {"done": False, "action": request.action, "name": request.full, "message": problems[0].message}
    if request.action == "renew":
        assert current is not None  # check_request found it in force
        current.expires_on = renewed_until(current.expires_on)
        return _result(current, "renew", f"域名“{current.name}”已续费，有效期延至{current.expires_on.isoformat()}")
    expires = period_end(today)
    if current is not None:  # a lapsed or cancelled registration frees the name
        current.unit_id, current.status, current.registered_on, current.expires_on = unit.id, "active", today, expires
        domain = current
    else:
        domain = DomainName(
            name=request.full, unit_id=unit.id, status="active", registered_on=today, expires_on=expires
        )
        try:
            with session.begin_nested():
                session.add(domain)
        except IntegrityError:  # registered by another matter a moment ago
            suggested = suggestion(unit, request.stem, request.suffix, holder_of)
            return {
                "done": False,
                "action": "register",
                "name": request.full,
                "message": clash_message(request.full, suggested),
            }
    return _result(domain, "register", f"已注册域名“{domain.name}”，有效期至{domain.expires_on.isoformat()}")


def _result(domain: DomainName, action: str, message: str) -> dict[str, Any]:
    return {
        "done": True,
        "action": action,
        "name": domain.name,
        "registered_on": domain.registered_on.isoformat(),
        "expires_on": domain.expires_on.isoformat(),
        "message": message,
    }


SERVICES = {"domain.register": register}
FORM_CHECKS = {"domain_name_application": check_application}
