from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class RegulationsConfig(AppConfig):
    name = "chibo.regulations"
    verbose_name = _("Regulation packs")

    def ready(self):
        checks.register(check_packs)


def check_packs(app_configs=None, **kwargs):
    """Report an invalid pack file at start-up rather than when a meeting is scored."""
    from chibo.regulations.loader import PackError, load_packs

    try:
        load_packs()
    except PackError as exc:
        return [checks.Error(str(exc), id="regulations.E001")]
    return []
