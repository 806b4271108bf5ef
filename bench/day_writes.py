"""The writes of a busy day, for bench/day.sh: comment posts, desk saves and publishes on a
fixed schedule while wrk reads. Each write's latency is counted from when it was due (an
open schedule, so a server that falls behind shows it). Prints one JSON line of results.

Comments go through the reader's form (fetched first: each form is posted once and must be
older than the form's least fill time); saves and publishes through the JSON API with an
editor's token, as a newsroom's tools or the desk's editor would.
"""

import argparse
import json
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from comments_load import Connection, percentile, run_schedule  # noqa: E402

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--stories", required=True, help="file of 'id slug' lines, newest first")
    ap.add_argument("--section", type=int, required=True)
    ap.add_argument("--seconds", type=int, required=True)
    ap.add_argument("--comments-per-minute", type=float, required=True)
    ap.add_argument("--saves-per-minute", type=float, required=True)
    ap.add_argument("--publish-every", type=float, required=True)
    ap.add_argument("--ready", required=True,
                    help="file to write the schedule's start (Unix time) to once the forms are in")
    a = ap.parse_args()

    stories = [line.split() for line in open(a.stories, encoding="utf-8") if line.strip()]
    recent = stories[:200]  # what readers comment on and editors correct: the day's news
    api = {"Authorization": f"Bearer {a.token}", "Content-Type": "application/json"}
    setup = Connection(a.port)

    n_comments = int(a.comments_per_minute * a.seconds / 60)
    forms = []
    for i in range(n_comments):
        _, slug = recent[i % len(recent)]
        status, body = setup.request("GET", f"/stories/{slug}/comment")
        found = TOKEN.search(body.decode("utf-8", "replace"))
        if status != 200 or not found:
            raise SystemExit(f"the comment form of {slug} answered {status} without a token")
        forms.append((slug, found.group(1)))

    # A form must be older than its least fill time (3 s) when posted.
    start = time.perf_counter() + 4.0
    with open(a.ready + ".part", "w", encoding="utf-8") as f:
        f.write(f"{time.time() + 4.0:.3f}")
    os.replace(a.ready + ".part", a.ready)
    jobs = []
    for i, (slug, token) in enumerate(forms):
        body = urllib.parse.urlencode({
            "name": f"Reader {i}", "email": f"day{i}@example.org", "website": "", "homepage": "",
            "body": f"Comment {i}: thanks for covering this, it matters to our street.",
            "token": token,
        })
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Forwarded-For": f"10.9.{i // 256 % 256}.{i % 256}"}

        def post(conn, path=f"/stories/{slug}/comment", body=body, headers=headers):
            status, _ = conn.request("POST", path, body=body, headers=headers)
            return ("comment", status), status == 303

        jobs.append((start + i * 60 / a.comments_per_minute, post))

    n_saves = int(a.saves_per_minute * a.seconds / 60)
    for i in range(n_saves):
        story_id = recent[(i * 7) % len(recent)][0]

        def save(conn, story_id=story_id, i=i):
            status, data = conn.request("GET", f"/api/v1/articles/{story_id}", headers=api)
            if status != 200:
                return ("save-read", status), False
            got = json.loads(data)
            fields = {k: got[k] for k in ("title", "summary", "body_md") if got.get(k) is not None}
            fields["body_md"] = (fields.get("body_md") or "") + f"\n\nCorrection {i}."
            fields["version"] = got["version"]
            fields["section"] = got["section"]["id"] if isinstance(got.get("section"), dict) else got["section"]
            status, data = conn.request("PUT", f"/api/v1/articles/{story_id}",
                                        body=json.dumps(fields), headers=api)
            return ("save", status), status == 200

        jobs.append((start + i * 60 / a.saves_per_minute, save))

    n_publishes = int(a.seconds / a.publish_every) if a.publish_every > 0 else 0
    for i in range(n_publishes):
        def publish(conn, i=i):
            body = json.dumps({"title": f"Breaking: day story {i} {time.time_ns()}",
                               "section": a.section, "body_md": "Just in."})
            status, data = conn.request("POST", "/api/v1/articles", body=body, headers=api)
            if status != 201:
                return ("publish-draft", status), False
            story = json.loads(data)
            status, _ = conn.request("POST", f"/api/v1/articles/{story['id']}/publish",
                                     body=json.dumps({"version": story["version"]}), headers=api)
            return ("publish", status), status == 200

        jobs.append((start + (i + 0.5) * a.publish_every, publish))

    jobs.sort(key=lambda j: j[0])
    threads, results = run_schedule(a.port, jobs, 8)
    for t in threads:
        t.join()
    out = {}
    for kind in ("comment", "save", "publish"):
        rows = [r for r in results if str(r[1][0]).startswith(kind)]
        ms = [r[0] for r in rows]
        errors = [r for r in rows if not r[2]]
        out[kind] = {
            "count": len(rows),
            "p50_ms": round(percentile(ms, 0.5), 1) if ms else None,
            "p99_ms": round(percentile(ms, 0.99), 1) if ms else None,
            "max_ms": round(max(ms), 1) if ms else None,
            "errors": len(errors),
            "error_kinds": sorted({str(r[1]) for r in errors}),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
