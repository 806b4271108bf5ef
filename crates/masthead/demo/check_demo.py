#!/usr/bin/env python3
"""Validate demo.toml against the masthead demo schema and content rules.

    python3 check_demo.py            # exits non-zero and lists problems on failure

Pure standard library (Python 3.11+ for tomllib, zoneinfo).
"""

import os
import re
import sys
import tomllib
from collections import Counter
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
TOML = os.path.join(HERE, "demo.toml")
IMAGES = os.path.join(HERE, "images")

errors = []


def err(msg):
    errors.append(msg)


def check(cond, msg):
    if not cond:
        err(msg)
    return cond


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
VOTE_RE = re.compile(r"^\d+-\d+(-\d+)?$")
EXAMPLE_HOSTS = ("example.org", "example.com", "example.net")

TOP_KEYS = {"site", "sections", "authors", "wire_sources", "articles", "events"}
SITE_KEYS = {"name", "tagline", "timezone"}
SECTION_KEYS = {"slug", "name", "description"}
AUTHOR_KEYS = {"slug", "name", "bio", "photo"}
AUTHOR_REQ = {"slug", "name", "bio"}
WIRE_KEYS = {"slug", "name", "url", "canonical"}
ARTICLE_KEYS = {
    "slug", "title", "kind", "section", "authors", "byline", "wire", "original_url",
    "summary", "body", "tags", "hours_ago", "updated_hours_ago", "status", "video_url",
    "image", "meeting", "items", "notes", "comments",
}
ARTICLE_REQ = {"slug", "title", "kind", "section", "body", "tags", "hours_ago"}
KINDS = {"news", "opinion", "video", "roundup", "meeting_brief"}
STATUSES = {"published", "draft", "scheduled"}
IMAGE_KEYS = {"file", "alt", "caption", "credit"}
MEETING_KEYS = {"body", "days_ago", "decisions"}
DECISION_KEYS = {"motion", "vote", "outcome"}
OUTCOMES = {"passed", "failed", "tabled"}
ITEM_KEYS = {"headline", "body"}
NOTE_KEYS = {"kind", "text", "hours_ago"}
NOTE_KINDS = {"correction", "update"}
COMMENT_KEYS = {"author", "email", "body", "hours_ago"}
EVENT_KEYS = {
    "title", "starts_in_days", "start_time", "duration_minutes", "all_day",
    "location", "description", "link",
}
EVENT_REQ = {"title", "starts_in_days", "location", "description"}


def is_example_url(url):
    p = urlparse(url)
    host = p.hostname or ""
    return p.scheme == "https" and any(host == h or host.endswith("." + h) for h in EXAMPLE_HOSTS)


def keys_ok(obj, allowed, required, where):
    if not check(isinstance(obj, dict), f"{where}: expected a table"):
        return False
    extra = set(obj) - allowed
    missing = required - set(obj)
    check(not extra, f"{where}: unknown keys {sorted(extra)}")
    check(not missing, f"{where}: missing keys {sorted(missing)}")
    for k, v in obj.items():
        if isinstance(v, str):
            check(v.strip() != "", f"{where}: key {k!r} is empty (omit optional keys instead)")
        if isinstance(v, list):
            check(len(v) > 0, f"{where}: key {k!r} is an empty list")
    return True


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def sentences(text):
    parts = re.split(r"(?<=[.!?])[\"”’)]*\s+(?=[A-Z“‘\"$0-9])", text.strip())
    return [p for p in parts if p.strip()]


def paragraphs(md):
    blocks = [b.strip() for b in re.split(r"\n\s*\n", md.strip()) if b.strip()]
    # headings and tables are not prose paragraphs
    return [b for b in blocks if not b.startswith("#") and not b.startswith("|")]


def words(md):
    return len(re.findall(r"[A-Za-z0-9À-ɏ$][\w'’.,%$-]*", md))


def image_exists(name, where):
    check(isinstance(name, str) and "/" not in name and name.endswith(".jpg"),
          f"{where}: image file must be a bare .jpg name, got {name!r}")
    check(os.path.isfile(os.path.join(IMAGES, str(name))), f"{where}: images/{name} does not exist")


def main():
    with open(TOML, "rb") as f:
        data = tomllib.load(f)

    keys_ok(data, TOP_KEYS, TOP_KEYS, "top level")

    # ---- site -------------------------------------------------------------
    site = data.get("site", {})
    keys_ok(site, SITE_KEYS, SITE_KEYS, "[site]")
    try:
        ZoneInfo(site.get("timezone", ""))
    except Exception:
        err(f"[site]: invalid timezone {site.get('timezone')!r}")
    check("\n" not in site.get("tagline", ""), "[site]: tagline must be one line")

    # ---- sections ---------------------------------------------------------
    sections = data.get("sections", [])
    check(len(sections) == 6, f"expected 6 sections, got {len(sections)}")
    section_slugs = []
    for i, s in enumerate(sections):
        where = f"sections[{i}]"
        keys_ok(s, SECTION_KEYS, SECTION_KEYS, where)
        check(SLUG_RE.match(s.get("slug", "")), f"{where}: bad slug {s.get('slug')!r}")
        check(len(sentences(s.get("description", ""))) == 1, f"{where}: description should be one sentence")
        section_slugs.append(s.get("slug"))
    check(len(set(section_slugs)) == len(section_slugs), "duplicate section slugs")

    # ---- authors ----------------------------------------------------------
    authors = data.get("authors", [])
    check(3 <= len(authors) <= 4, f"expected 3-4 authors, got {len(authors)}")
    author_slugs = []
    photos = 0
    for i, a in enumerate(authors):
        where = f"authors[{i}]"
        keys_ok(a, AUTHOR_KEYS, AUTHOR_REQ, where)
        check(SLUG_RE.match(a.get("slug", "")), f"{where}: bad slug")
        n = len(sentences(a.get("bio", "")))
        check(n == 2, f"{where}: bio should be two sentences, got {n}")
        if "photo" in a:
            photos += 1
            image_exists(a["photo"], where)
        author_slugs.append(a.get("slug"))
    check(len(set(author_slugs)) == len(author_slugs), "duplicate author slugs")
    check(photos >= 3, f"expected at least 3 author photos, got {photos}")

    # ---- wire sources -----------------------------------------------------
    wires = data.get("wire_sources", [])
    check(len(wires) >= 3, f"expected >= 3 wire sources, got {len(wires)}")
    wire_hosts = {}
    for i, w in enumerate(wires):
        where = f"wire_sources[{i}]"
        keys_ok(w, WIRE_KEYS, WIRE_KEYS, where)
        check(SLUG_RE.match(w.get("slug", "")), f"{where}: bad slug")
        check(is_example_url(w.get("url", "")), f"{where}: url must be https on example.org/.com/.net")
        check(isinstance(w.get("canonical"), bool), f"{where}: canonical must be a boolean")
        wire_hosts[w.get("slug")] = urlparse(w.get("url", "")).hostname
    check(len(wire_hosts) == len(wires), "duplicate wire slugs")

    # ---- articles ---------------------------------------------------------
    articles = data.get("articles", [])
    slugs = Counter(a.get("slug") for a in articles)
    for s, n in slugs.items():
        check(n == 1, f"duplicate article slug {s!r}")

    kinds = Counter()
    statuses = Counter()
    tag_use = Counter()
    wire_count = Counter()
    local_staff = local_with_summary = 0
    with_image = 0
    notes_total = 0
    commented = 0
    sections_used = Counter()
    all_text = []
    titles = []
    max_hours = 0

    for i, a in enumerate(articles):
        where = f"articles[{i}] ({a.get('slug')})"
        if not keys_ok(a, ARTICLE_KEYS, ARTICLE_REQ, where):
            continue
        check(SLUG_RE.match(a["slug"]), f"{where}: bad slug")
        kind = a["kind"]
        check(kind in KINDS, f"{where}: bad kind {kind!r}")
        check(a["section"] in section_slugs, f"{where}: unknown section {a['section']!r}")
        status = a.get("status", "published")
        check(status in STATUSES, f"{where}: bad status {status!r}")
        statuses[status] += 1
        if status == "published":
            kinds[kind] += 1
            sections_used[a["section"]] += 1
        titles.append(a["title"])
        all_text += [a["title"], a["body"], a.get("summary", "")]
        check("\n" not in a["title"], f"{where}: title must be one line")

        # authorship
        is_wire = "wire" in a or "byline" in a or "original_url" in a
        if is_wire:
            check("authors" not in a, f"{where}: wire copy must not have authors")
            check({"byline", "wire", "original_url"} <= set(a), f"{where}: wire copy needs byline, wire, original_url")
            check("summary" not in a, f"{where}: wire copy must not have a summary")
            w = a.get("wire")
            check(w in wire_hosts, f"{where}: unknown wire {w!r}")
            ou = a.get("original_url", "")
            check(is_example_url(ou), f"{where}: original_url must be an https example domain")
            check(urlparse(ou).hostname == wire_hosts.get(w), f"{where}: original_url host should match the wire source url")
            if status == "published":
                wire_count[w] += 1
        else:
            check("authors" in a, f"{where}: staff story needs authors")
            for au in a.get("authors", []):
                check(au in author_slugs, f"{where}: unknown author {au!r}")
            check(len(set(a.get("authors", []))) == len(a.get("authors", [])), f"{where}: duplicate authors")
            if kind in ("news", "opinion", "meeting_brief"):
                local_staff += 1
                if "summary" in a:
                    local_with_summary += 1
        if "summary" in a:
            n = len(sentences(a["summary"]))
            check(2 <= n <= 3, f"{where}: summary should be 2-3 sentences, got {n}")

        # body
        body = a["body"]
        paras = paragraphs(body)
        wc = words(body)
        if kind in ("news", "opinion"):
            check(4 <= len(paras) <= 9, f"{where}: body should have 4-9 paragraphs, got {len(paras)}")
            check(300 <= wc <= 700, f"{where}: body should be 300-700 words, got {wc}")
        else:
            check(len(paras) >= 2 and wc >= 60, f"{where}: body too short ({len(paras)} paras, {wc} words)")
        for url in re.findall(r"\]\((\S+?)\)", body):
            check(is_example_url(url), f"{where}: link {url!r} must use an example domain")

        # tags
        tags = a["tags"]
        check(isinstance(tags, list) and 1 <= len(tags) <= 4, f"{where}: need 1-4 tags")
        check(len(set(tags)) == len(tags), f"{where}: duplicate tags")
        for t in tags:
            check(isinstance(t, str) and t == t.lower() and t.strip() == t, f"{where}: tag {t!r} must be lowercase")
            tag_use[t] += 1

        # times
        h = a["hours_ago"]
        check(is_num(h), f"{where}: hours_ago must be a number")
        if status == "scheduled":
            check(h == -6, f"{where}: scheduled story should use hours_ago = -6")
        else:
            check(0.5 <= h <= 400, f"{where}: hours_ago {h} out of range 0.5..400")
            max_hours = max(max_hours, h)
        if "updated_hours_ago" in a:
            u = a["updated_hours_ago"]
            check(is_num(u) and 0 <= u < h, f"{where}: updated_hours_ago must be >= 0 and < hours_ago")

        # video
        if kind == "video":
            check(a["title"].startswith("WATCH: "), f"{where}: video title must start with 'WATCH: '")
            v = a.get("video_url", "")
            check(urlparse(v).scheme == "https" and urlparse(v).hostname, f"{where}: video_url must be an https URL")
        else:
            check("video_url" not in a, f"{where}: video_url only allowed on video posts")

        # image
        if "image" in a:
            im = a["image"]
            if keys_ok(im, IMAGE_KEYS, {"file", "alt"}, f"{where}.image"):
                image_exists(im["file"], f"{where}.image")
                check(len(im["alt"]) >= 20, f"{where}.image: alt text should be descriptive")
            if status == "published":
                with_image += 1

        # meeting
        if kind == "meeting_brief":
            m = a.get("meeting")
            if check(m is not None, f"{where}: meeting_brief needs [articles.meeting]"):
                keys_ok(m, MEETING_KEYS, MEETING_KEYS, f"{where}.meeting")
                check(is_num(m.get("days_ago")) and m.get("days_ago", -1) >= 0, f"{where}.meeting: days_ago must be >= 0")
                check(m.get("days_ago", 0) * 24 >= h, f"{where}.meeting: meeting should be before publication")
                decs = m.get("decisions", [])
                check(3 <= len(decs) <= 5, f"{where}.meeting: need 3-5 decisions, got {len(decs)}")
                for j, dcs in enumerate(decs):
                    keys_ok(dcs, DECISION_KEYS, DECISION_KEYS, f"{where}.meeting.decisions[{j}]")
                    check(dcs.get("outcome") in OUTCOMES, f"{where}: bad outcome {dcs.get('outcome')!r}")
                    check(VOTE_RE.match(str(dcs.get("vote", ""))), f"{where}: bad vote tally {dcs.get('vote')!r}")
                check(any(dcs.get("outcome") in ("failed", "tabled") for dcs in decs),
                      f"{where}.meeting: need at least one failed or tabled decision")
        else:
            check("meeting" not in a, f"{where}: meeting only allowed on meeting_brief")

        # roundup items
        if kind == "roundup":
            items = a.get("items", [])
            check(3 <= len(items) <= 5, f"{where}: roundup needs 3-5 items, got {len(items)}")
            for j, it in enumerate(items):
                keys_ok(it, ITEM_KEYS, ITEM_KEYS, f"{where}.items[{j}]")
                all_text += [it.get("headline", ""), it.get("body", "")]
        else:
            check("items" not in a, f"{where}: items only allowed on roundups")

        # notes
        for j, n in enumerate(a.get("notes", [])):
            keys_ok(n, NOTE_KEYS, NOTE_KEYS, f"{where}.notes[{j}]")
            check(n.get("kind") in NOTE_KINDS, f"{where}.notes[{j}]: bad kind")
            check(is_num(n.get("hours_ago")) and 0 <= n["hours_ago"] < h, f"{where}.notes[{j}]: hours_ago must be < article hours_ago")
            notes_total += 1

        # comments
        cs = a.get("comments", [])
        if cs:
            commented += 1
            check(1 <= len(cs) <= 3, f"{where}: 1-3 comments per story")
            check(status == "published", f"{where}: comments only on published stories")
        for j, c in enumerate(cs):
            keys_ok(c, COMMENT_KEYS, COMMENT_KEYS, f"{where}.comments[{j}]")
            email = c.get("email", "")
            check(re.match(r"^[^@\s]+@(example\.(org|com|net))$", email), f"{where}.comments[{j}]: email must be on an example domain")
            check(is_num(c.get("hours_ago")) and 0 <= c["hours_ago"] < h, f"{where}.comments[{j}]: hours_ago must be < article hours_ago")
            check(1 <= len(sentences(c.get("body", ""))) <= 3, f"{where}.comments[{j}]: 1-3 sentences")
            check("\n" not in c.get("body", ""), f"{where}.comments[{j}]: plain one-paragraph text")

    published = statuses["published"]
    check(published >= 44, f"need >= 44 published articles, got {published}")
    check(statuses["draft"] == 1, f"need exactly 1 draft, got {statuses['draft']}")
    check(statuses["scheduled"] == 1, f"need exactly 1 scheduled, got {statuses['scheduled']}")
    check(kinds["opinion"] >= 4, f"need >= 4 opinion pieces, got {kinds['opinion']}")
    check(kinds["video"] == 2, f"need exactly 2 videos, got {kinds['video']}")
    check(kinds["roundup"] >= 1, "need at least 1 roundup")
    check(kinds["meeting_brief"] == 2, f"need exactly 2 meeting briefs, got {kinds['meeting_brief']}")
    check(any(a.get("kind") == "roundup" and "quick hits" in a.get("title", "").lower()
              and len(a.get("items", [])) == 4 for a in articles),
          "need a 'quick hits' roundup with 4 items")
    check(sum(wire_count.values()) >= 12, f"need >= 12 wire stories, got {sum(wire_count.values())}")
    check(len(wire_count) >= 3, f"wire copy must come from >= 3 sources, got {len(wire_count)}")
    check(local_staff and local_with_summary / local_staff >= 0.8,
          f"most local staff stories need summaries ({local_with_summary}/{local_staff})")
    check(0.4 <= with_image / published <= 0.65, f"about half the stories should have images ({with_image}/{published})")
    check(10 <= len(tag_use) <= 15, f"need 10-15 distinct tags, got {len(tag_use)}: {sorted(tag_use)}")
    once = [t for t, n in tag_use.items() if n < 2]
    check(not once, f"tags used only once: {once}")
    check(2 <= notes_total <= 3, f"need 2-3 notes across the demo, got {notes_total}")
    check(5 <= commented <= 8, f"comments on ~6 stories, got {commented}")
    for s in section_slugs:
        check(sections_used[s] >= 3, f"section {s!r} has only {sections_used[s]} published stories")
    check(max_hours >= 300, f"stories should spread over ~3 weeks (max hours_ago {max_hours})")

    blob = "\n".join(all_text)
    for ch, label in [("&", "ampersand"), ("“", "left double quote"), ("”", "right double quote"),
                      ("‘", "left single quote"), ("’", "right single quote"), ("—", "em dash")]:
        check(ch in blob, f"no {label} in any title/body")
    check(re.search(r"[À-ÖØ-öø-ÿ]", blob), "no accented name anywhere")
    check(any("<" in t for t in titles), "no title containing '<'")
    check(any("&" in t for t in titles), "no title containing '&'")
    check(re.search(r"^\|.*\|\s*\n\|[\s:|-]+\|\s*$", blob, re.M), "no Markdown table in any body")

    # ---- events -----------------------------------------------------------
    events = data.get("events", [])
    check(6 <= len(events) <= 8, f"need 6-8 events, got {len(events)}")
    past = 0
    for i, e in enumerate(events):
        where = f"events[{i}] ({e.get('title')})"
        keys_ok(e, EVENT_KEYS, EVENT_REQ, where)
        d = e.get("starts_in_days")
        check(isinstance(d, int) and not isinstance(d, bool), f"{where}: starts_in_days must be an integer")
        if isinstance(d, int) and d < 0:
            past += 1
            check(d == -2, f"{where}: the past event should be starts_in_days = -2")
        else:
            check(isinstance(d, int) and 0 <= d <= 40, f"{where}: starts_in_days out of range 0..40")
        if e.get("all_day", False):
            check("start_time" not in e and "duration_minutes" not in e, f"{where}: all-day events take no time/duration")
        else:
            check(TIME_RE.match(e.get("start_time", "")), f"{where}: start_time must be HH:MM")
        if "duration_minutes" in e:
            check(isinstance(e["duration_minutes"], int) and e["duration_minutes"] > 0, f"{where}: bad duration")
        if "link" in e:
            check(is_example_url(e["link"]), f"{where}: link must use an example domain")
        check(1 <= len(sentences(e.get("description", ""))) <= 3, f"{where}: description 1-3 sentences")
    check(past == 1, f"need exactly one past event, got {past}")

    # ---- images folder ----------------------------------------------------
    total = 0
    for f in os.listdir(IMAGES):
        p = os.path.join(IMAGES, f)
        size = os.path.getsize(p)
        total += size
        check(f.endswith(".jpg"), f"images/{f}: only .jpg files expected")
        check(size <= 40 * 1024, f"images/{f}: {size} bytes exceeds 40 KB")
        with open(p, "rb") as fh:
            check(fh.read(3) == b"\xff\xd8\xff", f"images/{f}: not a JPEG")
    check(total <= 500 * 1024, f"images/ is {total} bytes, over 500 KB")

    # ---- report -----------------------------------------------------------
    if errors:
        print(f"FAIL: {len(errors)} problem(s)")
        for e in errors:
            print("  -", e)
        return 1
    print("OK: demo.toml passes all checks")
    print(f"  articles: {len(articles)} total, {published} published, statuses {dict(statuses)}")
    print(f"  kinds (published): {dict(kinds)}")
    print(f"  wire stories: {dict(wire_count)}")
    print(f"  with image: {with_image}/{published}; summaries on local staff: {local_with_summary}/{local_staff}")
    print(f"  tags ({len(tag_use)}): {dict(tag_use)}")
    print(f"  sections: {dict(sections_used)}")
    print(f"  notes: {notes_total}; stories with comments: {commented}; events: {len(events)}")
    print(f"  images/: {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
