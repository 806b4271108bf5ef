"""Measures the desk's requests against a running masthead (see bench/desk.sh)."""

import argparse
import http.client
import re
import statistics
import time
import urllib.parse
from datetime import datetime, timezone


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = ""

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - start) * 1000
        cookie = resp.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";")[0]
        conn.close()
        return resp.status, resp.getheader("Location") or "", data, elapsed


def summary(times):
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    return f"{statistics.median(times):.1f} | {p90:.1f}"


def main():
    ap = argparse.ArgumentParser()
    for name in ["--port", "--password", "--token", "--rounds", "--stories", "--commit", "--cpu"]:
        ap.add_argument(name, required=True)
    a = ap.parse_args()
    rounds = int(a.rounds)
    c = Client(int(a.port))
    results = {}

    # Logging in: the account's throttle allows a burst of 5, so 5 rounds.
    logins = []
    for _ in range(5):
        c.cookie = ""
        status, loc, _, ms = c.request(
            "POST", "/admin/login", {"email": "bench@example.org", "password": a.password, "next": "/admin"}
        )
        assert status == 303, status
        logins.append(ms)
    results["POST /admin/login (Argon2id check, new session)"] = logins

    status, _, page, _ = c.request("GET", "/admin/account")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    section = "1"
    status, loc, page, _ = c.request(
        "POST",
        "/admin/articles/new",
        {"csrf": csrf, "kind": "news", "title": "Benchmark story", "section": section, "body_md": "Words.", "action": "save"},
    )
    assert status == 303, (status, page[:300])
    article = loc.split("?")[0]
    article_id = article.rsplit("/", 1)[1]

    def timed(label, method, path, body_fn=None, expect=200, headers=None):
        times = []
        for i in range(rounds):
            body = body_fn(i) if body_fn else None
            status, _, page, ms = c.request(method, path, body, headers)
            assert status == expect, (label, status, page[:300])
            times.append(ms)
        results[label] = times

    timed("GET /admin (dashboard: four lists)", "GET", "/admin")
    timed("GET /admin/articles (newest 50)", "GET", "/admin/articles")
    timed("GET /admin/articles?status=draft", "GET", "/admin/articles?status=draft")
    timed("GET /admin/articles/ID (editor)", "GET", article)
    body = "Paragraph of a story under edit. " * 60
    timed(
        "POST /admin/articles/ID (save: version, revision, audit)",
        "POST",
        article,
        lambda i: {"csrf": csrf, "version": str(i + 1), "kind": "news", "title": "Benchmark story",
                   "section": section, "body_md": f"{body} {i}", "tags": "Budget, Schools", "action": "save"},
        expect=303,
    )
    auth = {"Authorization": f"Bearer {a.token}"}
    c.cookie = ""
    timed("GET /api/v1/articles (newest 50)", "GET", "/api/v1/articles", headers=auth)
    timed("GET /api/v1/articles/ID", "GET", f"/api/v1/articles/{article_id}", headers=auth)

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# Desk latency, SQLite, {int(a.stories):,} stories\n")
    print(f"- commit {a.commit}, release build, {now}, {a.cpu}")
    print(f"- one client, requests in sequence; {rounds} rounds each (logins: 5, the throttle's burst)")
    print(f"- reproduce: `cargo build --release -p masthead && bench/desk.sh --stories {a.stories}`\n")
    print("| request | median ms | p90 ms |")
    print("|---|---|---|")
    for label, times in results.items():
        print(f"| {label} | {summary(times)} |")


if __name__ == "__main__":
    main()
