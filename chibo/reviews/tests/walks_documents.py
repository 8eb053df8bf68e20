"""Pages walked for every role in this app's tests (test_documents.py)."""

PAGES: set[str] = {"reviews:member_form", "reviews:org_form", "reviews:results_document"}
