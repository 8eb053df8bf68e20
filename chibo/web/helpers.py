"""Small helpers that every app's views share."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404


def add_action_errors(form, exc: ValidationError) -> None:
    """Show an action's validation errors on the form, next to the field they concern."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def get_or_404(queryset, **lookup):
    """Return the object, or 404 when it does not exist or is out of the user's reach.

    Out-of-reach objects answer 404 rather than 403 so that IDs do not reveal what exists.
    """
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def paginate(request, queryset, per_page: int = 50):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
