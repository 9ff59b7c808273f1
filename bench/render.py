"""Turning the results dict into ratios, tables and the summary block."""

from __future__ import annotations

from bench.report import Json, fmt_ms, fmt_ratio, ratio, table, verdict

MODES = ("warm", "cold")
# The targets: (c) >= 2x faster than (b) from 50 user tasks; HTTP completions >= 50% of /auth/me.
STEP_TARGET, STEP_TARGET_FROM, HTTP_TARGET = 2.0, 50, 0.5
RSS_TARGET_MB, STATEMENTS_TARGET = 200, 5


def _tasks(results: Json, label: str) -> int:
    return int(results["meta"]["workloads"][label]["user_tasks"])


def _targeted(results: Json, label: str) -> bool:
    return label.startswith("linear_") and _tasks(results, label) >= STEP_TARGET_FROM


def ratios(results: Json) -> Json:
    """(b)/(c) per backend, workload and cache mode, on medians (judged) and means (for information)."""
    out: Json = {}
    for backend, naive in results["naive"].items():
        service = results["service"].get(backend, {})
        for label, b in naive.items():
            entry: Json = {"target": STEP_TARGET if _targeted(results, label) else None}
            for mode in MODES:
                c = service.get(mode, {}).get(label)
                if c is None:
                    continue
                median = ratio(b["median_ms"], c["median_ms"])
                judged = entry["target"] is not None and median is not None
                entry[mode] = {
                    "median_ratio": _round(median),
                    "mean_ratio": _round(ratio(b["mean_ms"], c["mean_ms"])),
                    "pass": median >= STEP_TARGET if judged and median is not None else None,
                }
            out.setdefault(backend, {})[label] = entry
    for backend, http in results["http"].items():
        share = ratio(http["complete_per_s"], http["me_per_s"])
        out.setdefault(backend, {})["http"] = {
            "complete_vs_me": _round(share),
            "pass": None if share is None else share >= HTTP_TARGET,
        }
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _stats_cells(s: Json) -> list[str]:
    return [str(s["steps"]), fmt_ms(s["median_ms"]), fmt_ms(s["p90_ms"]), fmt_ms(s["mean_ms"])]


def section_a(results: Json) -> str:
    rows = [
        [label, str(_tasks(results, label)), str(s["instances"]), *_stats_cells(s)]
        for label, s in results["in_memory"].items()
    ]
    return table(
        "(a) In-memory SpiffWorkflow step (the floor), ms per step",
        ["workload", "user tasks", "instances", "steps", "median", "p90", "mean"],
        rows,
    )


def section_b(results: Json) -> str:
    rows = []
    for backend, naive in results["naive"].items():
        for label, s in naive.items():
            floor = results["in_memory"][label]["median_ms"]
            rows.append(
                [
                    label,
                    backend,
                    *_stats_cells(s),
                    f"{s['max_blob_bytes'] / 1024:.0f}",
                    fmt_ratio(ratio(s["median_ms"], floor)),
                ]
            )
    return table(
        "(b) Naive persisted step (blob + embedded spec, deserialize/serialize/UPDATE/commit), ms",
        ["workload", "backend", "steps", "median", "p90", "mean", "blob KiB", "vs (a)"],
        rows,
    )


def section_c(results: Json) -> str:
    rows = []
    for backend, service in results["service"].items():
        for label in service["warm"]:
            for mode in MODES:
                s = service[mode].get(label)
                if s is not None:
                    floor = ratio(s["median_ms"], results["in_memory"][label]["median_ms"])
                    statements = s.get("statements_per_step")
                    rows.append([label, backend, mode, *_stats_cells(s), fmt_ratio(floor), f"{statements or 0:.1f}"])
    return table(
        "(c) engine.services.complete, ms per call (warm: workflow cache; cold: cache size 0); statements per "
        f"call, besides the driver's BEGIN and COMMIT (target: {STATEMENTS_TARGET} round trips in all)",
        ["workload", "backend", "cache", "steps", "median", "p90", "mean", "vs (a)", "statements"],
        rows,
    )


def section_ratios(results: Json) -> str:
    rows = []
    for backend, per_label in results["ratios"].items():
        for label, entry in per_label.items():
            if label == "http":
                continue
            cells = [label, backend, fmt_ms(results["naive"][backend][label]["median_ms"])]
            for mode in MODES:
                r = entry.get(mode, {})
                cells += [
                    fmt_ms(results["service"][backend][mode][label]["median_ms"]),
                    fmt_ratio(r.get("median_ratio")),
                    verdict(r.get("pass")) or "n/a",
                    fmt_ratio(r.get("mean_ratio")),
                ]
            rows.append(cells)
    return table(
        f"Ratio (b)/(c) on medians; target >= {STEP_TARGET:.0f}x from {STEP_TARGET_FROM} user tasks "
        "(mean ratio for information)",
        ["workload", "backend", "(b) med", "warm med", "ratio", "", "mean", "cold med", "ratio", "", "mean"],
        rows,
    )


def section_d(results: Json) -> str:
    rows = []
    for backend, h in results["http"].items():
        r = results["ratios"][backend]["http"]
        errors = sum(h["complete_errors"].values()) + sum(h["me_errors"].values())
        locks = h.get("locks") or {}
        rows.append(
            [
                backend,
                str(h.get("api_workers", 2)),
                str(h["instances"]),
                str(h["completions"]),
                f"{h['complete_per_s']:.1f}",
                f"{h['me_per_s']:.1f}",
                f"{100 * (r['complete_vs_me'] or 0):.1f}%",
                verdict(r["pass"]),
                str(errors),
                f"{max(h.get('api_worker_rss_mb') or [0]):.0f}",
                str(locks.get("waiting_max", "n/a")),
                f"{locks.get('audit_waiting_samples', 'n/a')}/{locks.get('samples', 'n/a')}",
            ]
        )
    return table(
        f"(d) HTTP, uvicorn workers as named, {_threads(results)} client threads (target: complete/s >= "
        f"{100 * HTTP_TARGET:.0f}% of /auth/me per s; RSS per API worker <= {RSS_TARGET_MB} MB; "
        "no lock waits on the audit)",
        [
            "backend",
            "workers",
            "instances",
            "completions",
            "complete/s",
            "/me per s",
            "share",
            "",
            "errors",
            "RSS MB max",
            "lock waits max",
            "audit waits",
        ],
        rows,
    )


def _threads(results: Json) -> str:
    first: Json = next(iter(results["http"].values()), {})
    return str(first.get("client_threads", "?"))


def summary(results: Json) -> str:
    lines = ["SUMMARY", "-------"]
    for backend, per_label in results["ratios"].items():
        for label, entry in per_label.items():
            if label == "http":
                share = entry["complete_vs_me"]
                lines.append(
                    f"{backend:<10} HTTP complete/s vs /auth/me: {100 * (share or 0):.1f}%  {verdict(entry['pass'])}"
                )
                continue
            if entry["target"] is None:
                continue
            parts = [
                f"{mode} {fmt_ratio(entry[mode]['median_ratio'])} {verdict(entry[mode]['pass'])}"
                for mode in MODES
                if mode in entry
            ]
            lines.append(f"{backend:<10} {label:<11} (b)/(c) median: " + ", ".join(parts))
    for backend, reason in results["skipped"].items():
        lines.append(f"{backend:<10} SKIPPED: {reason}")
    return "\n".join(lines) + "\n"


def everything(results: Json) -> str:
    meta = results["meta"]
    head = (
        f"OneStop engine benchmark ({'quick' if meta['quick'] else 'full'} run; Python {meta['python']}, "
        f"SpiffWorkflow {meta['spiffworkflow']}; {meta['machine']}, {meta['cpus']} CPUs)\n"
        f"Load average (1/5/15 min) at start {meta['loadavg_start']}, at end {meta['loadavg_end']}; "
        "other load on the machine inflates and scatters the figures.\n"
    )
    parts = [head, section_a(results)]
    if results["naive"]:
        parts += [section_b(results), section_c(results), section_ratios(results)]
    if results["http"]:
        parts.append(section_d(results))
    for backend, reason in results["skipped"].items():
        parts.append(f"NOTE: {backend} columns skipped: {reason}\n")
    parts.append(summary(results))
    return "\n".join(parts)
