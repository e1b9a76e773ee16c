#!/usr/bin/env python3
"""What idle Server-Sent Events streams cost a FlowForge server (issue 13), standard library only.

  idle_streams.py BASE PID --streams N --idle S [--writes W] [--write-base URL]

Logs in as the seeded owner, reads the server's RSS and CPU time (from /proc/PID), opens N
streams on GET /api/v1/events/ (Accept: text/event-stream) over N loopback connections, reads
the server again once all are open, holds them idle for S seconds (reading keep-alive comments),
reads again; then, with --writes W, makes W task updates 0.2 s apart (on --write-base, another
server on the same database, when given), checks that every stream got every event, and
reports the delivery latency: from the start of each write's request to the event's arrival on
each stream. Prints one JSON line. Every wait is bounded; the connections close on exit.
"""
import argparse
import asyncio
import json
import os
import sys
import time
import urllib.parse
import urllib.request

EMAIL = "owner0@org0.example"
PASSWORD = "flowforge-pass-1"
TICK = os.sysconf("SC_CLK_TCK")


def server(pid):
    """(RSS in KiB, CPU seconds user+system) of the process."""
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    return rss, cpu


def call(base, method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method)
    req.add_header("Accept", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, data, timeout=30) as r:
        return json.loads(r.read() or b"null")


class Stream:
    def __init__(self):
        self.events = 0
        self.arrivals = []
        self.keepalives = 0
        self.reader = self.writer = None

    async def open(self, host, port, token, deadline):
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), deadline)
        self.writer.write((
            f"GET /api/v1/events/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Accept: text/event-stream\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
        await self.writer.drain()
        status = await asyncio.wait_for(self.reader.readline(), deadline)
        if b" 200 " not in status:
            raise RuntimeError(f"stream refused: {status!r}")
        while (await asyncio.wait_for(self.reader.readline(), deadline)) not in (b"\r\n", b""):
            pass

    async def read(self):
        """Counts events and keep-alive comments until the connection closes."""
        try:
            while True:
                line = await self.reader.readline()
                if not line:
                    return
                if line.startswith(b"event:"):
                    self.events += 1
                    self.arrivals.append(time.monotonic())
                elif line.startswith(b":"):
                    self.keepalives += 1
        except (ConnectionError, asyncio.CancelledError):
            return


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("pid", type=int)
    p.add_argument("--streams", type=int, default=1000)
    p.add_argument("--idle", type=float, default=60)
    p.add_argument("--writes", type=int, default=0)
    p.add_argument("--write-base", default=None)
    a = p.parse_args()
    u = urllib.parse.urlsplit(a.base)
    token = call(a.base, "POST", "/api/v1/auth/login/", body={"email": EMAIL, "password": PASSWORD})["access"]
    rss0, cpu0 = server(a.pid)
    streams = [Stream() for _ in range(a.streams)]
    t0 = time.monotonic()
    # Open them a hundred at a time: the listen backlog stays short.
    for i in range(0, len(streams), 100):
        await asyncio.gather(*(s.open(u.hostname, u.port, token, 30) for s in streams[i:i + 100]))
    opened_s = time.monotonic() - t0
    readers = [asyncio.create_task(s.read()) for s in streams]
    await asyncio.sleep(1)
    rss1, cpu1 = server(a.pid)
    await asyncio.sleep(a.idle)
    rss2, cpu2 = server(a.pid)
    delivered = latency = None
    if a.writes:
        wb = a.write_base or a.base
        wtoken = call(wb, "POST", "/api/v1/auth/login/", body={"email": EMAIL, "password": PASSWORD})["access"]
        task = call(wb, "GET", "/api/v1/tasks/?page_size=1", wtoken)["results"][0]["id"]
        base_events = [s.events for s in streams]
        starts = []
        for n in range(a.writes):
            starts.append(time.monotonic())
            await asyncio.to_thread(call, wb, "PATCH", f"/api/v1/tasks/{task}/", wtoken, {"title": f"idle streams {n}"})
            await asyncio.sleep(0.2)
        for _ in range(100):  # at most 10 s
            if all(s.events - b >= a.writes for s, b in zip(streams, base_events)):
                break
            await asyncio.sleep(0.1)
        delivered = sum(1 for s, b in zip(streams, base_events) if s.events - b == a.writes)
        lat = sorted((s.arrivals[b + k] - starts[k]) * 1000
                     for s, b in zip(streams, base_events) for k in range(min(a.writes, s.events - b)))
        if lat:
            latency = {"p50_ms": round(lat[len(lat) // 2], 1), "p99_ms": round(lat[int(len(lat) * 0.99)], 1),
                       "max_ms": round(lat[-1], 1)}
    for r in readers:
        r.cancel()
    for s in streams:
        s.writer.close()
    print(json.dumps({
        "streams": a.streams, "open_s": round(opened_s, 2), "idle_s": a.idle,
        "rss_before_kb": rss0, "rss_open_kb": rss1, "rss_after_idle_kb": rss2,
        "rss_per_stream_kb": round((rss2 - rss0) / a.streams, 1),
        "cpu_s_opening": round(cpu1 - cpu0, 2), "cpu_s_idle": round(cpu2 - cpu1, 2),
        "keepalives_received": sum(s.keepalives for s in streams),
        "writes": a.writes, "streams_with_every_event": delivered, "delivery_latency": latency,
    }))
    if a.writes and delivered != a.streams:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
