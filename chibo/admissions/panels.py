"""This app's part of the member's and the organisation's pages (see chibo/web/panels.py)."""


def member_panel(request, member) -> dict | None:
    return None


def org_links(request, org) -> list[tuple[str, str]]:
    return []
