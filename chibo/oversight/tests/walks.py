"""Pages and API endpoints whose access table is walked in this app's own tests."""

from chibo.oversight.tests import walks_inspection, walks_supervision

PAGES: set[str] = {
    "oversight:dashboard",
    "oversight:warnings",
    "oversight:acknowledge",
}
API_READS: set[str] = {
    "/oversight/orgs/{code}/dashboard",
    "/oversight/orgs/{code}/warnings",
}
API_WRITES: set[tuple[str, str]] = {
    ("post", "/oversight/warnings/{warning_id}/acknowledge"),
}

for _part in (walks_supervision, walks_inspection):
    PAGES |= _part.PAGES
    API_READS |= _part.API_READS
    API_WRITES |= _part.API_WRITES
