from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class RegulationsConfig(AppConfig):
    name = "chibo.regulations"
    verbose_name = _("Regulation packs")

    def ready(self):
        checks.register(check_packs)
        checks.register(check_holidays)


def check_packs(app_configs=None, **kwargs):
    """Report an invalid pack file at start-up rather than when a meeting is scored."""
    from chibo.regulations.loader import PackError, load_packs

    try:
        load_packs()
    except PackError as exc:
        return [checks.Error(str(exc), id="regulations.E001")]
    return []


def check_holidays(app_configs=None, **kwargs):
    """Ask for next year's public holidays once the year is in its last quarter."""
    from django.utils import timezone

    from chibo.regulations.loader import PackError
    from chibo.regulations.workdays import working_calendar

    try:
        calendar = working_calendar()
    except PackError as exc:
        return [checks.Error(str(exc), id="regulations.E002")]
    today = timezone.localdate()
    wanted = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    missing = [y for y in wanted if y not in calendar.years]
    if missing:
        return [
            checks.Warning(
                f"holidays.json lists no public holidays for {', '.join(map(str, missing))}:"
                " working-day deadlines count only weekends and the fixed solar holidays",
                hint="Add the year's days off and make-up days from the government's notice.",
                id="regulations.W002",
            )
        ]
    return []
