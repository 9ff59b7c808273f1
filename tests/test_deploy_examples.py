"""The production examples stay true: every setting documented and in the env example,
the Procfile's commands are real ``onestop`` commands, the import headers are the importer's."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import yaml

from onestop.cli import build_parser
from onestop.settings import Settings
from registry.import_persons import PERSON_COLUMNS
from registry.import_units import QUOTA_COLUMNS, UNIT_COLUMNS

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
README = (REPO / "README.md").read_text("utf-8")
PRODUCTION = README[README.index("## Production") : README.index("## How a step is kept cheap and safe")]


def _variables() -> set[str]:
    return {str(field.alias) for field in Settings.model_fields.values() if field.alias}


def test_every_setting_is_in_the_env_example_and_the_production_walkthrough() -> None:
    example = (DEPLOY / "onestop.env.example").read_text("utf-8")
    named = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert named == _variables()
    documented = set(re.findall(r"[A-Z][A-Z0-9_]{4,}", PRODUCTION.replace("…_", "ONESTOP_ARCHIVE_S3_")))
    assert _variables() <= documented


def test_the_procfile_runs_real_commands() -> None:
    parser = build_parser()
    for line in (DEPLOY / "Procfile").read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        _name, command = line.split(":", 1)
        words = shlex.split(os.path.expandvars(re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", command)))
        assert words[0] == "onestop"
        parser.parse_args(words[1:])  # exits on an unknown command or option


def test_the_systemd_units_run_real_commands() -> None:
    parser = build_parser()
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for line in unit.read_text("utf-8").splitlines():
            if line.startswith(("ExecStart=", "ExecStartPre=")):
                words = shlex.split(line.split("=", 1)[1])
                assert words[0].endswith("/onestop")
                parser.parse_args(words[1:])


def test_the_compose_file_makes_the_bucket_the_env_example_names() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    assert {"postgres", "rabbitmq", "minio", "minio-bucket"} <= set(compose["services"])
    bucket = re.search(r"^ONESTOP_ARCHIVE_S3_BUCKET=(\S+)", (DEPLOY / "onestop.env.example").read_text("utf-8"), re.M)
    assert bucket and f"--with-lock archive/{bucket.group(1)}" in compose["services"]["minio-bucket"]["entrypoint"]


def test_the_import_headers_in_the_readme_are_the_importers() -> None:
    for kind, columns in (("units", UNIT_COLUMNS), ("quotas", QUOTA_COLUMNS), ("persons", PERSON_COLUMNS)):
        row = re.search(rf"^\s*\| {kind} \| (.+) \|$", PRODUCTION, flags=re.MULTILINE)
        assert row, kind
        cells = re.sub(r" \(or [^)]*\)", "", row.group(1)).split(", ")
        assert [cell.rstrip("*") for cell in cells] == [c.header for c in columns], kind
        assert [cell.rstrip("*") for cell in cells if cell.endswith("*")] == [c.header for c in columns if c.required]
