"""`chibo stats`: how many organisations and members a subtree holds."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from chibo.members.models import Status
from chibo.orgs.models import CELL_LEVELS, GRASSROOTS_LEVELS, Level, Organisation
from chibo.orgs.queries import subtree_counts


def subtree_stats(org: Organisation) -> dict:
    """Return the open organisations below org and the members of its subtree, counted."""
    counts = subtree_counts(org)
    by_level = counts["organisations"]
    total = sum(by_level.values())
    cells = sum(by_level[level] for level in CELL_LEVELS)
    by_status = {status: counts["members"].get(status, 0) for status in Status.values}
    return {
        "code": org.code,
        "name": org.name,
        "level": org.level,
        "organisations": {
            "total": total,
            "by_level": by_level,
            "by_kind": {"committee": total - cells, "cell": cells},
            "grassroots": sum(by_level[level] for level in GRASSROOTS_LEVELS),
        },
        "members": {
            "total": sum(by_status.values()),
            "current": counts["members_current"],
            "by_status": by_status,
        },
    }


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


class Command(BaseCommand):
    help = "Count the organisations and members of a subtree (default: of every root)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--org",
            action="append",
            metavar="CODE",
            help="Code of the organisation at the top of the subtree; may be given more than once.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print a JSON list, one object per subtree.",
        )

    def handle(self, *args, org=None, as_json=False, **options):
        if org:
            tops = []
            for code in org:
                found = Organisation.objects.filter(code=code).first()
                if found is None:
                    raise CommandError(_("No organisation has the code %(code)s.") % {"code": code})
                tops.append(found)
        else:
            tops = list(Organisation.objects.get_root_nodes())
        results = [subtree_stats(top) for top in tops]
        if as_json:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        elif not results:
            self.stdout.write(_("There are no organisations yet."))
        else:
            for result in results:
                self._write(result)

    def _write(self, result: dict) -> None:
        orgs, members = result["organisations"], result["members"]
        self.stdout.write(f"{result['name']} ({result['code']})")
        self.stdout.write("  " + _("Organisations below it: %s") % _n(orgs["total"]))
        for level in Level:
            if orgs["by_level"][level]:
                self.stdout.write(f"    {level.label}: {_n(orgs['by_level'][level])}")
        self.stdout.write(
            "  "
            + _("Committees: %(committees)s, cells: %(cells)s")
            % {"committees": _n(orgs["by_kind"]["committee"]), "cells": _n(orgs["by_kind"]["cell"])}
        )
        self.stdout.write("  " + _("Grassroots organisations: %s") % _n(orgs["grassroots"]))
        self.stdout.write(
            "  "
            + _("Members: %(total)s, of whom current: %(current)s")
            % {"total": _n(members["total"]), "current": _n(members["current"])}
        )
        for status in Status:
            if members["by_status"][status]:
                self.stdout.write(f"    {status.label}: {_n(members['by_status'][status])}")
