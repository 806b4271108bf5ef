"""Helpers of bench/newsletter.sh (the newsletter's 10,000-reader send, issue 15).

  readers --db PATH --count N     N confirmed readers of the daily list, straight into a
                                  SQLite database (one transaction; PostgreSQL is done by psql)
  state --db PATH --send ID       prints the send's state and its items' states (SQLite)
  wait --db PATH --send ID        polls the send every 0.1 s until it is done (or paused,
                                  cancelled: exit 1), then prints the Unix time it saw that
  latency FILE...                 merges the latency histograms the wrk script printed
                                  ("H <µs> <count>" lines) and prints "requests p50_ms p99_ms
                                  max_ms errors"
  check --dir DIR --count N       checks the sink's rcpt.log: exactly N messages, one to each
                                  of bench-0..N-1@example.org; prints the first and last time
"""

import argparse
import collections
import sqlite3
import sys
import time


def readers(a):
    db = sqlite3.connect(a.db, timeout=60)
    now = int(time.time() * 1_000_000)  # the store keeps microseconds
    with db:
        (list_id,) = db.execute("SELECT id FROM newsletter_lists WHERE slug = 'daily'").fetchone()
        db.executemany(
            "INSERT INTO subscribers (email, email_key, name, status, source, created_at, "
            "confirmed_at, updated_at) VALUES (?, ?, ?, 'confirmed', 'bench', ?, ?, ?)",
            ((f"bench-{i}@example.org", f"bench-{i}@example.org", f"Reader {i}", now, now, now)
             for i in range(a.count)),
        )
        db.execute(
            "INSERT INTO subscriptions (subscriber_id, list_id, created_at) "
            "SELECT id, ?, ? FROM subscribers WHERE source = 'bench'",
            (list_id, now),
        )
    (n,) = db.execute(
        "SELECT count(*) FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id "
        "WHERE x.list_id = ? AND s.status = 'confirmed'", (list_id,)).fetchone()
    print(n)


def state(a):
    db = sqlite3.connect(a.db, timeout=60)
    (s,) = db.execute("SELECT state FROM newsletter_sends WHERE id = ?", (a.send,)).fetchone()
    items = db.execute(
        "SELECT state, count(*) FROM send_items WHERE send_id = ? GROUP BY state ORDER BY state",
        (a.send,)).fetchall()
    print(s, " ".join(f"{k}={v}" for k, v in items))


def wait(a):
    db = sqlite3.connect(a.db, timeout=60)
    for _ in range(36000):  # an hour
        (s,) = db.execute("SELECT state FROM newsletter_sends WHERE id = ?", (a.send,)).fetchone()
        if s == "done":
            print(f"{time.time():.3f}")
            return
        if s in ("paused", "cancelled"):
            sys.exit(f"the send is {s}")
        time.sleep(0.1)
    sys.exit("the send is not done after an hour")


def latency(a):
    hist = collections.Counter()
    errors = 0
    for path in a.files:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "H":
                    hist[int(parts[1])] += int(parts[2])
                elif len(parts) == 2 and parts[0] == "E":
                    errors += int(parts[1])
    total = sum(hist.values())
    if total == 0:
        sys.exit("no latencies in " + " ".join(a.files))

    def pct(p):
        want, seen = total * p, 0
        for us in sorted(hist):
            seen += hist[us]
            if seen >= want:
                return us / 1000
        return max(hist) / 1000

    print(total, f"{pct(0.50):.2f}", f"{pct(0.99):.2f}", f"{max(hist) / 1000:.2f}", errors)


def check(a):
    got = collections.Counter()
    first = last = None
    with open(f"{a.dir}/rcpt.log") as f:
        for line in f:
            t, rcpts = line.split()
            for r in rcpts.split(","):
                got[r.lower()] += 1
            t = float(t)
            first = t if first is None else min(first, t)
            last = t if last is None else max(last, t)
    want = {f"bench-{i}@example.org" for i in range(a.count)}
    dup = sum(1 for k, v in got.items() if v > 1)
    missing = len(want - set(got))
    extra = len(set(got) - want)
    total = sum(got.values())
    print(total, dup, missing, extra, f"{first or 0:.3f}", f"{last or 0:.3f}")
    if total != a.count or dup or missing or extra:
        sys.exit(f"the sink got {total} messages ({dup} addresses more than once, "
                 f"{missing} missing, {extra} unexpected); wanted {a.count}, each once")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("readers")
    r.add_argument("--db", required=True)
    r.add_argument("--count", type=int, required=True)
    s = sub.add_parser("state")
    s.add_argument("--db", required=True)
    s.add_argument("--send", type=int, required=True)
    w = sub.add_parser("wait")
    w.add_argument("--db", required=True)
    w.add_argument("--send", type=int, required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("files", nargs="+")
    c = sub.add_parser("check")
    c.add_argument("--dir", required=True)
    c.add_argument("--count", type=int, required=True)
    a = ap.parse_args()
    {"readers": readers, "state": state, "wait": wait, "latency": latency, "check": check}[a.cmd](a)


if __name__ == "__main__":
    main()
