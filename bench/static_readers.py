#!/usr/bin/env python3
"""static_readers.py: N no-daemon readers of the static change head, and a
writer delivering one change a second (bench/static-readers.sh).

Each reader holds its own keep-alive connection and, every INTERVAL ms
(staggered over the interval), asks for <prefix>/_live/head with the ETag
it has (If-None-Match); on a new seq it fetches the change pages it
missed, on the same connection, and the moment the page holding the new
seq is read is when the reader "saw it". The writer POSTs an entry.update
of one article to the webhook every 1/RATE s and reads the head file
after each answer, to know the seq the delivery committed.

Plain asyncio streams and byte searches (no JSON parsing on the reader
path): one process keeps 5,000 connections and a few thousand requests a
second on one core; the summary says the request rate it reached and how
late polls started against their schedule, so a client that could not
keep up shows.

usage: static_readers.py BASE STATIC_DIR WEBHOOK_URL SECRET READERS
       DURATION_S INTERVAL_MS RATE OUT_JSON
"""
import asyncio
import json
import os
import re
import sys
import time
import urllib.parse

SEQ_RE = re.compile(rb'"seq":(\d+)')
SIZE_RE = re.compile(rb'"size":(\d+)')

stats = {
    "requests": 0, "head_304": 0, "head_200": 0, "pages": 0,
    "resets": 0, "reconnects": 0, "errors": 0, "error_kinds": {}, "late_ms": [],
}
seen = []  # (seq, monotonic time the reader saw it)
sent = {}  # delivery number -> (time sent, time answered)
commits = {}  # seq -> (time sent, time answered)
stop = [float("inf")]  # the readers' end: after the last change is seen


def error(kind):
    stats["errors"] += 1
    stats["error_kinds"][kind] = stats["error_kinds"].get(kind, 0) + 1


async def request(reader, writer, host, path, headers=b""):
    writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: " + host +
                 b"\r\n" + headers + b"\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    stats["requests"] += 1
    status = int(head[9:12])
    low = head.lower()
    i = low.find(b"\r\ncontent-length:")
    n = 0
    if i >= 0:
        n = int(head[i + 17:head.index(b"\r\n", i + 2)])
    elif status != 304:
        raise RuntimeError("no content-length")
    body = await reader.readexactly(n) if n else b""
    etag = None
    i = low.find(b"\r\netag:")
    if i >= 0:
        etag = head[i + 7:head.index(b"\r\n", i + 2)].strip()
    return status, etag, body


async def reader_task(k, host, port, prefix, interval, start):
    hostb = ("%s:%d" % (host, port)).encode()
    headp = prefix + b"/_live/head"
    etag, last = None, None
    conn = None
    tick = start + interval * k
    while tick < stop[0]:
        delay = tick - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            stats["late_ms"].append(-delay * 1000)
        tick += interval
        try:
            fresh = conn is None
            if fresh:
                conn = await asyncio.open_connection(host, port)
            r, w = conn
            inm = b"If-None-Match: " + etag + b"\r\n" if etag else b""
            try:
                st, et, body = await request(r, w, hostb, headp, inm)
            except (asyncio.IncompleteReadError, ConnectionError):
                if fresh:
                    raise
                # The server closed the idle keep-alive connection (as
                # a browser does, the GET is sent again on a new one).
                stats["reconnects"] += 1
                w.close()
                conn = await asyncio.open_connection(host, port)
                r, w = conn
                st, et, body = await request(r, w, hostb, headp, inm)
            if st == 304:
                stats["head_304"] += 1
                continue
            if st != 200:
                error("head %d" % st)
                continue
            stats["head_200"] += 1
            etag = et
            seq = int(SEQ_RE.search(body).group(1))
            if last is None or seq <= last:
                last = seq if last is None else last
                continue
            size = int(SIZE_RE.search(body).group(1))
            for p in range(last // size, (seq - 1) // size + 1):
                st, _, page = await request(
                    r, w, hostb, prefix + b"/_live/changes/%d" % p)
                stats["pages"] += 1
                if st == 404:
                    stats["resets"] += 1
                    break
                if st != 200:
                    error("page %d" % st)
                    break
            else:
                if b'"seq":%d,' % seq not in page:
                    error("page lacks the head's seq")
                else:
                    now = time.monotonic()
                    for s in range(last + 1, seq + 1):
                        seen.append((s, now))
            last = seq
        except (OSError, asyncio.IncompleteReadError, RuntimeError,
                ValueError, AttributeError) as e:
            error(type(e).__name__)
            if conn is not None:
                conn[1].close()
            conn = None
    if conn is not None:
        conn[1].close()


def delivery(n, doc):
    t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    t += ".%03dZ" % (n % 1000)
    entry = dict(doc)
    entry.update(title="Bench change %d" % n, updatedAt=t, publishedAt=t)
    return json.dumps({"event": "entry.update", "model": "article",
                       "uid": "api::article.article",
                       "createdAt": t, "entry": entry},
                      separators=(",", ":")).encode()


async def deliver(u, secret, n, doc):
    body = delivery(n, doc)
    try:
        r, w = await asyncio.open_connection(u.hostname, u.port)
        t0 = time.monotonic()
        w.write(b"POST " + u.path.encode() + b" HTTP/1.1\r\nHost: " +
                u.netloc.encode() + b"\r\nContent-Type: application/json"
                b"\r\nConnection: close\r\nAuthorization: Bearer " +
                secret.encode() + b"\r\nX-Strapi-Event: entry.update"
                b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        head = await r.readuntil(b"\r\n\r\n")
        await r.read()
        w.close()
        if int(head[9:12]) // 100 != 2:
            error("webhook %d" % int(head[9:12]))
            return
        sent[n] = (t0, time.monotonic())
    except (OSError, asyncio.IncompleteReadError, ValueError) as e:
        error("webhook " + type(e).__name__)


async def writer_task(url, secret, rate, start, t_end, interval, doc):
    """One delivery every 1/rate s until t_end, each on its own
    connection (a slow webhook does not slow the rate), from when every
    reader has read the head once; then the readers get an interval and
    a margin to see the last one."""
    u = urllib.parse.urlsplit(url)
    n = 0
    tick = start + interval + 0.5
    jobs = []
    while tick < t_end:
        await asyncio.sleep(max(0, tick - time.monotonic()))
        tick += 1.0 / rate
        n += 1
        jobs.append(asyncio.ensure_future(deliver(u, secret, n, doc)))
    await asyncio.gather(*jobs)
    stop[0] = time.monotonic() + interval + 1.5


def map_commits(static_dir):
    """seq of each delivery, from the change pages' titles."""
    d = os.path.join(static_dir, "_live", "changes")
    for p in os.listdir(d):
        with open(os.path.join(d, p, "index.json")) as f:
            for rec in json.load(f)["data"]:
                m = re.match(r"Bench change (\d+)$",
                             (rec.get("entry") or {}).get("title", ""))
                if m and int(m.group(1)) in sent:
                    commits[rec["seq"]] = sent[int(m.group(1))]


def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100.0))]


async def main():
    (base, static_dir, webhook, secret, readers, duration, interval_ms,
     rate, out) = sys.argv[1:10]
    u = urllib.parse.urlsplit(base)
    readers, duration = int(readers), float(duration)
    interval = int(interval_ms) / 1000.0
    doc = json.loads(sys.stdin.readline())  # the article the writer edits
    start = time.monotonic() + 1
    t_end = start + duration
    cpu0 = time.process_time()
    tasks = [asyncio.ensure_future(
        reader_task(k / readers, u.hostname, u.port,
                    (u.path.rstrip("/") or "/api").encode(), interval,
                    start)) for k in range(readers)]
    tasks.append(asyncio.ensure_future(
        writer_task(webhook, secret, float(rate), start, t_end, interval,
                    doc)))
    await asyncio.gather(*tasks)
    wall = time.monotonic() - start
    map_commits(static_dir)
    lat_sent = [t - commits[s][0] for s, t in seen if s in commits]
    lat_ans = [t - commits[s][1] for s, t in seen if s in commits]
    expected = readers * len(commits)
    res = {
        "readers": readers, "duration_s": duration,
        "interval_ms": int(interval_ms), "deliveries": len(sent),
        "changes": len(commits),
        "requests": stats["requests"],
        "requests_per_s": round(stats["requests"] / wall, 1),
        "head_304": stats["head_304"], "head_200": stats["head_200"],
        "pages": stats["pages"], "resets": stats["resets"],
        "reconnects": stats["reconnects"],
        "errors": stats["errors"], "error_kinds": stats["error_kinds"],
        "seen": len(lat_sent), "seen_expected": expected,
        "p50_s_from_sent": pct(lat_sent, 50),
        "p99_s_from_sent": pct(lat_sent, 99),
        "max_s_from_sent": max(lat_sent) if lat_sent else None,
        "p99_s_from_answered": pct(lat_ans, 99),
        "webhook_p50_s": pct([a - b for b, a in commits.values()], 50),
        "webhook_max_s": max([a - b for b, a in commits.values()] or [0]),
        "late_polls": len(stats["late_ms"]),
        "late_p99_ms": pct(stats["late_ms"], 99),
        "client_cpu_s": round(time.process_time() - cpu0, 2),
        "wall_s": round(wall, 1),
    }
    with open(out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    asyncio.run(main())
