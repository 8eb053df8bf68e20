"""The oversight app's models, one module per part of the story:

- rollup: the monthly roll-up of each cell's meetings (MonthFigures);
- warning: the early warnings (EarlyWarning);
- supervision: followers of cells, their visits, members under attention;
- inspection: inspection and supervision programmes, complaints, discipline.
"""

from django.utils.translation import gettext_lazy as _

from chibo.oversight.models.inspection import *  # noqa: F403 - the module's __all__
from chibo.oversight.models.rollup import COUNTS, QUALITY_LABELS, QUALITY_LEVELS, MonthFigures
from chibo.oversight.models.supervision import *  # noqa: F403 - the module's __all__
from chibo.oversight.models.warning import (
    ACTIVE_STATES,
    EarlyWarning,
    OpenWarnings,
    WarningState,
)

__all__ = [
    "ACTIVE_STATES",
    "AUDIT_LABELS",
    "COUNTS",
    "QUALITY_LABELS",
    "QUALITY_LEVELS",
    "EarlyWarning",
    "MonthFigures",
    "OpenWarnings",
    "WarningState",
]

AUDIT_LABELS = {
    "warning.acknowledge": _("Warning acknowledged"),
}
