"""Restricted environment for BPMN scripts and conditions.

SpiffWorkflow evaluates scripts with plain ``eval``/``exec`` by default. Here
every script and condition is compiled by RestrictedPython (no imports, no
dunder access, guarded attribute/item access) and runs with an explicit
whitelist of builtins and helpers. Compiled code is cached per source text.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

ALLOWED_BUILTINS: dict[str, Any] = {
    **safe_builtins,
    "all": all,
    "any": any,
    "dict": dict,
    "enumerate": enumerate,
    "list": list,
    "max": max,
    "min": min,
    "set": set,
    "sorted": sorted,
    "sum": sum,
    "zip": zip,
    "Decimal": Decimal,
    "date": date,
    "datetime": datetime,
    "timedelta": timedelta,
}

_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
}


def _inplace(op: str, target: Any, value: Any) -> Any:
    return _INPLACE[op](target, value)


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


GUARDS: dict[str, Any] = {
    "__builtins__": ALLOWED_BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": _getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplace,
}


class ScriptRejected(Exception):
    """The script uses a construct the restricted environment forbids."""


def _compiled(result: Any) -> CodeType:
    if result.errors or result.code is None:
        raise ScriptRejected("; ".join(result.errors))
    code: CodeType = result.code
    return code


@lru_cache(maxsize=1024)
def compile_expression(source: str) -> CodeType:
    return _compiled(compile_restricted_eval(source))


@lru_cache(maxsize=1024)
def compile_script(source: str) -> CodeType:
    return _compiled(compile_restricted_exec(source))


ServiceFunction = Callable[[dict[str, Any]], Any]
"""A domain operation a BPMN service task calls by name, with evaluated parameters."""

_READS_ONLY = "onestop_reads_only"


def reads_only(function: ServiceFunction) -> ServiceFunction:
    """Mark an operation that computes without writing (a check, a lookup): a matter may be
    returned or recalled across it (see ``engine.rewind``). Unmarked operations are writes."""
    setattr(function, _READS_ONLY, True)
    return function


def is_read_only(function: ServiceFunction | None) -> bool:
    return bool(getattr(function, _READS_ONLY, False))


class UnknownService(LookupError):
    """A service task names an operation nobody registered."""


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Task data is the scope; helpers and guards are read-only globals.
    Service tasks call the functions registered in ``services`` by name."""

    def __init__(
        self, helpers: Mapping[str, Any] | None = None, services: Mapping[str, ServiceFunction] | None = None
    ) -> None:
        super().__init__({**GUARDS, **(helpers or {})})
        self.services = services if services is not None else {}

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> str:
        name = kwargs["operation_name"]
        service = self.services.get(name)
        if service is None:
            raise UnknownService(f"未注册的服务：{name}")
        params = {key: param["value"] for key, param in kwargs.get("operation_params", {}).items()}
        return json.dumps(service(params), ensure_ascii=False, default=str)

    def _scope(self, context: Mapping[str, Any], external: Mapping[str, Any] | None) -> dict[str, Any]:
        clash = set(context) & set(self.globals)
        if clash:
            raise ValueError(f"task data overwrites protected names: {sorted(clash)}")
        # value_of("x", default): read a variable that may not exist yet.
        return {**self.globals, "value_of": context.get, **(external or {}), **context}

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        code = compile_expression(expression)
        return eval(code, self._scope(context, external_context))  # restricted code only

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        code = compile_script(script)
        scope = self._scope(context, external_context)
        exec(code, scope)  # restricted code only
        hidden = set(self.globals) | set(external_context or {})
        for key, value in scope.items():
            if key not in hidden and not key.startswith("_") and not callable(value):
                context[key] = value
        for key in [k for k in context if k not in scope]:
            del context[key]
        return True


class RestrictedScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    def call_service(self, task: Any, **kwargs: Any) -> Any:
        # The library's own handler refers to an undefined name when a service
        # fails; report the failure as a task error, which becomes an incident.
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as exc:
            raise WorkflowTaskException(
                f"服务“{kwargs.get('operation_name')}”执行失败：{exc}", task=task, exception=exc
            ) from exc


def make_script_engine(
    helpers: Mapping[str, Any] | None = None, services: Mapping[str, ServiceFunction] | None = None
) -> PythonScriptEngine:
    return RestrictedScriptEngine(environment=RestrictedEnvironment(helpers, services))
