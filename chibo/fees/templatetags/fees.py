"""Money in đồng on the fee pages: {{ amount|dong }} shows "1.234.000 đ" in Vietnamese and
"1,234,000 đ" in English; {{ month|month_label }} shows "05/2026"."""

from django import template
from django.utils.formats import number_format

from chibo.fees.arithmetic import month_label as _month_label

register = template.Library()

# A non-breaking space keeps "đ" on the line of its number on a narrow phone.
DONG = "\xa0đ"


def format_dong(amount) -> str:
    """Return a whole number of đồng with the language's thousands separator and "đ"."""
    if amount is None or amount == "":
        return ""
    return number_format(int(amount), decimal_pos=0, force_grouping=True) + DONG


@register.filter
def dong(amount) -> str:
    return format_dong(amount)


@register.filter
def month_label(month) -> str:
    return _month_label(month) if month else ""
