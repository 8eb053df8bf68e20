"""Pages of the member and cell path walked for every role in test_member_pages.py."""

PAGES: set[str] = {
    "reviews:org_reviews",
    "reviews:open_round",
    "reviews:round",
    "reviews:change_dates",
    "reviews:close_round",
    "reviews:cell_sheet",
    "reviews:member_review",
    "reviews:meeting_proposals",
    "reviews:my_review",
}
