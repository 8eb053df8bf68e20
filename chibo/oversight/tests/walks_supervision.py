"""Pages and API endpoints of supervision whose access table is walked in this app's tests
(test_supervision.py and test_attention.py)."""

PAGES: set[str] = {
    "oversight:followers",
    "oversight:follower_options",
    "oversight:end_following",
    "oversight:record_visit",
    "oversight:my_cells",
    "oversight:cell_visits",
    "oversight:coverage",
    "oversight:attention",
    "oversight:open_attention",
    "oversight:attention_case",
    "oversight:edit_attention",
    "oversight:close_attention",
}
API_READS: set[str] = {
    "/oversight/orgs/{code}/followers",
    "/oversight/orgs/{code}/visits",
    "/oversight/orgs/{code}/coverage",
    "/oversight/me/following",
    "/oversight/orgs/{code}/attention",
    "/oversight/attention/{case_id}",
}
API_WRITES: set[tuple[str, str]] = {
    ("post", "/oversight/orgs/{code}/followers"),
    ("post", "/oversight/followers/{assignment_id}/end"),
    ("post", "/oversight/followers/{assignment_id}/visits"),
    ("post", "/oversight/orgs/{code}/attention"),
    ("patch", "/oversight/attention/{case_id}"),
    ("post", "/oversight/attention/{case_id}/close"),
}
