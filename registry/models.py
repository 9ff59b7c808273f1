"""Tables of the establishment register (机构编制实名制)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, utcnow


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # the unit code accounts and matters carry
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(6))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    funding_form: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Quota(Base):
    """Approved establishment of a unit for one establishment type."""

    __tablename__ = "quotas"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    est_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    approved: Mapped[int] = mapped_column(Integer)


class LeadershipQuota(Base):
    """Approved leadership posts (领导职数) of a unit by level."""

    __tablename__ = "leadership_quotas"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    approved: Mapped[int] = mapped_column(Integer)


class RegionTotal(Base):
    """A region's 编制总量 of one type, as the level above approved it, and the part of it the region
    keeps in its 周转池 (places lent to units for a limited time). The approved places of the
    region's units plus the pool never exceed the total."""

    __tablename__ = "region_totals"

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    est_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)
    pool: Mapped[int] = mapped_column(Integer, default=0)
    basis: Mapped[str] = mapped_column(String(100))  # the approving document's 文号
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PoolLoan(Base):
    """Places of a region's 周转池 lent to one unit until ``due_on``; they count as the unit's
    approved places while ``lent`` and go back to the pool when ``returned``."""

    __tablename__ = "pool_loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    est_type: Mapped[str] = mapped_column(String(30))
    places: Mapped[int] = mapped_column(Integer)
    lent_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="lent")  # lent, returned
    returned_on: Mapped[date | None] = mapped_column(Date)
    overdue_told_on: Mapped[date | None] = mapped_column(Date)  # the unit and 编办 told it fell due
    due_soon_told_on: Mapped[date | None] = mapped_column(Date)  # told ahead that it falls due soon
    instance_id: Mapped[str | None] = mapped_column(String(36))


class LegalPerson(Base):
    """事业单位法人登记: the items the registry (登记管理局) records for a 事业单位 and its 法人证书 states."""

    __tablename__ = "legal_persons"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    representative: Mapped[str] = mapped_column(String(30))  # 法定代表人
    representative_id: Mapped[str] = mapped_column(String(18))
    address: Mapped[str] = mapped_column(String(200))  # 住所
    purpose: Mapped[str] = mapped_column(String(2000))  # 宗旨和业务范围
    start_fund: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # 开办资金（万元）
    sponsor: Mapped[str] = mapped_column(String(200))  # 举办单位
    registered_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)  # the certificate's validity (five years)
    status: Mapped[str] = mapped_column(String(12), default="registered", server_default="registered")
    cancelled_on: Mapped[date | None] = mapped_column(Date)  # 注销登记
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Person(Base):
    """The real-name record of one person; ``status`` 在编 holds one place (一人一编)."""

    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_place", "unit_id", "est_type", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(20), default="")
    native_place: Mapped[str] = mapped_column(String(50), default="")
    political_status: Mapped[str] = mapped_column(String(20), default="")
    work_start_date: Mapped[date | None] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    internal_unit: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(10), default="非领导")
    est_type: Mapped[str] = mapped_column(String(30))
    entry_form: Mapped[str] = mapped_column(String(10), default="")
    entry_date: Mapped[date | None] = mapped_column(Date)
    entry_doc_no: Mapped[str] = mapped_column(String(60), default="")
    notice_no: Mapped[str] = mapped_column(String(60), default="")
    post_category: Mapped[str] = mapped_column(String(10), default="")
    rank: Mapped[str] = mapped_column(String(50), default="")
    education: Mapped[str] = mapped_column(String(50), default="")
    title: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(10), default="在编")
    exit_date: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str] = mapped_column(String(20), default="")
    exit_doc_no: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PersonHistory(Base):
    """What happened to a person's place: 入编, 出编, 调整, 导入."""

    __tablename__ = "person_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    est_type: Mapped[str] = mapped_column(String(30))
    on: Mapped[date] = mapped_column(Date)
    doc_no: Mapped[str] = mapped_column(String(60), default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reservation(Base):
    """An issued 核准使用编制通知单: places of one type (and the leadership posts
    among them) held for one matter until it ends.

    A notice ends exactly once (DOMAIN.md): ``used`` by a 入编, ``released``
    when its matter ends without the hire, or ``expired`` after its validity.
    Only ``issued`` notices hold places: reserved = places − used of those.
    """

    __tablename__ = "reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    est_type: Mapped[str] = mapped_column(String(30))
    places: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)
    principal_posts: Mapped[int] = mapped_column(Integer, default=0)  # 领导正职 among the places
    deputy_posts: Mapped[int] = mapped_column(Integer, default=0)  # 领导副职 among the places
    status: Mapped[str] = mapped_column(String(12), default="issued")  # issued, used, released, expired
    # hire: held for the 入编 of its matter; plan: held for a 用编计划, used by later 入编 (outlives its matter)
    purpose: Mapped[str] = mapped_column(String(10), default="hire", server_default="hire")
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(100), default="")


class CodeBlock(Base):
    """A block of organization-code bodies (号段) assigned to this registering office.

    Several blocks may share a prefix (号段 come in pieces); ``registry.code_blocks``
    refuses one whose range overlaps another's.
    """

    __tablename__ = "code_blocks"
    __table_args__ = (Index("ix_code_blocks_series", "authority", "category", "region_code", "prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority: Mapped[str] = mapped_column(String(1))
    category: Mapped[str] = mapped_column(String(1))
    region_code: Mapped[str] = mapped_column(String(6))
    prefix: Mapped[str] = mapped_column(String(2))
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    next_seq: Mapped[int] = mapped_column(Integer)


class IssuedCode(Base):
    __tablename__ = "issued_codes"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("code_blocks.id"))
    seq: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(12), default="active")  # active, cancelled
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DomainName(Base):
    __tablename__ = "domain_names"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(12), default="active")
    registered_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)


class UnitEvent(Base):
    """A change of a unit's standing (赋码, 名称变更, 注销), with the document it rests on.

    ``basis_source`` is ``platform`` when the 文号 is a 批复 this platform issued,
    ``external`` when 编办 recorded another authority's 文号 with its scanned file
    (``basis_sha256``, kept with the matter's attachments).
    """

    __tablename__ = "unit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    event: Mapped[str] = mapped_column(String(20))
    before: Mapped[str] = mapped_column(String(200), default="")
    after: Mapped[str] = mapped_column(String(200), default="")
    basis_doc_no: Mapped[str] = mapped_column(String(60), default="")
    basis_source: Mapped[str] = mapped_column(String(10), default="")
    basis_file: Mapped[str] = mapped_column(String(200), default="")
    basis_sha256: Mapped[str] = mapped_column(String(64), default="")
    instance_id: Mapped[str | None] = mapped_column(String(36))
    on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Publication(Base):
    """A notice on the public board (公示), one per matter: the facts it makes public."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), unique=True)
    process_key: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(String(64), index=True)
    unit_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    facts: Mapped[list[Any]] = mapped_column(JSON)  # [[label, value], ...] as published
    published_on: Mapped[date] = mapped_column(Date, index=True)
    until: Mapped[date | None] = mapped_column(Date)  # last day on show; None: kept on show
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffList(Base):
    """A month's list from 财政 (工资统发名单, ``payroll``) or 人社 (人员名册, ``hr``), as imported."""

    __tablename__ = "staff_lists"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffListRow(Base):
    """One person on a list, at the unit that pays (or employs) them."""

    __tablename__ = "staff_list_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("staff_lists.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # 应发工资（元）


class ReconciliationRun(Base):
    """One 人编经费比对 of a month: the lists compared and the findings' counts by kind."""

    __tablename__ = "reconciliation_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    payroll_list_id: Mapped[int] = mapped_column(ForeignKey("staff_lists.id"))
    hr_list_id: Mapped[int | None] = mapped_column(ForeignKey("staff_lists.id"))
    run_by: Mapped[str] = mapped_column(String(100))
    run_on: Mapped[date] = mapped_column(Date)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Finding(Base):
    """A difference the comparison found at a unit (a person's, or the unit's count), and its 整改."""

    __tablename__ = "reconciliation_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_runs.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(18), default="")
    name: Mapped[str] = mapped_column(String(50), default="")
    detail: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, rectifying, resolved
    instance_id: Mapped[str | None] = mapped_column(String(36))  # the 整改 matter
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str] = mapped_column(String(1000), default="")
