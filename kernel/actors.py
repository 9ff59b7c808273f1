"""Who is acting: the identity every service receives and scopes its queries by."""

from __future__ import annotations

from dataclasses import dataclass, field

APPLICANT = "applicant"
APPROVER = "approver"
ARCHIVIST = "archivist"
ADMIN = "admin"
ROLES = frozenset({APPLICANT, APPROVER, ARCHIVIST, ADMIN})

# The department code of tasks that the applicant unit performs itself.
APPLICANT_DEPARTMENT = "applicant"
# The department and role of a step another unit decides on a matter (调出单位同意调出). Not a
# department or role an account holds: any clerk of the unit the step names may act on it.
UNIT_DEPARTMENT = UNIT_ROLE = "unit"
# The tasks units' clerks do (the matter's own unit, or the unit a step names), not a department's staff.
UNITS_DEPARTMENTS = (APPLICANT_DEPARTMENT, UNIT_DEPARTMENT)


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    departments: frozenset[str] = field(default_factory=frozenset)
    unit_code: str | None = None

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def is_applicant(self) -> bool:
        return APPLICANT in self.roles and self.unit_code is not None

    def summary(self) -> dict[str, object]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "roles": sorted(self.roles),
            "departments": sorted(self.departments),
            "unit_code": self.unit_code,
        }

    def can_act_for(self, department: str, role: str) -> bool:
        """May this actor work on a task of ``department`` requiring ``role``?"""
        if department in UNITS_DEPARTMENTS:
            return self.is_applicant
        return role in self.roles and department in self.departments


SYSTEM = Actor(user_id=0, username="system", display_name="系统", roles=frozenset({ADMIN}))
