"""The deadlines and limits of transfers and residence contact, from the membership pack.

Pure functions of dates and the pack in force (`pack_for(org, day, subject="membership")`):
when the introduction letter must be presented, when an official transfer is due (working
days, skipping weekends and the year's public holidays), how long a temporary transfer may
last, and when the residential cell should next meet a registered member. Every refusal
names the rule and the document it comes from.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chibo.regulations.lifecycle import MembershipRules
from chibo.regulations.loader import Pack, pack_for
from chibo.regulations.workdays import add_working_days

# Words in a source's title that mark the document a rule comes from.
IMPLEMENTING_RULES = "thi hành Điều lệ"
RESIDENCE_RULES = "nơi cư trú"


def membership_pack(org, day: datetime.date) -> Pack:
    return pack_for(org, day, subject="membership")


def rules_of(pack: Pack) -> MembershipRules:
    assert pack.membership is not None
    return pack.membership


def source_of(pack: Pack, marker: str) -> str:
    """Return the number of the pack's source whose title has the marker, e.g. "294-QĐ/TW"."""
    for source in pack.sources:
        if marker in source.title and source.number:
            return source.number
    return pack.source.number or pack.id


def transfer_source(pack: Pack) -> str:
    return source_of(pack, IMPLEMENTING_RULES)


def residence_source(pack: Pack) -> str:
    return source_of(pack, RESIDENCE_RULES)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day months later; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def present_by(pack: Pack, letter_date: datetime.date) -> datetime.date:
    """Return the last day the member may present the letter to the receiving cell."""
    return letter_date + datetime.timedelta(days=rules_of(pack).transfer.present_letter_within_days)


def official_due(pack: Pack, event_on: datetime.date) -> datetime.date:
    """Return the day an official transfer is due: the pack's working days after the event."""
    return add_working_days(event_on, rules_of(pack).transfer.official_within_working_days)


def check_presented_in_time(pack: Pack, letter_date, deadline, on: datetime.date) -> None:
    """Refuse an acceptance after the letter's deadline: the letter must be issued again."""
    if on > deadline:
        raise_field(
            "accepted_on",
            _(
                "The introduction letter of %(letter)s had to be presented within %(days)s days, "
                "by %(deadline)s; it has expired. The sending cell must issue a new letter "
                "(%(source)s)."
            )
            % {
                "letter": short(letter_date),
                "days": rules_of(pack).transfer.present_letter_within_days,
                "deadline": short(deadline),
                "source": transfer_source(pack),
            },
        )


def temporary_limit(pack: Pack, reason: str, starts: datetime.date) -> tuple:
    """Return (earliest end, latest end, latest included?) of a temporary transfer."""
    t = rules_of(pack).transfer
    earliest = add_months(starts, t.temporary_min_months)
    if reason == "training":
        return earliest, add_months(starts, t.training_max_months), True
    # "From 3 months to under a year": the last end allowed is the day before the limit.
    return earliest, add_months(starts, t.temporary_max_months), False


def check_temporary_length(pack: Pack, reason: str, starts, ends) -> None:
    t = rules_of(pack).transfer
    earliest, latest, included = temporary_limit(pack, reason, starts)
    too_long = ends > latest if included else ends >= latest
    if ends < earliest or too_long:
        if reason == "training":
            message = _(
                "A temporary transfer for training lasts from %(min)s months to %(max)s months "
                "(%(source)s)."
            ) % {
                "min": t.temporary_min_months,
                "max": t.training_max_months,
                "source": transfer_source(pack),
            }
        else:
            message = _(
                "A temporary transfer lasts from %(min)s months to under %(max)s months; "
                "longer stays are official transfers (%(source)s)."
            ) % {
                "min": t.temporary_min_months,
                "max": t.temporary_max_months,
                "source": transfer_source(pack),
            }
        raise_field("ends_on", message)


def next_contact_due(pack: Pack, last: datetime.date) -> datetime.date:
    """Return when the residential cell should meet the member again."""
    return add_months(last, rules_of(pack).residence.meeting_every_months)


def raise_field(field: str, message: str):
    raise ValidationError({field: message})
