"""`chibo token create USERNAME --name N [--days D]` and `chibo token revoke PREFIX`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chibo.accounts.actions import issue_token, revoke_tokens
from chibo.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create an API token for a user (the key is printed once), or revoke tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print its key.")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument("--days", type=int, help="Days until it expires; never if omitted.")
        revoke = sub.add_parser("revoke", help="Revoke the tokens whose key starts so.")
        revoke.add_argument("prefix", help="The 8 characters after chb_, as listed.")

    def handle(self, *args, action, **options):
        if action == "create":
            self.create(options["username"], options["name"], options["days"])
        else:
            self.revoke(options["prefix"])

    def create(self, username, name, days):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        try:
            token, key = issue_token(None, user, name, days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # Only the key on stdout, so that a script can capture it.
        self.stdout.write(key)
        self.stderr.write(
            _("Token %(prefix)s for %(name)s; the key is not shown again.")
            % {"prefix": token.prefix, "name": username}
        )

    def revoke(self, prefix):
        prefix = prefix.removeprefix("chb_")[:8]
        count = revoke_tokens(None, ApiToken.objects.filter(prefix=prefix))
        if not count:
            raise CommandError(_("No usable token with prefix %(prefix)s.") % {"prefix": prefix})
        self.stdout.write(_("Tokens revoked: %(count)d.") % {"count": count})
