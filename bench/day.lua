-- wrk script for bench/day.sh: the reads of a busy day. A quarter of requests are the
-- front page, a fifth the section fronts, a twentieth /latest, and half are stories, by a
-- log-uniform rank (story k of N asked for in proportion to 1/k: the day's news often, the
-- whole archive now and then). Slugs newest first in $DAY_SLUGS, section slugs in
-- $DAY_SECTIONS.
local slugs, sections = {}, {}

function init(args)
  for line in io.lines(os.getenv("DAY_SLUGS")) do slugs[#slugs + 1] = line end
  for line in io.lines(os.getenv("DAY_SECTIONS")) do sections[#sections + 1] = line end
  -- Each wrk thread has its own Lua state: seed each differently.
  math.randomseed(os.time() + tonumber(tostring(slugs):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local r = math.random()
  local path
  if r < 0.25 then
    path = "/"
  elseif r < 0.45 then
    path = "/section/" .. sections[math.random(#sections)]
  elseif r < 0.50 then
    path = "/latest"
  else
    local rank = math.floor((#slugs) ^ math.random())
    if rank < 1 then rank = 1 end
    path = "/stories/" .. slugs[rank]
  end
  return wrk.format("GET", path, { ["Accept-Encoding"] = "br, gzip" })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("DAY requests=%d bytes=%d seconds=%.2f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.bytes, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
