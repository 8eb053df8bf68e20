"""What other apps add to a member's page and an organisation's page.

Each app of a member's path (admissions, transfers, fees) has a `panels` module with:

    member_panel(request, member) -> dict | None   (optional)
        the context of "<app>/_member_panel.html" on the member's page, or None to show
        nothing (the user may not see it, or there is nothing to show);
    org_links(request, org) -> list[tuple[str, str]]
        (label, url) buttons for the organisation's page, only those the user may follow.

The member and organisation pages stay the same whatever apps are installed.
"""

from importlib import import_module

PANEL_APPS = ("oversight", "admissions", "transfers", "fees", "reviews", "members")


def _modules():
    return [import_module(f"chibo.{app}.panels") for app in PANEL_APPS]


def member_panels(request, member) -> list[tuple[str, dict]]:
    panels = []
    for app, module in zip(PANEL_APPS, _modules(), strict=True):
        # An app whose records the member's page shows itself (members) has no panel.
        if not hasattr(module, "member_panel"):
            continue
        context = module.member_panel(request, member)
        if context is not None:
            panels.append((f"{app}/_member_panel.html", context))
    return panels


def org_links(request, org) -> list[tuple[str, str]]:
    return [link for module in _modules() for link in module.org_links(request, org)]
