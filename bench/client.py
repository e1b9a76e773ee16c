#!/usr/bin/env python3
"""Single-client measurements for bench/run.sh (python3 standard library only).

One keep-alive HTTP connection (http.client, TCP_NODELAY), one request at a time, each timed
with time.perf_counter() from just before the request is sent to the last byte of the body.

  client.py discover BASE                  -> JSON: login, ids, page numbers, search words
  client.py single BASE --requests N --cap S [--skip a,b] [--tag k=v ...]
                                           -> one JSON line per scenario (p50, p99, ...)
  client.py creates BASE --count N --cap S [--tag k=v ...]
                                           -> one JSON line: N POST tasks/ one after another

Every loop stops after N requests or S seconds, whichever comes first; a line then says
"capped": true and how many requests it made. Any response that is not 2xx is counted in
"errors" (and the exit status is 1).
"""
import argparse
import http.client
import json
import re
import socket
import sys
import time
import urllib.parse
from pathlib import Path

EMAIL = "owner0@org0.example"
PASSWORD = "flowforge-pass-1"


class Client:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.prefix = u.path.rstrip("/")
        self.conn = None
        self.token = None
        self.reconnects = 0

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method, path, body=None):
        """(status, body bytes, seconds). Reopens the connection if the server closed it."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            # A reconnect (e.g. after a server's `Connection: close`) is part of the request's time.
            t0 = time.perf_counter()
            if self.conn is None or self.conn.sock is None:
                if self.conn is not None:
                    self.reconnects += 1
                self._connect()
            try:
                self.conn.request(method, self.prefix + path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                dt = time.perf_counter() - t0
                if resp.will_close:
                    self.conn.close()
                return resp.status, payload, dt
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get_json(self, path):
        status, payload, _ = self.request("GET", path)
        if status // 100 != 2:
            sys.exit(f"client.py: GET {path} answered {status}: {payload[:300]!r}")
        return json.loads(payload)

    def login(self):
        self.token = None
        status, payload, _ = self.request(
            "POST", "/api/v1/auth/login/", {"email": EMAIL, "password": PASSWORD})
        if status != 200:
            sys.exit(f"client.py: login answered {status}: {payload[:300]!r}")
        self.token = json.loads(payload)["access"]
        self.login_at = time.monotonic()

    def fresh_token(self):
        """Log in again when the token is over 10 minutes old (access tokens live 15)."""
        if self.token is None or time.monotonic() - self.login_at > 600:
            self.login()


def seed_words(repo):
    """The seeder's vocabulary, most frequent first (flowforge-core/src/seed/words.rs)."""
    text = (Path(repo) / "flowforge-core/src/seed/words.rs").read_text()
    return re.findall(r'"([^"]+)"', text.split("FIRST_NAMES")[0])


def q(s):
    return urllib.parse.quote(s, safe="")


def discover(c, repo):
    """Everything the scenarios need, found through the API (as the load harness does)."""
    c.login()
    org = c.get_json("/api/v1/organizations/?page_size=1&ordering=created_at")["results"][0]["id"]
    project = c.get_json(
        f"/api/v1/projects/?organization={org}&page_size=1&ordering=created_at")["results"][0]["id"]
    sample = c.get_json(f"/api/v1/tasks/?project={project}&page_size=100&ordering=created_at")
    task_ids = [t["id"] for t in sample["results"]][:50]
    if not task_ids:
        sys.exit("client.py: the first project has no tasks; seed the server first")
    visible = c.get_json("/api/v1/tasks/")["count"]
    pages = max(1, (visible + 19) // 20)
    words = seed_words(repo)
    # The harness's own search word: the most frequent title word of 4+ letters in the sample.
    freq = {}
    for t in sample["results"]:
        for w in re.split(r"[^a-z0-9]+", t["title"].lower()):
            if len(w) >= 4:
                freq[w] = freq.get(w, 0) + 1
    harness_word = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if freq else words[0]
    common = words[0]  # the seeder's most frequent word: in ~98% of tasks
    # A rare term: no single word of the list is under ~5%, but a word followed by the period
    # that ends a description is: "ledger." is in ~0.15% of tasks. Take the candidate among the
    # list's last 15 words whose share is nearest to 0.1% of the visible tasks.
    best = None
    for w in words[-15:]:
        term = w + "."
        n = c.get_json(f"/api/v1/tasks/?search={q(term)}&page_size=1")["count"]
        score = abs(n / max(visible, 1) - 0.001)
        if n > 0 and (best is None or score < best[0]):
            best = (score, term, n)
    rare, rare_count = (best[1], best[2]) if best else (words[-1] + ".", 0)
    two = f"{words[1]} {words[2]}"
    me = c.get_json("/api/v1/auth/me/")["id"]
    counts = {
        "common": c.get_json(f"/api/v1/tasks/?search={q(common)}&page_size=1")["count"],
        "two_words": c.get_json(f"/api/v1/tasks/?search={q(two)}&page_size=1")["count"],
    }
    return {
        "org": org, "project": project, "task_ids": task_ids, "visible": visible,
        "pages": pages, "middle_page": max(1, pages // 2), "deep_page": pages - 5 if pages > 5 else pages,
        "harness_word": harness_word, "common_word": common, "common_count": counts["common"],
        "rare_word": rare, "rare_count": rare_count, "two_words": two,
        "two_words_count": counts["two_words"], "me": me,
    }


def scenarios(d):
    """(name, method, path or list of paths, body kind). The harness's first, then the issue's."""
    tasks = [f"/api/v1/tasks/{i}/" for i in d["task_ids"]]
    p = d["project"]
    return [
        ("healthz", "GET", ["/healthz"], None),
        ("get_task", "GET", tasks, None),
        ("list_filtered", "GET", [f"/api/v1/tasks/?project={p}&status=todo&ordering=-priority&page_size=50"], None),
        ("search", "GET", [f"/api/v1/tasks/?search={q(d['harness_word'])}"], None),
        ("deep_page", "GET", [f"/api/v1/tasks/?page={d['deep_page']}"], None),
        ("list_orgs", "GET", ["/api/v1/organizations/"], None),
        ("first_page", "GET", ["/api/v1/tasks/"], None),
        ("middle_page", "GET", [f"/api/v1/tasks/?page={d['middle_page']}"], None),
        ("ordering_title", "GET", ["/api/v1/tasks/?ordering=title"], None),
        ("search_common", "GET", [f"/api/v1/tasks/?search={q(d['common_word'])}"], None),
        ("search_rare", "GET", [f"/api/v1/tasks/?search={q(d['rare_word'])}"], None),
        ("search_two_words", "GET", [f"/api/v1/tasks/?search={q(d['two_words'])}"], None),
        ("assigned_me_status", "GET", ["/api/v1/tasks/?assigned_to=me&status=todo"], None),
        ("search_filter", "GET", [f"/api/v1/tasks/?search={q(d['common_word'])}&status=todo"], None),
        ("patch_status", "PATCH", tasks, "patch"),
    ]


def pct(sorted_s, p):
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_s:
        return None
    k = max(0, min(len(sorted_s) - 1, -(-p * len(sorted_s) // 100) - 1))
    return round(sorted_s[k] * 1000, 3)


def measure(c, method, paths, body_kind, n, cap, project=None):
    statuses = ["todo", "in_progress", "done", "blocked"]
    times, errors, first_error = [], 0, None
    start = time.perf_counter()
    i = 0
    while i < n and time.perf_counter() - start < cap:
        body = None
        if body_kind == "patch":
            body = {"status": statuses[i % 4]}
        elif body_kind == "create":
            body = {"project": project, "title": f"Bench task {i}", "priority": "high", "status": "todo"}
        status, payload, dt = c.request(method, paths[i % len(paths)], body)
        if status // 100 != 2:
            errors += 1
            first_error = first_error or f"{status} {payload[:200]!r}"
        times.append(dt)
        i += 1
    wall = time.perf_counter() - start
    s = sorted(times)
    return {
        "requests": len(times), "capped": len(times) < n, "wall_s": round(wall, 3),
        "p50_ms": pct(s, 50), "p99_ms": pct(s, 99), "max_ms": round(s[-1] * 1000, 3) if s else None,
        "mean_ms": round(sum(s) / len(s) * 1000, 3) if s else None,
        "errors": errors, "first_error": first_error,
    }


def tags(pairs):
    out = {}
    for kv in pairs or []:
        k, _, v = kv.partition("=")
        out[k] = v
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["discover", "single", "creates"])
    ap.add_argument("base")
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    ap.add_argument("--discovery", help="JSON file written by `discover` (else discover again)")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--cap", type=float, default=30.0, help="seconds per scenario at most")
    ap.add_argument("--skip", default="", help="comma-separated scenarios to leave out")
    ap.add_argument("--tag", action="append", help="key=value added to every JSON line")
    a = ap.parse_args()
    c = Client(a.base)
    extra = tags(a.tag)

    if a.command == "discover":
        print(json.dumps(discover(c, a.repo)))
        return 0
    d = json.loads(Path(a.discovery).read_text()) if a.discovery else discover(c, a.repo)
    c.fresh_token()
    failed = 0
    if a.command == "single":
        skip = set(filter(None, a.skip.split(",")))
        for name, method, paths, body in scenarios(d):
            if name in skip:
                continue
            c.fresh_token()  # logins are slow on purpose (a real password hash): not per scenario
            r = measure(c, method, paths, body, a.requests, a.cap)
            line = {"kind": "single", "scenario": name, **extra, **r, "path": paths[0]}
            print(json.dumps(line), flush=True)
            failed += r["errors"]
    else:
        r = measure(c, "POST", ["/api/v1/tasks/"], "create", a.count, a.cap, project=d["project"])
        print(json.dumps({"kind": "creates_seq", "scenario": "create_sequential", **extra, **r}), flush=True)
        failed += r["errors"]
    if c.reconnects:
        print(f"client.py: {c.reconnects} reconnects (the server closed keep-alive connections)",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
