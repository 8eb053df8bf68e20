from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.accounts.models import CELL_ROLES, COMMITTEE_ROLES, RoleKind


class GrantRoleForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    kind = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = CELL_ROLES if org.is_cell else COMMITTEE_ROLES
        self.fields["kind"].choices = [(k.value, RoleKind(k).label) for k in kinds]


class OpenAccountForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
