"""Pages and API endpoints whose access table is walked in this app's own tests: those of a
member's path (chibo/members/tests/test_lifecycle_pages.py and test_lifecycle_api.py)."""

PAGES: set[str] = {
    "members:end",
    "members:removals",
    "members:propose_removal",
    "members:decide_removal",
    "members:add_training",
    "members:remove_training",
    "members:badges",
    "members:award_badge",
    "members:corrections",
    "members:ask_correction",
    "members:decide_correction",
}
API_READS: set[str] = {
    "/members/orgs/{code}/removals",
    "/members/removal-proposals/{proposal_id}",
    "/members/{member_id}/trainings",
    "/members/{member_id}/badges",
    "/members/orgs/{code}/badges",
    "/members/{member_id}/corrections",
    "/members/orgs/{code}/corrections",
}
API_WRITES: set[tuple[str, str]] = {
    ("post", "/members/{member_id}/end"),
    ("post", "/members/{member_id}/removal-proposals"),
    ("post", "/members/removal-proposals/{proposal_id}/decision"),
    ("post", "/members/{member_id}/trainings"),
    ("delete", "/members/trainings/{training_id}"),
    ("post", "/members/{member_id}/badges"),
    ("post", "/members/{member_id}/corrections"),
    ("post", "/members/corrections/{correction_id}/approve"),
    ("post", "/members/corrections/{correction_id}/refuse"),
}
