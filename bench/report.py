#!/usr/bin/env python3
"""Markdown report of one bench/run.sh run, from its JSON lines: report.py RUN.jsonl"""
import json
import sys
from collections import defaultdict

SIZE_ORDER = {"tiny": 0, "10k": 1, "100k": 2, "1m": 3, "1M": 3}
HARNESS = ["get_task", "list_filtered", "search", "deep_page", "create_task", "patch_status", "list_orgs"]
SINGLE_DOC = {
    "healthz": "`/healthz` (the client's own floor)",
    "get_task": "`tasks/{id}/`",
    "list_filtered": "`tasks/?project=P&status=todo&ordering=-priority&page_size=50`",
    "search": "`tasks/?search=W` (the harness's word)",
    "deep_page": "`tasks/?page=N` 5 before the last",
    "list_orgs": "`organizations/`",
    "first_page": "`tasks/` (first page and count)",
    "middle_page": "`tasks/?page=N` the middle page",
    "ordering_title": "`tasks/?ordering=title`",
    "search_common": "`tasks/?search=W` W in ~98%",
    "search_rare": "`tasks/?search=W` W in ~0.1%",
    "search_two_words": "`tasks/?search=W1 W2`",
    "assigned_me_status": "`tasks/?assigned_to=me&status=todo`",
    "search_filter": "`tasks/?search=W&status=todo` W in ~98%",
    "patch_status": "`PATCH tasks/{id}/`",
}


def f(v, nd=1):
    if v is None:
        return "—"
    if isinstance(v, (int, float)):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 100:
            return f"{v:.0f}"
        return f"{v:.{nd}f}"
    return str(v)


def mib(kb):
    return "—" if kb is None else f"{kb / 1024:.0f} MiB"


def main():
    lines = [json.loads(x) for x in open(sys.argv[1]) if x.strip()]
    run = next((x for x in lines if x["kind"] == "run"), {})
    end = next((x for x in lines if x["kind"] == "run_end"), {})
    groups = defaultdict(lambda: defaultdict(list))
    for x in lines:
        if "server" in x:
            groups[(x["server"], x["backend"], x["size"])][x["kind"]].append(x)
    out = []
    w = out.append
    sync = f", synchronous = {run['synchronous']}" if run.get("backend") == "sqlite" and "synchronous" in run else ""
    w(f"## Run {run.get('run')} ({run.get('backend')}{sync}, {run.get('profile')} build, commit {run.get('commit')})")
    w("")
    w(f"{run.get('cores')} cores; load average at the start {run.get('load_before')}, at the end "
      f"{end.get('load_after')}; {run.get('duration_s')} s per wrk scenario at {run.get('connections')} "
      f"connections; single client {run.get('requests')} requests or {run.get('cap_s')} s per scenario; "
      f"{run.get('creates')} sequential creates; {run.get('burst_s')} s create burst; "
      f"whole run {end.get('wall_s')} s after the build; failed requests: {end.get('failed_requests')}.")
    w("")
    keys = sorted(groups, key=lambda k: (SIZE_ORDER.get(k[2], 9), k[0] != "flowforge", k[1]))
    for key in keys:
        server, backend, size = key
        g = groups[key]
        start = (g.get("start") or [{}])[0]
        endk = (g.get("end") or [{}])[0]
        disc = (g.get("discovery") or [{}])[0]
        mem = (g.get("memory_after") or [{}])[0]
        growth = (g.get("growth") or [{}])[0]
        w(f"### {server}, {backend}, {size} tasks (`{start.get('shape', '')}`: orgs, projects per org, tasks per project)")
        w("")
        if server == "flowforge":
            ready = f"seeded in {f(start.get('seed_s'))} s; start to `/readyz` 200: **{start.get('ready_ms')} ms**"
        else:
            ready = f"migrate + seed + start to `/readyz` 200: {f(start.get('seed_and_ready_ms', 0) / 1000)} s"
        w(f"{ready}; the user sees {disc.get('visible')} tasks (pages of 20: {disc.get('pages')}); "
          f"RSS idle after start {mib(start.get('rss_idle_kb'))}, after the run {mib(mem.get('rss_after_kb'))}, "
          f"peak (VmHWM) {mib(mem.get('rss_peak_kb'))}"
          + (f" (summed over {mem.get('processes')} processes)" if mem.get("processes", 1) > 1 else "")
          + f"; load average before {start.get('load_before')}, after {endk.get('load_after')}. "
          f"Search words: `{disc.get('common_word')}` ({disc.get('common_count')} matches), "
          f"`{disc.get('rare_word')}` ({disc.get('rare_count')}), `{disc.get('two_words')}` "
          f"({disc.get('two_words_count')}); harness word `{disc.get('harness_word')}`.")
        w("")
        w("| 32 connections | req/s | p50 ms | p99 ms | max ms | failed |")
        w("|---|---:|---:|---:|---:|---:|")
        ceil = (g.get("ceiling") or [None])[0]
        if ceil:
            w(f"| static hyper ceiling (`/healthz`, wrk) | {f(ceil['requests_per_s'])} | {f(ceil['p50_ms'], 2)} | "
              f"{f(ceil['p99_ms'], 2)} | {f(ceil.get('max_ms'), 1)} | {ceil['non_2xx'] + ceil['socket_errors']} |")
        for h in sorted(g.get("harness", []), key=lambda x: HARNESS.index(x["scenario"]) if x["scenario"] in HARNESS else 99):
            w(f"| {h['scenario']} (harness) | {f(h['requests_per_s'])} | {f(h['p50_ms'], 2)} | {f(h['p99_ms'], 2)} | — | "
              f"{h['non_2xx'] + h.get('socket_errors', 0)} |")
        burst = (g.get("creates_burst") or [None])[0]
        if burst:
            w(f"| create burst ({f(burst['duration_s'])} s, wrk) | {f(burst['requests_per_s'])} | {f(burst['p50_ms'], 2)} | "
              f"{f(burst['p99_ms'], 2)} | {f(burst.get('max_ms'))} | {burst['non_2xx'] + burst['socket_errors']} |")
        if ceil:
            get = next((h for h in g.get("harness", []) if h["scenario"] == "get_task"), None)
            if get and ceil["requests_per_s"]:
                w("")
                w(f"`get_task` is {100 * get['requests_per_s'] / ceil['requests_per_s']:.1f} % of the static ceiling.")
        w("")
        w("| single client | request | n | p50 ms | p99 ms | max ms | failed |")
        w("|---|---|---:|---:|---:|---:|---:|")
        for s in g.get("single", []) + g.get("creates_seq", []):
            doc = SINGLE_DOC.get(s["scenario"], "`POST tasks/`, one after another")
            n = f"{s['requests']}" + (" (capped)" if s.get("capped") else "")
            w(f"| {s['scenario']} | {doc} | {n} | {f(s['p50_ms'], 2)} | {f(s['p99_ms'], 2)} | {f(s['max_ms'], 1)} | {s['errors']} |")
        if growth:
            w("")
            busy = " (a checkpoint could not truncate the WAL: busy)" if growth.get("checkpoint_busy") else ""
            w(f"Database {growth['db_bytes_before'] and abs(growth['db_bytes_before']):,} → "
              f"{growth['db_bytes_after'] and abs(growth['db_bytes_after']):,} bytes "
              f"({'main file + WAL after `PRAGMA wal_checkpoint(TRUNCATE)`' if backend == 'sqlite' else '`pg_database_size`'}) "
              f"over {growth['tasks_created']} created tasks: **{f(growth['bytes_per_task'])} bytes per task**{busy}"
              + (f"; pages in use (not on SQLite's free list) {growth['db_used_before']:,} → {growth['db_used_after']:,}: "
                 f"{f(growth['used_bytes_per_task'])} bytes per task" if backend == "sqlite" and "used_bytes_per_task" in growth else "")
              + ".")
        w("")

    # Across sizes: requests/s at 32 connections, and the largest against the smallest.
    ff = sorted([k for k in keys if k[0] == "flowforge"], key=lambda k: SIZE_ORDER.get(k[2], 9))
    if len(ff) > 1:
        w("### FlowForge across sizes (req/s at 32 connections; single-client p50 ms)")
        w("")
        w("| scenario | " + " | ".join(k[2] for k in ff) + f" | {ff[-1][2]} / {ff[0][2]} |")
        w("|---|" + "---:|" * (len(ff) + 1))
        for name in HARNESS + ["create_burst"]:
            vals = []
            for k in ff:
                src = groups[k]["creates_burst"] if name == "create_burst" else groups[k]["harness"]
                v = next((h["requests_per_s"] for h in src if h["scenario"] == name), None)
                vals.append(v)
            ratio = f"{vals[-1] / vals[0]:.2f}" if vals[0] and vals[-1] else "—"
            w(f"| {name} req/s | " + " | ".join(f(v) for v in vals) + f" | {ratio} |")
        for name in SINGLE_DOC:
            vals = [next((s["p50_ms"] for s in groups[k]["single"] if s["scenario"] == name), None) for k in ff]
            ratio = f"{vals[-1] / vals[0]:.2f}" if vals[0] and vals[-1] else "—"
            w(f"| {name} p50 ms | " + " | ".join(f(v, 2) for v in vals) + f" | {ratio} |")
        w("")

    dj = [k for k in keys if k[0] == "django"]
    for dk in dj:
        fk = next((k for k in ff if k[2] == dk[2]), None)
        if not fk:
            continue
        w(f"### FlowForge ({fk[1]}) and the Django peer at {dk[2]}")
        w("")
        w("| 32 connections | Django req/s | FlowForge req/s | FlowForge / Django |")
        w("|---|---:|---:|---:|")
        for name in HARNESS + ["create_burst"]:
            def rps(k):
                src = groups[k]["creates_burst"] if name == "create_burst" else groups[k]["harness"]
                return next((h["requests_per_s"] for h in src if h["scenario"] == name), None)
            a, b = rps(dk), rps(fk)
            w(f"| {name} | {f(a)} | {f(b)} | {f(b / a, 1) if a and b else '—'} × |")
        w("")
        w("| single client | Django p50 ms | FlowForge p50 ms | Django / FlowForge |")
        w("|---|---:|---:|---:|")
        for name in list(SINGLE_DOC) + ["create_sequential"]:
            def p50(k):
                src = groups[k]["creates_seq"] if name == "create_sequential" else groups[k]["single"]
                return next((s["p50_ms"] for s in src if s["scenario"] == name), None)
            a, b = p50(dk), p50(fk)
            w(f"| {name} | {f(a, 2)} | {f(b, 2)} | {f(a / b, 1) if a and b else '—'} × |")
        w("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
