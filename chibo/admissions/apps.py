from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "chibo.admissions"
    verbose_name = _("Admission and probation")

    def ready(self):
        from chibo.admissions.models import AUDIT_LABELS
        from chibo.audit.models import ACTION_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)
