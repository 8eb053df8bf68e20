"""`chibo minutes verify [--org CODE]`; `chibo minutes export --meeting ID --format F --output P`.

verify recomputes every signed minutes' hash and its link to the cell's previous signed
minutes, and exits non-zero naming each meeting whose minutes were changed behind the
application's back. export writes the minutes of one meeting as PDF or DOCX.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chibo.meetings.minutes import signed_minutes, verify_chain
from chibo.meetings.models import Meeting
from chibo.orgs.models import Organisation

FORMATS = ("pdf", "docx")


class Command(BaseCommand):
    help = "Verify the hash chain of the signed minutes, or export one meeting's minutes."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check that no signed minutes were changed.")
        verify.add_argument("--org", metavar="CODE", help="Only the subtree of this organisation.")
        export = sub.add_parser("export", help="Write one meeting's minutes as PDF or DOCX.")
        export.add_argument("--meeting", required=True, metavar="ID", help="The meeting's id.")
        export.add_argument("--format", required=True, dest="fmt", help="pdf or docx.")
        export.add_argument("--output", required=True, metavar="PATH", help="The file to write.")

    def handle(self, *args, action, **options):
        if action == "verify":
            self.verify(options["org"])
        else:
            self.export(options["meeting"], options["fmt"], options["output"])

    def verify(self, code: str | None) -> None:
        org = None
        if code:
            org = Organisation.objects.filter(code=code).first()
            if org is None:
                raise CommandError(_("No organisation has the code %(code)s.") % {"code": code})
        problems = verify_chain(org)
        count = signed_minutes(org).count()
        if not problems:
            self.stdout.write(
                _("Signed minutes checked: %(count)d; none was changed.") % {"count": count}
            )
            return
        for problem in problems:
            self.stdout.write(
                _("Meeting %(id)s (%(cell)s, %(date)s): %(problem)s")
                % {
                    "id": problem.meeting_id,
                    "cell": problem.cell_code,
                    "date": problem.date,
                    "problem": problem.message,
                }
            )
        meetings = sorted({(p.meeting_id, p.cell_code, p.date) for p in problems})
        raise CommandError(
            _("Signed minutes were changed outside the application: %(meetings)s.")
            % {"meetings": "; ".join(f"{i} ({c}, {d})" for i, c, d in meetings)}
        )

    def export(self, meeting_id: str, fmt: str, output: str) -> None:
        from chibo.meetings.documents import minutes_docx, minutes_pdf

        fmt = fmt.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(_("Unknown format %(format)s: use pdf or docx.") % {"format": fmt})
        meeting = None
        if str(meeting_id).isdigit():
            meeting = Meeting.objects.select_related("organisation").filter(pk=meeting_id).first()
        if meeting is None:
            raise CommandError(_("No meeting has the id %(id)s.") % {"id": meeting_id})
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": path.parent})
        data = minutes_pdf(meeting) if fmt == "pdf" else minutes_docx(meeting)
        path.write_bytes(data)
        self.stdout.write(
            _("Minutes of meeting %(id)s written to %(path)s (%(size)d bytes).")
            % {"id": meeting.pk, "path": path, "size": len(data)}
        )
