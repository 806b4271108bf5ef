"""Reads every .ics file in a directory with Python's icalendar (not our writer) and prints
what it found as JSON: per file, each VEVENT's fields, and the dates of its recurrence
expanded by python-dateutil's rrule from DTSTART in its own zone (as calendar apps do),
as UTC instants.

usage: read_calendars.py DIR
"""
import json
import os
import sys
from datetime import date, datetime, timezone

import dateutil.rrule
import icalendar


def when(value):
    """A DATE as YYYY-MM-DD, a DATE-TIME as UTC ISO 8601 plus its zone name."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"floating time {value!r}: every time must name its zone")
        return {
            "utc": value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "zone": str(value.tzinfo),
            "local": value.strftime("%Y-%m-%dT%H:%M"),
        }
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise ValueError(f"not a date: {value!r}")


def read(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    events = []
    for ev in cal.walk("VEVENT"):
        start = ev.decoded("DTSTART")
        out = {
            "uid": str(ev.get("UID")),
            "summary": str(ev.get("SUMMARY")),
            "description": str(ev.get("DESCRIPTION", "")),
            "location": str(ev.get("LOCATION", "")),
            "url": str(ev.get("URL", "")),
            "status": str(ev.get("STATUS", "")),
            "start": when(start),
            "end": when(ev.decoded("DTEND")) if "DTEND" in ev else None,
            "dtstamp": when(ev.decoded("DTSTAMP")),
            "keys": sorted(ev.keys()),
        }
        if "RRULE" in ev:
            rule = ev["RRULE"].to_ical().decode()
            out["rrule"] = rule
            dates = list(dateutil.rrule.rrulestr(rule, dtstart=start))
            out["dates"] = [when(d) for d in dates]
        events.append(out)
    return {
        "version": str(cal.get("VERSION")),
        "prodid": str(cal.get("PRODID")),
        "name": str(cal.get("X-WR-CALNAME", cal.get("NAME", ""))),
        "events": events,
    }


def main():
    folder = sys.argv[1]
    report = {"icalendar": icalendar.__version__, "calendars": {}}
    for name in sorted(os.listdir(folder)):
        report["calendars"][name] = read(os.path.join(folder, name))
    json.dump(report, sys.stdout)


main()
