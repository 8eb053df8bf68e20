"""Date helpers shared by every app."""

import datetime


def add_years(day: datetime.date, years: int) -> datetime.date:
    """Return the same day years later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
