from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "chibo.transfers"
    verbose_name = _("Transfers and residence contact")

    def ready(self):
        from chibo.audit.models import ACTION_LABELS
        from chibo.transfers.models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)
