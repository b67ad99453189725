"""From measurements to ``bench/results.json``, the details beside it, and the table printed."""

from __future__ import annotations

import math
import os
import platform
import subprocess

TARGETS = {
    "transitions_ratio": 0.5,  # the real endpoint at ≥ 50% of the limit's throughput
    "page_ratio": 1.5,  # every page at 100k within 1.5× its time at 1k
    "statements": 10,  # the same number at both sizes, at most 10
    "engine_us": 50.0,  # µs per event
}


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile ``p`` (0–100) of ``values`` (None if empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _typical(values: list) -> int | None:
    """The median of the statement counts (None if not reported)."""
    counts = sorted(v for v in values if v is not None)
    return counts[len(counts) // 2] if counts else None


def _range(values: list) -> list:
    counts = [v for v in values if v is not None]
    return [min(counts), max(counts)] if counts else [None, None]


def page_rows(measured: dict, skipped: dict) -> tuple[list[dict], list[dict]]:
    """(``pages`` of results.json, the same with p50s, statuses and statement ranges for the details)."""
    pages, details = [], []
    for name, runs in measured.items():
        small, large = runs["small"], runs["large"]
        p95_small, p95_large = percentile(small["ms"], 95), percentile(large["ms"], 95)
        # The typical request's statements (a cache miss now and then is shown in the range, in the details).
        st_small, st_large = _typical(small["statements"]), _typical(large["statements"])
        row = {
            "name": name,
            "p95_ms_small": _r(p95_small),
            "p95_ms_large": _r(p95_large),
            "ratio": _r(p95_large / p95_small, 2) if p95_small and p95_large else None,
            "statements_small": st_small,
            "statements_large": st_large,
        }
        pages.append(row)
        details.append(
            {
                **row,
                "p50_ms_small": _r(percentile(small["ms"], 50)),
                "p50_ms_large": _r(percentile(large["ms"], 50)),
                "requests": len(large["ms"]),
                "warmup_ms_small": [_r(x) for x in small.get("warmup_ms", [])],
                "warmup_ms_large": [_r(x) for x in large.get("warmup_ms", [])],
                "statuses": sorted(set(small["statuses"]) | set(large["statuses"])),
                "statements_range_small": _range(small["statements"]),
                "statements_range_large": _range(large["statements"]),
            }
        )
    for name, note in skipped.items():
        details.append({"name": name, "skipped": note})
    return pages, details


def transition_figures(measured: dict | None) -> tuple[dict, dict]:
    """(``transitions`` of results.json, the details: both sides' latencies, errors, statements)."""
    if not measured or not measured.get("real", {}).get("ms"):
        return {"per_second": None, "limit_per_second": None, "ratio": None, "p50_ms": None, "p95_ms": None}, {}
    real, limit = measured["real"], measured["limit"]
    ok_real = sum(1 for s in real["statuses"] if s == 200)
    ok_limit = sum(1 for s in limit["statuses"] if s == 200)
    per_second = ok_real / real["seconds"] if real["seconds"] else None
    limit_per_second = ok_limit / limit["seconds"] if limit["seconds"] else None
    figures = {
        "per_second": _r(per_second),
        "limit_per_second": _r(limit_per_second),
        "ratio": _r(per_second / limit_per_second, 2) if per_second and limit_per_second else None,
        "p50_ms": _r(percentile(real["ms"], 50)),
        "p95_ms": _r(percentile(real["ms"], 95)),
    }
    details = {
        "requests": len(real["ms"]),
        "errors": len(real["ms"]) - ok_real,
        "limit_requests": len(limit["ms"]),
        "limit_errors": len(limit["ms"]) - ok_limit,
        "limit_p50_ms": _r(percentile(limit["ms"], 50)),
        "limit_p95_ms": _r(percentile(limit["ms"], 95)),
        "statements": max((s for s in real["statements"] if s is not None), default=None),
        "limit_statements": max((s for s in limit["statements"] if s is not None), default=None),
    }
    return figures, details


def targets_met(results: dict) -> dict:
    """Whether each target of the issue is met (None: not measured)."""
    t = results["transitions"]
    pages = results["pages"]
    return {
        "transitions_at_least_half_of_limit": None
        if t["ratio"] is None
        else t["ratio"] >= TARGETS["transitions_ratio"],
        "pages_within_1_5x": None
        if not pages
        else all(p["ratio"] is not None and p["ratio"] <= TARGETS["page_ratio"] for p in pages),
        "same_statements_at_most_10": None
        if not pages
        else all(
            p["statements_small"] == p["statements_large"]
            and p["statements_large"] is not None
            and p["statements_large"] <= TARGETS["statements"]
            for p in pages
        ),
        "engine_under_50_us": results["engine_us_per_event"] < TARGETS["engine_us"],
    }


def machine() -> dict:
    """What the benchmark ran on."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        memory_gb = None
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pg = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql_client": pg,
        "system": platform.platform(),
    }


def _cell(value, fmt: str = "{}") -> str:
    return "—" if value is None else fmt.format(value)


def table(results: dict, details: dict) -> str:
    """The results as a text table (Markdown-compatible)."""
    met = details["targets_met"]
    lines = [
        f"certflow benchmark — scale {results['scale']} "
        f"(large {details['sizes']['large']:,} applications, small {details['sizes']['small']:,})",
        "",
        "| page or list | p95 small (ms) | p95 large (ms) | large/small | SQL small | SQL large | 1st large (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    first = {p["name"]: (p.get("warmup_ms_large") or [None])[0] for p in details["pages"]}
    ranges = {
        p["name"]: (p.get("statements_range_small"), p.get("statements_range_large"))
        for p in details["pages"]
        if "skipped" not in p
    }

    def statements(value, span) -> str:
        if span and span[0] != span[1]:
            return f"{_cell(value)} ({span[0]}–{span[1]})"
        return _cell(value)

    for p in results["pages"]:
        small_range, large_range = ranges.get(p["name"], (None, None))
        lines.append(
            f"| {p['name']} | {_cell(p['p95_ms_small'])} | {_cell(p['p95_ms_large'])} | {_cell(p['ratio'], '{}×')} "
            f"| {statements(p['statements_small'], small_range)} | {statements(p['statements_large'], large_range)} "
            f"| {_cell(first.get(p['name']))} |"
        )
    for p in details["pages"]:
        if "skipped" in p:
            lines.append(f"| {p['name']} | skipped: {p['skipped']} | | | | | |")
    lines.append("")
    lines.append(
        "SQL: statements of the typical request (a range when some requests differ, e.g. a figures cache miss). "
        "1st large: the first request after the server started (cold caches), not part of the p95."
    )
    t = results["transitions"]
    lines += [
        "",
        f"Transitions (POST …/events, reject, distinct applications, {details['transitions'].get('requests', 0)} "
        f"requests): {_cell(t['per_second'])}/s, p50 {_cell(t['p50_ms'])} ms, p95 {_cell(t['p95_ms'])} ms; "
        f"limit (minimal SQL) {_cell(t['limit_per_second'])}/s → ratio {_cell(t['ratio'])}",
        f"Engine: {results['engine_us_per_event']} µs per event (in process, no database)",
        "",
        "Targets: "
        + ", ".join(f"{k}: {'met' if v else ('not measured' if v is None else 'MISSED')}" for k, v in met.items()),
    ]
    return "\n".join(lines)
