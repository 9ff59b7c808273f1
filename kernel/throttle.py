"""Counting attempts in the database, so that every API process sees the same counts.

Two uses:

* **sign-in back-off**: after ``FREE`` failed passwords an account (or a
  client address) waits ``BASE`` × 2^(failures − FREE) seconds before the
  next try is even checked, up to ``CAP``; a successful sign-in clears the
  account. Failures older than ``FORGET`` no longer count.
* **rate limits** on the public endpoints: at most ``limit`` requests per
  client address in a fixed window.

A row per (scope, key), locked while it is updated, so concurrent failures
all count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from kernel.db import Base, as_utc, locked_row, utcnow


class Throttle(Base):
    __tablename__ = "throttles"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class BackOff:
    """After ``free`` failures, wait ``base`` seconds, doubling with each failure, up to ``cap``."""

    scope: str
    free: int
    base: float
    cap: float
    forget: timedelta

    def wait_after(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.base * 2.0 ** (failures - self.free), self.cap))


ACCOUNT = BackOff("sign_in:account", free=5, base=30, cap=3600, forget=timedelta(hours=24))
ADDRESS = BackOff("sign_in:address", free=20, base=10, cap=3600, forget=timedelta(hours=1))


def _row(session: Session, scope: str, key: str, now: datetime) -> Throttle:
    """The (scope, key) row, created if missing, locked for this transaction."""
    return locked_row(session, Throttle, scope=scope, key=key, count=0, window_started_at=now)


def blocked_until(session: Session, rule: BackOff, key: str) -> datetime | None:
    """When ``key`` may try again, if it has to wait (no lock taken: a read)."""
    row = session.get(Throttle, (rule.scope, key[:100]))
    until = as_utc(row.blocked_until) if row is not None and row.blocked_until else None
    return until if until is not None and until > utcnow() else None


def fail(session: Session, rule: BackOff, key: str) -> tuple[int, datetime | None]:
    """Count one failure; the failures so far and, if it must now wait, until when."""
    now = utcnow()
    row = _row(session, rule.scope, key[:100], now)
    if now - as_utc(row.window_started_at) > rule.forget:
        row.count, row.window_started_at = 0, now
    row.count += 1
    row.window_started_at = now  # the forgetting period runs from the last failure
    wait = rule.wait_after(row.count)
    row.blocked_until = now + timedelta(seconds=wait) if wait else None
    session.flush()
    return row.count, row.blocked_until


def clear(session: Session, rule: BackOff, key: str) -> bool:
    """Forget ``key``'s failures (a good sign-in, or an administrator's unlock). Whether there were any."""
    result = session.execute(delete(Throttle).where(Throttle.scope == rule.scope, Throttle.key == key[:100]))
    return bool(getattr(result, "rowcount", 0))


def spend(session: Session, scope: str, key: str, *, limit: int, window: timedelta) -> int | None:
    """Count one request of ``key`` in the current window; the seconds to wait if over ``limit``."""
    now = utcnow()
    row = _row(session, scope, key[:100], now)
    started = as_utc(row.window_started_at)
    if now - started >= window:
        row.count, row.window_started_at, started = 0, now, now
    row.count += 1
    session.flush()
    if row.count <= limit:
        return None
    return max(1, math.ceil((started + window - now).total_seconds()))


def forget_stale(session: Session, *, idle: timedelta = timedelta(days=2)) -> int:
    """Remove rows that block nobody and saw no attempt for ``idle`` (sprayed usernames,
    addresses long gone); how many."""
    cutoff = utcnow() - idle
    result = session.execute(
        delete(Throttle).where(
            Throttle.window_started_at < cutoff, (Throttle.blocked_until.is_(None)) | (Throttle.blocked_until < cutoff)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
