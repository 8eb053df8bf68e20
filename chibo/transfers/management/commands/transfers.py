"""`chibo transfers`: the daily job of transfers, idempotent (run it from cron or a timer).

Ends every temporary transfer whose end day has come: the member takes part in the home cell
again and the planned meetings' invitations follow.
"""

from django.core.management.base import BaseCommand

from chibo.transfers.actions import end_due_temporaries


class Command(BaseCommand):
    help = "End the temporary transfers whose end day has come."

    def handle(self, *args, **options):
        ended = end_due_temporaries()
        self.stdout.write(f"{ended} temporary transfers ended.")
