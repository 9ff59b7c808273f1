"""The register's closed vocabularies (values as the offices write them)."""

from __future__ import annotations

from enum import StrEnum

UNIT_KINDS = ("机关", "事业单位", "群众团体")
FUNDING_FORMS = ("财政拨款", "全额拨款", "差额拨款", "自收自支")
EST_TYPES = (
    "行政编制",
    "政法专项编制",
    "机关工勤编制",
    "事业编制（全额拨款）",
    "事业编制（差额拨款）",
    "事业编制（自收自支）",
    "事业工勤编制",
)


class UnitStatus(StrEnum):
    """A unit in the register: in business, frozen (on the negative list: no new matters), or cancelled."""

    ACTIVE = "active"
    FROZEN = "frozen"
    CANCELLED = "cancelled"


UNIT_STATUSES: dict[str, str] = {
    UnitStatus.ACTIVE: "正常",
    UnitStatus.FROZEN: "冻结（负面清单）",
    UnitStatus.CANCELLED: "已撤销",
}
PERSON_CATEGORIES = ("领导正职", "领导副职", "非领导")
POST_CATEGORIES = ("管理", "专技", "工勤")
ENTRY_FORMS = ("考录", "调入", "招聘", "军转", "遴选", "选调", "其他")
EXIT_REASONS = ("调出", "离休", "退休", "在职死亡", "辞职", "辞退/开除", "解聘")
SEXES = ("男", "女")
LEADERSHIP_LEVELS = ("正职", "副职")
