"""Posts comments at a steady rate while reading cached pages (see bench/comments.sh).

Each request has a due time on a fixed schedule; its latency is counted from when it was
due, so a server that falls behind shows it instead of slowing the client down.
"""

import argparse
import http.client
import queue
import re
import statistics
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone

TOKEN = re.compile(r'name="token" value="([^"]+)"')


class Connection:
    """One keep-alive connection, reopened when the server closes it."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                return resp.status, data
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def run_schedule(port, jobs, workers):
    """Runs `jobs` (due time, callable) on `workers` threads; returns their results."""
    todo = queue.Queue()
    for job in jobs:
        todo.put(job)
    results = []
    lock = threading.Lock()

    def worker():
        conn = Connection(port)
        while True:
            try:
                due, job = todo.get_nowait()
            except queue.Empty:
                return
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                status, ok = job(conn)
            except Exception as e:  # a refused or dropped connection is an error, counted
                status, ok = f"error: {e}", False
            done = time.perf_counter()
            with lock:
                results.append(((done - due) * 1000, status, ok))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    return threads, results


def main():
    ap = argparse.ArgumentParser()
    for name in ["--port", "--posts", "--reads", "--seconds", "--stories", "--policy",
                 "--server-log", "--commit", "--cpu"]:
        ap.add_argument(name, required=True)
    a = ap.parse_args()
    port, posts, reads, seconds = int(a.port), int(a.posts), int(a.reads), int(a.seconds)

    # The stories readers read and comment on: the newest 200 (what a front page links to).
    setup = Connection(port)
    status, body = setup.request("GET", "/sitemaps/stories-1.xml")
    slugs = re.findall(rb"/stories/([a-z0-9-]+)</loc>", body)[:200]
    if not slugs:
        raise SystemExit(f"no stories in the sitemap (status {status})")
    slugs = [s.decode() for s in slugs]
    pages = ["/"] + [f"/stories/{s}" for s in slugs]

    # Every post needs its own form (a signed token with a nonce, posted once); fetch them
    # first, then wait out the least fill time.
    total_posts = posts * seconds
    print(f"fetching {total_posts} comment forms", flush=True, file=sys.stderr)
    forms = []
    for i in range(total_posts):
        slug = slugs[i % len(slugs)]
        status, body = setup.request("GET", f"/stories/{slug}/comment")
        found = TOKEN.search(body.decode("utf-8", "replace"))
        if status != 200 or not found:
            raise SystemExit(f"the comment form of {slug} answered {status} without a token")
        forms.append((slug, found.group(1)))
    for slug in slugs:  # every page once, so reads are of cached pages
        setup.request("GET", f"/stories/{slug}")
    time.sleep(3.5)

    start = time.perf_counter() + 0.5
    post_jobs = []
    for i, (slug, token) in enumerate(forms):
        fields = {
            "name": f"Reader {i}",
            "email": f"reader{i}@example.org",
            "body": f"Comment number {i} on this story: thanks for covering the meeting.",
            "website": "",
            "homepage": "",
            "token": token,
        }
        body = urllib.parse.urlencode(fields)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        }
        path = f"/stories/{slug}/comment"

        def post(conn, path=path, body=body, headers=headers):
            status, data = conn.request("POST", path, body=body, headers=headers)
            return status, status == 303

        post_jobs.append((start + i / posts, post))
    read_jobs = []
    for i in range(reads * seconds):
        path = pages[i % len(pages)]

        def read(conn, path=path):
            status, data = conn.request("GET", path, headers={"Accept-Encoding": "br"})
            return status, status == 200

        read_jobs.append((start + i / reads, read))

    post_threads, post_results = run_schedule(port, post_jobs, 16)
    read_threads, read_results = run_schedule(port, read_jobs, 24)
    for t in post_threads + read_threads:
        t.join()
    wall = time.perf_counter() - start

    log = open(a.server_log, encoding="utf-8", errors="replace").read()
    locked = log.count("database is locked")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    def line(label, results):
        ms = [r[0] for r in results]
        errors = [r for r in results if not r[2]]
        kinds = sorted({str(r[1]) for r in errors})
        return (f"| {label} | {len(results)} | {len(results) / wall:.0f}/s | "
                f"{statistics.median(ms):.1f} | {percentile(ms, 0.95):.1f} | "
                f"{percentile(ms, 0.99):.1f} | {max(ms):.1f} | {len(errors)}"
                f"{' (' + ', '.join(kinds) + ')' if kinds else ''} |")

    print(f"# Comments under load: {posts} posts/s with {reads} reads/s, SQLite, "
          f"{a.stories} stories, policy `{a.policy}`\n")
    print(f"- when: {stamp}; commit `{a.commit}`; CPU: {a.cpu} (2 cores, shared with the client)")
    print(f"- command: `bench/comments.sh --stories {a.stories} --posts {posts} --reads {reads} "
          f"--seconds {seconds} --policy {a.policy}`")
    print(f"- latency in ms from when each request was due (an open schedule)\n")
    print("| requests | count | rate | p50 | p95 | p99 | max | errors |")
    print("|---|---|---|---|---|---|---|---|")
    print(line("comment posts", post_results))
    print(line("cached page reads", read_results))
    print(f"\n`database is locked` in the server's log: {locked} times")


if __name__ == "__main__":
    main()
