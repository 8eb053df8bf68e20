"""`chibo warnings run [--org CODE] [--date YYYY-MM-DD]`;
`chibo warnings list [--org CODE] [--state open|acknowledged|resolved|all] [--json]`.

run evaluates the early-warning rules of the packs in force over the subtree (everything by
default) and brings the stored warnings in step: run it daily (cron or a systemd timer); a
second run on the same day changes nothing. list prints the warnings of the subtree, open
and acknowledged by default, or as a JSON array with --json.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.orgs.models import Organisation
from chibo.oversight import warnings
from chibo.oversight.models import EarlyWarning, WarningState

STATES = ("open", "acknowledged", "resolved", "all")


class Command(BaseCommand):
    help = "Evaluate the early-warning rules, or list the warnings."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Evaluate the rules and update the warnings.")
        run.add_argument("--org", metavar="CODE", help="Only the subtree of this organisation.")
        run.add_argument("--date", metavar="YYYY-MM-DD", help="The day to judge; today by default.")
        listing = sub.add_parser("list", help="Print the warnings.")
        listing.add_argument("--org", metavar="CODE", help="Only the subtree of this organisation.")
        listing.add_argument(
            "--state", choices=STATES, help="Only this state; open and acknowledged by default."
        )
        listing.add_argument("--json", action="store_true", help="Print a JSON array.")

    def handle(self, *args, action, org, **options):
        scope = self._org(org)
        if action == "run":
            self._run(scope, self._date(options["date"]))
        else:
            self._list(scope, options["state"], options["json"])

    def _org(self, code):
        if not code:
            return None
        org = Organisation.objects.filter(code=code).first()
        if org is None:
            raise CommandError(_("No organisation has the code %(code)s.") % {"code": code})
        return org

    def _date(self, text):
        if not text:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                _("Enter the date as YYYY-MM-DD, for example 2026-11-25 (not %(text)s).")
                % {"text": text}
            ) from None

    def _run(self, org, today):
        counts = warnings.run(today, org)
        for rule, figures in counts.items():
            self.stdout.write(
                _("%(rule)s: %(raised)d raised, %(open)d still open, %(resolved)d resolved")
                % {"rule": rule, **figures}
            )
        totals = {k: sum(c[k] for c in counts.values()) for k in ("raised", "open", "resolved")}
        self.stdout.write(
            _(
                "Warnings on %(date)s: %(raised)d raised, %(open)d still open, "
                "%(resolved)d resolved."
            )
            % {"date": today.isoformat(), **totals}
        )

    def _list(self, org, state, as_json):
        rows = warnings.warnings_of(org, state or "").order_by("path", "rule", "subject", "id")
        if as_json:
            self.stdout.write(json.dumps([_as_json(w) for w in rows], ensure_ascii=False, indent=2))
            return
        for w in rows:
            self.stdout.write(
                f"{w.organisation.code}\t{WarningState(w.state).label}\t"
                f"{warnings.RULE_LABELS.get(w.rule, w.rule)}\t{warnings.describe(w)}"
            )


def _as_json(w: EarlyWarning) -> dict:
    return {
        "id": w.pk,
        "rule": w.rule,
        "title": str(warnings.RULE_LABELS.get(w.rule, w.rule)),
        "organisation": {"code": w.organisation.code, "name": w.organisation.name},
        "member": {"id": w.member.pk, "name": w.member.full_name} if w.member_id else None,
        "subject": w.subject,
        "source": w.source,
        "evidence": w.evidence,
        "message": warnings.describe(w),
        "state": w.state,
        "note": w.note,
        "raised_on": w.raised_on.isoformat(),
        "resolved_on": w.resolved_on.isoformat() if w.resolved_on else None,
    }
