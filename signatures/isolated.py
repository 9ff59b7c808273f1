"""Verifying a file from anyone, in a separate process with a time and memory limit.

The public verification endpoints take files from people who are not logged
in. Even within ``pdf_shape``'s caps a crafted file may find a slow path in
the PDF or ASN.1 parsers; here it can cost at most ``SECONDS`` of one
checking process and ``MEMORY_BYTES`` of its memory. A process that runs
over is killed and replaced (Pebble's pool), and the caller gets a 422 with
the reason, while the API process itself never parses the file.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from pebble import ProcessExpired, ProcessPool

from kernel.errors import ValidationFailed
from signatures.verification import VerificationReport, verify_pdf

SECONDS = 10.0
MEMORY_BYTES = 1 << 30
WORKERS = 2

T = TypeVar("T")

_pool: ProcessPool | None = None
_pool_lock = threading.Lock()


def verify_untrusted(pdf: bytes, trust_roots: list[asn1_x509.Certificate]) -> VerificationReport:
    """``verify_pdf`` in a checking process; a ``DomainError`` it raises reaches the caller.
    The moment of validation is this process's now, so the check runs on the caller's clock."""
    roots = tuple(cert.dump() for cert in trust_roots)
    return run_bounded(_verify_in_child, (pdf, roots, datetime.now(UTC)), seconds=SECONDS)


def run_bounded(function: Callable[..., T], args: tuple[Any, ...], *, seconds: float) -> T:
    """``function(*args)`` in a checking process, killed after ``seconds``."""
    future = _checking_pool().schedule(function, args=args, timeout=seconds)
    try:
        result: T = future.result()
    except FutureTimeout:
        raise ValidationFailed(
            "verification_timeout", f"文件结构过于复杂，{seconds:g} 秒内未能完成验证，不予验证"
        ) from None
    except ProcessExpired:
        raise ValidationFailed("verification_aborted", "验证该文件所需资源超出限制，不予验证") from None
    return result


def _checking_pool() -> ProcessPool:
    global _pool
    with _pool_lock:
        if _pool is None or not _pool.active:
            if _pool is None:
                _before_threads_are_joined(stop_checking_pool)
            _pool = ProcessPool(
                max_workers=WORKERS, initializer=_limit_memory, context=multiprocessing.get_context("spawn")
            )
        return _pool


def stop_checking_pool() -> None:
    """End the checking processes (a process that ends, or a test session)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.stop()  # type: ignore[no-untyped-call]
            _pool.join(timeout=10)
            _pool = None


def _before_threads_are_joined(stop: Callable[[], None]) -> None:
    """Pebble's pool threads are not daemons: at exit the interpreter waits for them before it
    runs ``atexit`` handlers, so a pool stopped from ``atexit`` would keep the process alive
    for ever. ``concurrent.futures`` registers its own shutdown the same way."""
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        register(stop)
    else:  # pragma: no cover - every CPython this project supports has it
        atexit.register(stop)


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on Linux: the time limit still holds
        return
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


@lru_cache(maxsize=4)
def _roots(der: tuple[bytes, ...]) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(item) for item in der]


def _verify_in_child(pdf: bytes, roots: tuple[bytes, ...], moment: datetime) -> VerificationReport:
    return verify_pdf(pdf, _roots(roots), moment)
