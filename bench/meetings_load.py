"""Many editors at the meeting desk at once (see bench/meetings.sh).

Each client, on its own keep-alive connection, repeats: upload the minutes as text, upload
them as a PDF (read by the server's sandboxed child process), and draft a brief from the
text. Reports each operation's latency and every error.
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import uuid

MINUTES_LINES = [
    "Present: President Ortiz, Trustees Ruiz, Hale and Lee.",
    "Motion by Trustee Ruiz, seconded by Trustee Hale, to approve a $48,000",
    "contract with Acme Painting to repaint the water tower. Ayes: Ortiz,",
    "Ruiz, Hale. Nays: Lee. Motion carried 3-1.",
    "The meeting adjourned at 8:42 p.m.",
]


def pdf(lines):
    """A one-page PDF with a text layer, written by hand as the tests' helper does."""
    stream = "".join(
        f"BT /F1 11 Tf 72 {720 - 16 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines)
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}endstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects):
        offsets.append(len(out))
        out += f"{i + 1} 0 obj\n{obj}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def multipart(name, data):
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


class Client:
    def __init__(self, port, token):
        self.port, self.token, self.conn = port, token, None

    def call(self, method, path, body=None, ctype=None):
        headers = {"Authorization": f"Bearer {self.token}"}
        if ctype:
            headers["Content-Type"] = ctype
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                return resp.status, resp.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=10, help="at most 20: a meeting keeps 50 documents")
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    setup = Client(args.port, args.token)
    status, data = setup.call("GET", "/api/v1/bodies")
    body = json.loads(data)[0]["id"]
    # A meeting of its own for each client, on a day of its own: a meeting keeps at most 50
    # documents, and briefs of one meeting share an address.
    meetings = []
    for n in range(args.clients):
        day = f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}"
        meeting = json.dumps({"body": body, "date": day, "status": "held"}).encode()
        status, data = setup.call("POST", "/api/v1/meetings", meeting, "application/json")
        assert status == 201, data
        meetings.append(json.loads(data)["id"])
    status, data = setup.call("GET", "/api/v1/sections")
    section = json.loads(data)[0]["id"]
    text = ("\n\n".join(MINUTES_LINES)).encode()
    pdf_bytes = pdf(MINUTES_LINES)

    timings = {"upload text": [], "upload PDF": [], "draft brief": []}
    errors = []
    lock = threading.Lock()
    start = threading.Barrier(args.clients)

    def timed(op, client, method, path, body=None, ctype=None, expect=201):
        t = time.perf_counter()
        status, data = client.call(method, path, body, ctype)
        elapsed = time.perf_counter() - t
        with lock:
            timings[op].append(elapsed)
            if status != expect:
                errors.append(f"{op}: {status} {data[:200]!r}")
        return status, data

    def work(meeting):
        client = Client(args.port, args.token)
        start.wait()
        for _ in range(args.rounds):
            ctype, body = multipart("minutes.txt", text)
            status, data = timed("upload text", client, "POST", f"/api/v1/meetings/{meeting}/documents", body, ctype)
            ctype, body = multipart("minutes.pdf", pdf_bytes)
            timed("upload PDF", client, "POST", f"/api/v1/meetings/{meeting}/documents", body, ctype)
            if status == 201:
                doc = json.loads(data)["id"]
                brief = json.dumps({"document": doc, "section": section}).encode()
                timed("draft brief", client, "POST", f"/api/v1/meetings/{meeting}/briefs", brief, "application/json")

    began = time.perf_counter()
    threads = [threading.Thread(target=work, args=(m,)) for m in meetings]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - began

    total = sum(len(v) for v in timings.values())
    print(f"### {args.label}: {args.clients} clients x {args.rounds} rounds, {total} requests in {wall:.1f} s ({total / wall:.1f}/s)\n")
    print("| operation | count | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|---|")
    for op, values in timings.items():
        if values:
            ms = [v * 1000 for v in values]
            print(f"| {op} | {len(ms)} | {statistics.median(ms):.0f} ms | {percentile(ms, 95):.0f} ms | {percentile(ms, 99):.0f} ms | {max(ms):.0f} ms |")
    print(f"\nErrors: {len(errors)}")
    for e in errors[:20]:
        print(f"- {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
