"""The JSON API under /api/v1/: one router per app, the same actions and queries as the pages."""

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from chibo.accounts.api import router as accounts_router
from chibo.admissions.api import router as admissions_router
from chibo.api.auth import SessionAuth, TokenAuth
from chibo.audit.api import router as audit_router
from chibo.conflicts import StaleVersion
from chibo.fees.api import router as fees_router
from chibo.meetings.api import router as meetings_router
from chibo.members.api import router as members_router
from chibo.orgs.api import router as orgs_router
from chibo.oversight.api import router as oversight_router
from chibo.oversight.inspection_api import router as inspection_router
from chibo.oversight.supervision_api import router as supervision_router
from chibo.reviews.api import router as reviews_router
from chibo.transfers.api import router as transfers_router

DESCRIPTION = """Sign in with the pages' session (writes need the CSRF token), or send
`Authorization: Bearer <key>` with a key from POST /tokens or `chibo token create`.

Every error answers with one shape:

    {"error": {"code": "invalid", "message": "…", "fields": {"field": ["…"]}}}

code is one of invalid (422), conflict (409), forbidden (403), not_found (404),
unauthorized (401) and bad_request (400). Messages follow Accept-Language: Vietnamese
unless the request asks for English. Something out of the caller's reach answers 404,
as if it did not exist.
"""

api = NinjaAPI(
    title="Chibo API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)
api.add_router("", accounts_router)
api.add_router("/orgs", orgs_router)
api.add_router("/members", members_router)
api.add_router("/audit", audit_router)
api.add_router("", meetings_router)
api.add_router("", admissions_router)
api.add_router("", transfers_router)
api.add_router("", fees_router)
api.add_router("", oversight_router)
api.add_router("", supervision_router)
api.add_router("", inspection_router)
api.add_router("", reviews_router)


def error(request, status: int, code: str, message, fields: dict | None = None):
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    return api.create_response(request, body, status=status)


@api.exception_handler(StaleVersion)
def conflict(request, exc):
    return error(request, 409, "conflict", " ".join(exc.messages))


@api.exception_handler(ValidationError)
def invalid(request, exc):
    if hasattr(exc, "error_dict"):
        fields = dict(exc.message_dict)
        general = fields.pop(NON_FIELD_ERRORS, [])
    else:
        fields, general = {}, exc.messages
    return error(
        request, 422, "invalid", " ".join(general) or _("Some fields are not valid."), fields
    )


@api.exception_handler(RequestInvalid)
def request_invalid(request, exc):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_field_name(err.get("loc", ())), []).append(_pydantic_message(err))
    return error(request, 422, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    message = str(exc) or _("You do not have permission to do this here.")
    return error(request, 403, "forbidden", message)


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def not_found(request, exc):
    return error(request, 404, "not_found", _("There is nothing here, or it is out of your reach."))


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = error(
        request, 401, "unauthorized", _("Sign in, or send an API token as a bearer token.")
    )
    response["WWW-Authenticate"] = 'Bearer realm="chibo"'
    return response


@api.exception_handler(HttpError)
def http_error(request, exc):
    # ninja's own refusals (an unreadable body, mostly) carry English text; answer in ours.
    if exc.status_code == 400:
        return error(request, 400, "bad_request", _("The request body could not be read."))
    return error(request, exc.status_code, "error", str(exc))


def _field_name(loc) -> str:
    """Return the request field an error is about: ("body", "payload", "cell") -> "cell"."""
    parts = [p for p in loc[1:] if isinstance(p, str)]
    # A body's first part is the parameter's name in the Python function, not a field.
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]
    return parts[0] if parts else NON_FIELD_ERRORS


def _pydantic_message(err: dict) -> str:
    """Return a translated message for a pydantic error (its own are English only).

    The texts are Django's own, so they read as its form errors do.
    """
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith("date"):
        return _("Enter a valid date.")
    if kind in ("enum", "literal_error"):
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge")
        }
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le")
        }
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    return _("Enter a valid value.")
