"""Pages and API endpoints of the review whose access tables are walked in this app's tests;
each part lists its own (see tests/walks.py at the top of the repository)."""

from chibo.reviews.tests.walks_api import API_READS, API_WRITES
from chibo.reviews.tests.walks_decisions import PAGES as DECISION_PAGES
from chibo.reviews.tests.walks_documents import PAGES as DOCUMENT_PAGES
from chibo.reviews.tests.walks_members import PAGES as MEMBER_PAGES

PAGES: set[str] = MEMBER_PAGES | DECISION_PAGES | DOCUMENT_PAGES
__all__ = ["PAGES", "API_READS", "API_WRITES"]
