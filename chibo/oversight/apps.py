from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "chibo.oversight"
    verbose_name = _("Oversight")

    def ready(self):
        from chibo.audit.models import ACTION_LABELS
        from chibo.oversight.models import AUDIT_LABELS
        from chibo.oversight.models.inspection import AUDIT_LABELS as INSPECTION_LABELS
        from chibo.oversight.models.supervision import AUDIT_LABELS as SUPERVISION_LABELS

        for labels in (AUDIT_LABELS, INSPECTION_LABELS, SUPERVISION_LABELS):
            ACTION_LABELS.update(labels)
