"""Deadlines as an iCalendar file an advisor imports into a calendar (RFC 5545, written with ``icalendar``).

Each dated deadline that has not passed becomes an all-day event: the
summary is the deadline, the description what happens when it passes and its
sources. UIDs are stable (case id and deadline id), so importing a newer file
updates the events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from render.statutes import source_display


def calendar_bytes(case_id: str, deadlines: list[Any], lang: str = "ja", *, stamp: dt.datetime | None = None) -> tuple[bytes, int]:
    """The .ics document and the number of events in it (dated deadlines not yet passed)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//zansai//deadlines//JA" if lang == "ja" else "-//zansai//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"zansai {case_id}")
    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    count = 0
    for d in deadlines:
        if d.date is None or d.status == "passed":
            continue
        event = Event()
        event.add("uid", f"{case_id}-{d.id}@zansai")
        event.add("dtstamp", stamp)
        event.add("dtstart", d.date)  # a date: an all-day event
        event.add("dtend", d.date + dt.timedelta(days=1))
        event.add("summary", f"[{case_id}] {d.title.get(lang)}")
        parts = [d.consequence.get(lang)]
        if d.note is not None:
            parts.append(d.note.get(lang))
        if d.sources:
            shown = [source_display(x, lang)[1] for x in d.sources]  # the notes by docs/sources.md, as the reports cite them
            parts.append(("根拠: " + "、".join(shown)) if lang == "ja" else ("Sources: " + ", ".join(shown)))
        event.add("description", "\n".join(parts))
        event.add("categories", ["zansai"])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
        count += 1
    return cal.to_ical(), count


def write_calendar(target: str | Path, data: bytes) -> None:
    """Write the file whole or not at all (a temporary file beside it, then renamed)."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=".zansai-", suffix=".ics", dir=str(target.parent) if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
