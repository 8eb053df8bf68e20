from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "chibo.members"
    verbose_name = _("Members")

    def ready(self):
        from chibo.audit.models import ACTION_LABELS
        from chibo.members.models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)
