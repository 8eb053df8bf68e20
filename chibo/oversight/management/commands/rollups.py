"""`chibo rollups verify [--org CODE]`; `chibo rollups rebuild [--org CODE]`.

verify recomputes the monthly meeting roll-up (CellMonth) of every cell of the subtree from
the records and names each difference, exiting non-zero when there is one. rebuild rewrites
the rows from the records: after a bulk load, or to repair what verify found.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chibo.orgs.models import Organisation
from chibo.oversight import rollups


class Command(BaseCommand):
    help = "Check the monthly meeting roll-up against the records, or rewrite it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("verify", "Recompute the roll-up and report any difference."),
            ("rebuild", "Rewrite the roll-up from the records."),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument("--org", metavar="CODE", help="Only the cells under it.")

    def handle(self, *args, action, org, **options):
        scope = None
        if org:
            scope = Organisation.objects.filter(code=org).first()
            if scope is None:
                raise CommandError(_("No organisation has the code %(code)s.") % {"code": org})
        if action == "rebuild":
            count = rollups.rebuild(scope)
            self.stdout.write(_("Roll-up rows written or removed: %(count)d.") % {"count": count})
            return
        differences = rollups.verify(scope)
        if scope is None:
            differences += rollups.verify_open_warnings()
        for d in differences:
            self.stdout.write(
                _("%(cell)s %(month)s %(field)s: stored %(stored)s, records say %(computed)s")
                % {
                    "cell": d.organisation,
                    "month": date_format(d.month, "YEAR_MONTH_FORMAT") if d.month else "—",
                    "field": d.field,
                    "stored": d.stored,
                    "computed": d.computed,
                }
            )
        if differences:
            raise CommandError(
                _("%(count)d roll-up figures differ from the records.")
                % {"count": len(differences)}
            )
        self.stdout.write(_("Roll-up checked: no figure differs from the records."))
