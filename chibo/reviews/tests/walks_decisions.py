"""Pages of organisations' reports, decisions and results, walked for every role in
test_decision_pages.py."""

PAGES: set[str] = {
    "reviews:org_report",
    "reviews:decider_sheet",
    "reviews:decide",
    "reviews:confirm",
    "reviews:results",
}
