"""`chibo seed`: load the demo, or the Hà Giang province at its published size."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chibo.members.models import Member
from chibo.orgs.models import Organisation
from chibo.seed.demo import DEMO_ACCOUNTS, seed_demo, taken_usernames
from chibo.seed.demo_history import history_accounts
from chibo.seed.province import PROVINCE_ACCOUNTS, is_empty, seed_province


class Command(BaseCommand):
    help = "Load demo data (--scale demo) or the Hà Giang province at full size (--scale province)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", "province"], default="demo")
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Seed of the random choices; the same seed gives the same data.",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Leave out the twelve months of meetings (the organisations, members and "
            "accounts only; much quicker).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has organisations.",
        )

    def handle(self, *args, scale, seed, if_empty, no_history, **options):
        if not is_empty():
            if if_empty:
                self.stdout.write(_("The database already has organisations; nothing loaded."))
                return
            raise CommandError(
                _(
                    "The database already has organisations or members. Seeding needs an empty "
                    "database: use --if-empty to skip quietly, or start from a new database."
                )
            )
        accounts = DEMO_ACCOUNTS if scale == "demo" else PROVINCE_ACCOUNTS
        taken = taken_usernames(accounts)
        if scale == "demo" and not no_history:
            taken += taken_usernames(history_accounts())
        if taken:
            raise CommandError(_("These usernames are already taken: %s") % ", ".join(taken))
        if scale == "demo":
            rows = seed_demo(seed, history=not no_history)
            self.stdout.write(
                _("Demo data loaded: %(orgs)d organisations, %(members)d members.")
                % {"orgs": Organisation.objects.count(), "members": Member.objects.count()}
            )
        else:
            result = seed_province(seed, history=not no_history)
            rows = result["rows"]
            self.stdout.write(
                _(
                    "Province loaded: %(orgs)d organisations, %(members)d members in "
                    "%(seconds).1f s."
                )
                % {
                    "orgs": result["organisations"],
                    "members": result["members"],
                    "seconds": result["seconds"],
                }
            )
        self._print_accounts(rows)

    def _print_accounts(self, rows):
        header = (_("Username"), _("Role"), _("Organisation"), _("Password"))
        table = [header] + [
            (r["username"], r["role"], f"{r['organisation']} ({r['code']})", r["password"])
            for r in rows
        ]
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (for trying out only):"))
        for i, row in enumerate(table):
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
