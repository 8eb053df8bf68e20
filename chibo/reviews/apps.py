from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "chibo.reviews"
    verbose_name = _("Annual review")

    def ready(self):
        from chibo.audit.models import ACTION_LABELS
        from chibo.reviews.models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)
