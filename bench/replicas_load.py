"""A fixed number of public page requests over several threads, for bench/replicas.sh.

usage: replicas_load.py HOST:PORT REQUESTS THREADS
Prints "requests errors pages_per_second". The mix: up to 40 story pages found on the
front page and /latest, the front page, /latest, /feed.xml and a search. Loopback only.
"""

import http.client
import re
import sys
import threading
import time

addr, total, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
host, port = addr.rsplit(":", 1)
assert host in ("127.0.0.1", "localhost"), "loopback only"


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    return r.status, body


conn = http.client.HTTPConnection(host, int(port), timeout=30)
stories = []
for page in ("/", "/latest"):
    _, body = get(conn, page)
    stories += re.findall(rb'href="(/stories/[a-z0-9-]+)"', body)
stories = list(dict.fromkeys(s.decode() for s in stories))[:40]
paths = stories + ["/", "/latest", "/feed.xml", "/search?q=council"]

lock = threading.Lock()
count = {"next": 0, "errors": 0}


def worker():
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    while True:
        with lock:
            i = count["next"]
            if i >= total:
                return
            count["next"] += 1
        try:
            status, _ = get(c, paths[i % len(paths)])
        except (OSError, http.client.HTTPException):
            status = 0
            c = http.client.HTTPConnection(host, int(port), timeout=30)
        if status != 200:
            with lock:
                count["errors"] += 1


start = time.monotonic()
ts = [threading.Thread(target=worker) for _ in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
took = time.monotonic() - start
print(total, count["errors"], total / took)
