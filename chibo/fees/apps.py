from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "chibo.fees"
    verbose_name = _("Party fees")

    def ready(self):
        from chibo.audit.models import ACTION_LABELS
        from chibo.fees.models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)
