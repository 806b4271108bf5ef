"""Reads feeds the way independent consumers do and prints what they saw, as JSON.

Usage: read_feeds.py DIR JSONFEED_SCHEMA

Every file in DIR is a feed: `*.xml` is parsed by Python's feedparser (RSS and Atom);
`*.json` is validated against the JSON Feed 1.1 schema with jsonschema, formats included
(feedparser 6.0.x, the newest release, has no JSON Feed parser). The Rust tests assert on
the output (masthead_testkit::read_feeds), so this script judges nothing itself.
"""

import calendar
import json
import os
import sys

import feedparser
import jsonschema


def iso(parsed):
    """A feedparser time tuple (UTC) as Unix seconds, or None."""
    return calendar.timegm(parsed) if parsed else None


def read_xml(path):
    with open(path, "rb") as f:
        data = f.read()
    d = feedparser.parse(data)
    entries = []
    for e in d.entries:
        entries.append(
            {
                "id": e.get("id"),
                "title": e.get("title"),
                "link": e.get("link"),
                "published": iso(e.get("published_parsed")),
                "updated": iso(e.get("updated_parsed")),
                "author": e.get("author"),
                "authors": [
                    {"name": a.get("name"), "href": a.get("href")}
                    for a in e.get("authors", [])
                ],
                "content": [c.get("value") for c in e.get("content", [])],
                "summary": e.get("summary"),
                "enclosures": [
                    {"href": x.get("href"), "type": x.get("type"), "length": x.get("length")}
                    for x in e.get("enclosures", [])
                ],
                "media": [
                    {"url": m.get("url"), "type": m.get("type"), "medium": m.get("medium")}
                    for m in e.get("media_content", [])
                ],
                "tags": [t.get("term") for t in e.get("tags", [])],
            }
        )
    return {
        "bozo": int(d.bozo),
        "bozo_exception": repr(d.get("bozo_exception")) if d.bozo else None,
        "version": d.version,
        "title": d.feed.get("title"),
        "link": d.feed.get("link"),
        "language": d.feed.get("language"),
        "entries": entries,
        "schema_errors": [],
    }


def read_json(path, schema):
    with open(path, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    missing = {"uri", "date-time"} - set(checker.checkers)
    if missing:
        # Without these, "format" is silently ignored: refuse to pass for a check not made.
        raise SystemExit(
            f"jsonschema cannot check the formats {sorted(missing)}: install rfc3986-validator "
            "and rfc3339-validator (scripts/test.sh does)"
        )
    validator = jsonschema.Draft7Validator(schema, format_checker=checker)
    errors = [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(doc)
    ]
    entries = []
    for item in doc.get("items", []):
        entries.append(
            {
                "id": item.get("id"),
                "title": item.get("title"),
                "link": item.get("url"),
                "published": item.get("date_published"),
                "updated": item.get("date_modified"),
                "authors": [
                    {"name": a.get("name"), "href": a.get("url")}
                    for a in item.get("authors", [])
                ],
                "content": [item.get("content_html")],
                "summary": item.get("summary"),
                "image": item.get("image"),
                "attachments": item.get("attachments", []),
                "tags": item.get("tags", []),
            }
        )
    return {
        "bozo": 0,
        "bozo_exception": None,
        "version": doc.get("version"),
        "title": doc.get("title"),
        "link": doc.get("home_page_url"),
        "language": doc.get("language"),
        "entries": entries,
        "schema_errors": errors,
    }


def main():
    directory, schema_path = sys.argv[1], sys.argv[2]
    with open(schema_path, "rb") as f:
        schema = json.loads(f.read().decode("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    out = {"feedparser": feedparser.__version__, "jsonschema_ok": True, "feeds": {}}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.endswith(".xml"):
            out["feeds"][name] = read_xml(path)
        elif name.endswith(".json"):
            out["feeds"][name] = read_json(path, schema)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
