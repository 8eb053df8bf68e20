"""Who is calling the API: a login session, or a bearer token."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from chibo.accounts.models import ApiToken

# Recording every use would turn each read into a write; once a minute tells enough.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """Authorization: Bearer <key>, for scripts and other systems."""

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token))
            .first()
        )
        if found is None or not found.is_usable or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return found.user


class SessionAuth(NinjaSessionAuth):
    """The pages' login session; writes must carry the CSRF token, as forms do."""

    def __call__(self, request):
        # Without a session there is nothing to protect: answer 401, not a CSRF refusal.
        if not request.user.is_authenticated:
            return None
        try:
            return super().__call__(request)
        except HttpError as exc:
            raise PermissionDenied(_("CSRF verification failed. Request aborted.")) from exc
