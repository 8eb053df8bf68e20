"""Pure rules of admission and probation: ages, months, which committee decides, and the
documents each step makes. No writes; the figures come from the membership pack.
"""

import calendar
import datetime

from chibo.orgs.models import Level, Organisation
from chibo.regulations.loader import Pack

CHARTER = "Điều lệ Đảng"
# Articles of the Party Charter (Điều lệ Đảng, 2011) the refusals cite.
ART_AGE = f"{CHARTER}, art. 1"
ART_INTRODUCERS = f"{CHARTER}, art. 4"
ART_PROBATION = f"{CHARTER}, art. 5"

# Documents of the dossier that a step of the case makes in Chibo, and the step that does:
# the cell's vote writes its resolution, and so on. They are never entered by hand.
STEP_DOCUMENTS = {
    "cell_resolution": "cell_approved",
    "committee_resolution": "committee_proposed",
    "admission_decision": "admitted",
}
COMMITTEE_DOCUMENT = "committee_resolution"
CERTIFICATE = "course_certificate"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day months later; a day the month lacks becomes its last day
    (31/1 + 1 month = 28/2 or 29/2)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Return the age in completed years on day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def regulation(pack: Pack) -> str:
    """Return the number of the regulation a pack applies besides the Charter (e.g. 294-QĐ/TW),
    for the messages that cite it."""
    numbers = [s.number for s in pack.sources if s.number and s.number != CHARTER]
    return numbers[0] if numbers else pack.source.number or pack.id


def grassroots_of(cell: Organisation) -> Organisation:
    """Return the grassroots organisation of a cell: itself, or its grassroots committee."""
    if cell.level != Level.CELL:
        return cell
    ancestors = list(Organisation.objects.get_ancestors(cell))
    for org in reversed(ancestors):
        if org.level == Level.GRASSROOTS_COMMITTEE:
            return org
    return ancestors[-1] if ancestors else cell


def needs_committee_resolution(cell: Organisation) -> bool:
    """A subordinate cell's proposal goes through its grassroots committee; a grassroots
    cell's goes straight to the superior committee."""
    return cell.level == Level.CELL


def superior_committee(cell: Organisation) -> Organisation:
    """Return the committee directly above the cell's grassroots organisation (cấp ủy cấp
    trên trực tiếp của tổ chức cơ sở đảng): it signs admission and recognition decisions and
    takes the cases the cell could not settle."""
    grassroots = grassroots_of(cell)
    parent = Organisation.objects.get_parent(grassroots) if grassroots.depth > 1 else None
    return parent or grassroots


def applies_to(key: str, cell: Organisation) -> bool:
    """Return whether a dossier document is needed for a candidate of this cell."""
    return key != COMMITTEE_DOCUMENT or needs_committee_resolution(cell)
