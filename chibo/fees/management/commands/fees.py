"""`chibo fees refresh [--month YYYY-MM]… [--org CODE]`; `chibo fees verify [--month …] [--org …]`.

refresh rewrites the summary rows (CellFeeMonth) of every open cell for the months given,
by default this month and the last: run it daily (cron or a systemd timer), so that a new
month has its rows and members who changed cell are counted where they are. It is
idempotent. verify recomputes the same rows from the records and names each difference,
exiting non-zero when there is one.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.fees.actions import refresh_summaries
from chibo.fees.arithmetic import add_months, month_label, parse_month
from chibo.fees.ledger import Ledger
from chibo.fees.models import CellFeeMonth
from chibo.fees.queries import current_month
from chibo.orgs.models import CELL_LEVELS, Organisation

BATCH = 500


class Command(BaseCommand):
    help = "Bring the fee summary rows up to date, or check them against the records."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("refresh", "Rewrite the summary rows from the records."),
            ("verify", "Recompute the summary rows and report any difference."),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument(
                "--month",
                action="append",
                metavar="YYYY-MM",
                help="A month (repeatable); this month and the last by default.",
            )
            command.add_argument("--org", metavar="CODE", help="Only the cells under it.")

    def handle(self, *args, action, month, org, **options):
        months = self._months(month)
        cells = self._cells(org)
        if action == "refresh":
            count = 0
            for start in range(0, len(cells), BATCH):
                with transaction.atomic():
                    count += refresh_summaries(cells[start : start + BATCH], months)
            self.stdout.write(_("Fee summaries rewritten: %(count)d.") % {"count": count})
            return
        differences = self._verify(cells, months)
        for line in differences:
            self.stdout.write(line)
        if differences:
            raise CommandError(
                _("%(count)d fee summaries differ from the records.") % {"count": len(differences)}
            )
        self.stdout.write(_("Fee summaries checked: none differs from the records."))

    def _months(self, given):
        if not given:
            current = current_month()
            return [add_months(current, -1), current]
        try:
            return sorted({parse_month(m) for m in given})
        except ValueError as exc:
            raise CommandError(_("Enter a month, for example 05/2026.")) from exc

    def _cells(self, code):
        cells = Organisation.objects.filter(level__in=CELL_LEVELS, closed_on__isnull=True)
        if code:
            org = Organisation.objects.filter(code=code).first()
            if org is None:
                raise CommandError(_("No organisation has the code %(code)s.") % {"code": code})
            cells = cells.filter(path__startswith=org.path)
        return list(cells.order_by("path"))

    def _verify(self, cells, months) -> list[str]:
        lines = []
        for start in range(0, len(cells), BATCH):
            batch = cells[start : start + BATCH]
            stored = {
                (row.cell_id, row.month): row
                for row in CellFeeMonth.objects.filter(cell__in=batch, month__in=months)
            }
            for summary in Ledger(batch, months).summaries():
                row = stored.get((summary.cell.pk, summary.month))
                expected = summary.figures()
                if row is None and not (summary.members or summary.collected):
                    continue  # a cell with no fee that month needs no row until refreshed
                found = {k: getattr(row, k) for k in expected} if row else None
                if found != expected:
                    lines.append(
                        _("%(cell)s %(month)s: stored %(found)s, records give %(expected)s")
                        % {
                            "cell": summary.cell.code,
                            "month": month_label(summary.month),
                            "found": found,
                            "expected": expected,
                        }
                    )
        return lines
