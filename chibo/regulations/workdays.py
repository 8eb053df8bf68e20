"""Working days: weekends and the year's public holidays (Tết included), kept as data.

Deadlines in the Charter's rules count working days ("the ceremony within 30 working days
of the decision"). The days off and the Saturdays worked in exchange are listed per year in
holidays.json, from the government's yearly announcement; an installation adds later years
in a file named holidays.json in one of CHIBO_REGULATION_PACK_DIRS (its years replace the
shipped ones). For a year with no list only weekends and the fixed solar holidays count,
and the system check `regulations.W002` asks for the list.
"""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from chibo.regulations.loader import PackError

HOLIDAYS_FILE = Path(__file__).resolve().parent / "holidays.json"


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: dict[datetime.date, str]
    make_up_days: dict[datetime.date, str]
    fixed_days_off: tuple[tuple[int, int, str], ...]
    years: frozenset[int]
    unconfirmed: dict[int, str]

    def day_off_name(self, day: datetime.date) -> str:
        """Return the holiday's name when the day is a public holiday, else ""."""
        if day.year in self.years:
            return self.days_off.get(day, "")
        for month, dom, name in self.fixed_days_off:
            if (day.month, day.day) == (month, dom):
                return name
        return ""

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and not self.day_off_name(day)

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        """Return the day that ends count working days after start (start not counted)."""
        day, left = start, count
        while left > 0:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Count the working days after start up to and including end (0 when end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def _read(file: Path) -> dict:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PackError(f"holidays {file}: cannot be read: {exc}") from exc


def _dated(entries, file: Path, where: str) -> dict[datetime.date, str]:
    out = {}
    for i, entry in enumerate(entries):
        try:
            out[datetime.date.fromisoformat(entry["date"])] = str(entry["name"])
        except (KeyError, TypeError, ValueError):
            raise PackError(
                f"holidays {file.name}: {where}[{i}]: needs a date (YYYY-MM-DD) and a name"
            ) from None
    return out


@functools.cache
def _load(files: tuple[str, ...]) -> WorkingCalendar:
    days_off, make_up, years, unconfirmed, fixed = {}, {}, set(), {}, ()
    for name in files:
        file = Path(name)
        data = _read(file)
        if "fixed_days_off" in data:
            fixed = tuple(
                (int(e["date"][:2]), int(e["date"][3:5]), e["name"]) for e in data["fixed_days_off"]
            )
        for year_text, year in data.get("years", {}).items():
            year_no = int(year_text)
            where = f"years.{year_text}"
            off = _dated(year.get("days_off", []), file, f"{where}.days_off")
            work = _dated(year.get("make_up_days", []), file, f"{where}.make_up_days")
            for day in (*off, *work):
                if day.year != year_no:
                    raise PackError(f"holidays {file.name}: {where}: {day} is not in {year_no}")
            # A later file's year replaces the shipped one as a whole.
            days_off = {d: n for d, n in days_off.items() if d.year != year_no} | off
            make_up = {d: n for d, n in make_up.items() if d.year != year_no} | work
            years.add(year_no)
            if year.get("unconfirmed"):
                unconfirmed[year_no] = str(year["unconfirmed"])
            else:
                unconfirmed.pop(year_no, None)
    return WorkingCalendar(days_off, make_up, fixed, frozenset(years), unconfirmed)


def working_calendar() -> WorkingCalendar:
    extra = [Path(d) / "holidays.json" for d in getattr(settings, "CHIBO_REGULATION_PACK_DIRS", ())]
    files = (str(HOLIDAYS_FILE), *(str(f) for f in extra if f.exists()))
    return _load(files)


def clear_cache() -> None:
    _load.cache_clear()


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    return working_calendar().add_working_days(start, count)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return working_calendar().working_days_between(start, end)


def is_working_day(day: datetime.date) -> bool:
    return working_calendar().is_working_day(day)
