"""The Markdown report of bench/scale.sh, from the records it wrote while measuring.

Record lines (one per measurement):
  server round=1 cache=on k=2 i=0 cache0=H,M cache1=H,M DAY requests=... (wrk's line from day.lua)
  load round=1 cache=on k=2 t0=.. t1=.. loadavg=a,b,c | <snapshot before> | <snapshot after>
  idle round=1 k=2 t0=.. t1=.. | <snapshot before> | <snapshot after>
A snapshot is "pg=US busy=T all=T p0=US p1=US ...": CPU microseconds of PostgreSQL and of each
server, clock ticks of the whole machine (see snap in scale.sh).
"""

import datetime
import os
import re
import statistics
import sys

(records, stories, servers, seconds, warmup, idle, connections, rounds, start_load,
 data_note, pg_version, commit, binary, server_errors, rerenders) = sys.argv[1:]
rounds = int(rounds)
ks = [int(k) for k in servers.split()]


def kv(text):
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", text)}


def delta(before, after):
    a, b = kv(before), kv(after)
    return {k: (int(b[k]) - int(a[k])) for k in a}


servers_rows, loads, idles = {}, {}, {}
for line in open(records):
    kind = line.split()[0]
    if kind == "server":
        r = kv(line)
        servers_rows.setdefault((int(r["round"]), r["cache"], int(r["k"])), []).append(r)
    else:
        head, before, after = line.split("|")
        h = kv(head)
        entry = {**h, "d": delta(before, after), "wall": float(h["t1"]) - float(h["t0"])}
        if kind == "load":
            loads[(int(h["round"]), h["cache"], int(h["k"]))] = entry
        else:
            idles[(int(h["round"]), int(h["k"]))] = entry


def errors(r):
    return sum(int(r[k]) for k in ("non2xx", "connect", "read", "write", "timeout"))


cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), "?")
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
built = datetime.datetime.fromtimestamp(os.path.getmtime(binary), datetime.timezone.utc)
print(f"# Scale-out: {', '.join(map(str, ks))} app servers on one PostgreSQL, {stories} stories\n")
print(f"- when: {when}; commit `{commit}`; binary `{binary}` (built {built:%Y-%m-%d %H:%M} UTC)")
print(f"- machine: {os.cpu_count()} cores ({cpu}), shared by PostgreSQL, every masthead and wrk; "
      f"load average at start {start_load}")
print(f"- database: {pg_version}, shared_buffers=256MB, otherwise defaults; {data_note}")
print(f"- command: `bench/scale.sh --stories {stories} --servers \"{servers}\" --rounds {rounds} --seconds {seconds} "
      f"--warmup {warmup} --idle-seconds {idle} --connections {connections}`")
print(f"- load: one wrk per server, all at once, {connections} connections split evenly, "
      f"bench/day.lua's spread (a quarter `/`, a fifth section fronts, a twentieth `/latest`, "
      f"half stories by a log-uniform rank), `Accept-Encoding: br, gzip`; each server fresh, "
      f"warmed {warmup} s the same way, then measured {seconds} s; each round runs every "
      f"server count in turn, cache on then off\n")

print("## Per server\n")
print("| round | cache | servers | server | req/s | CPU µs/req | page cache hits | KB/req | p99 ms | errors |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for cache in ("on", "off"):
  for k in ks:
    for rnd in range(1, rounds + 1):
        load = loads[(rnd, cache, k)]
        for r in servers_rows[(rnd, cache, k)]:
            i = int(r["i"])
            n = int(r["requests"])
            us = load["d"][f"p{i}"] / n
            h0, m0 = map(int, r["cache0"].split(","))
            h1, m1 = map(int, r["cache1"].split(","))
            h, m = h1 - h0, m1 - m0
            hits = f"{100 * h / (h + m):.1f}%" if h + m else "–"
            print(f"| {rnd} | {cache} | {k} | {i + 1} | {float(r['rps']):.0f} | {us:.0f} | {hits} | "
                  f"{int(r['bytes']) / n / 1000:.1f} | {float(r['p99_ms']):.1f} | {errors(r)} |")

print("\n## All servers together\n")
print("| round | cache | servers | load avg before | total req/s | app CPU µs/req | DB CPU µs/req | "
      "app + DB µs/req | machine busy (cores) | errors |")
print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
summary = {}
for cache in ("on", "off"):
  for k in ks:
    for rnd in range(1, rounds + 1):
        load, rows = loads[(rnd, cache, k)], servers_rows[(rnd, cache, k)]
        n = sum(int(r["requests"]) for r in rows)
        rps = sum(float(r["rps"]) for r in rows)
        d = load["d"]
        app = sum(d[f"p{i}"] for i in range(k)) / n
        db = d["pg"] / n
        busy = d["busy"] / d["all"] * (os.cpu_count() or 1)
        summary.setdefault((cache, k), []).append((rps, app, db))
        print(f"| {rnd} | {cache} | {k} | {load['loadavg'].replace(',', ' ')} | {rps:.0f} | {app:.0f} | "
              f"{db:.0f} | {app + db:.0f} | {busy:.2f} | {sum(errors(r) for r in rows)} |")
    med = [statistics.median(x[j] for x in summary[(cache, k)]) for j in range(3)]
    summary[(cache, k)] = med
    print(f"| **median** | {cache} | {k} | | {med[0]:.0f} | **{med[1]:.0f}** | **{med[2]:.0f}** | "
          f"{med[1] + med[2]:.0f} | | |")

print("\n## Idle servers: what polling costs the database\n")
print("| round | servers | DB CPU ms/s | DB CPU ms/s per server (above none) | each server's own CPU ms/s |")
print("|---:|---:|---:|---:|---:|")
base = idles[(0, 0)]["d"]["pg"] / idles[(0, 0)]["wall"] / 1e3
for rnd, k in sorted(idles, key=lambda x: (x[1], x[0])):
    e = idles[(rnd, k)]
    db = e["d"]["pg"] / e["wall"] / 1e3
    per = f"{(db - base) / k:.2f}" if k else "–"
    own = [e["d"][f"p{i}"] / e["wall"] / 1e3 for i in range(k)]
    owns = ", ".join(f"{x:.1f}" for x in own) if own else "–"
    print(f"| {rnd or '–'} | {k} | {db:.2f} | {per} | {owns} |")

print("\n## Reading it\n")
print("The machine has 2 cores for PostgreSQL, every app server and wrk together, so total "
      "req/s is capped by the cores however many servers run: more servers cannot serve more "
      "here. What the runs show is the cost: CPU per request on each server and the "
      "database's CPU per page, from which capacity follows (cores ÷ CPU per request).")
print("Figures below are the medians over the rounds.")
for cache in ("on", "off"):
    rps1, app1, db1 = summary[(cache, ks[0])]
    rpsn, appn, dbn = summary[(cache, ks[-1])]
    print(f"- page cache {cache}: app CPU {app1:.0f} µs/req with {ks[0]} server(s), "
          f"{appn:.0f} µs/req with {ks[-1]} ({100 * (appn / app1 - 1):+.0f}%); database "
          f"{db1:.0f} → {dbn:.0f} µs per page; one app core ≈ {1e6 / app1:.0f} req/s, one "
          f"database core ≈ {1e6 / max(db1, 1e-9):.0f} pages/s at this mix")
print(f"\nErrors or 5xx in the servers' logs: {server_errors} lines; stored stories rendered again "
      f"during the runs: {rerenders} batches. A run with either is not a valid result.")
