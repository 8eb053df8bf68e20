"""Pages and endpoints whose access tables live in an app's own tests.

An app whose pages need objects of its own to walk (a candidate, a transfer, a fee month)
walks them for every role in its tests and lists them in chibo/<app>/tests/walks.py; the
completeness checks of test_access.py and test_api.py count them as covered.
"""

import importlib

APPS = ("members", "admissions", "transfers", "fees", "oversight", "reviews")

PAGES: set[str] = set()
API_READS: set[str] = set()
API_WRITES: set[tuple[str, str]] = set()

for _app in APPS:
    _walks = importlib.import_module(f"chibo.{_app}.tests.walks")
    PAGES |= _walks.PAGES
    API_READS |= _walks.API_READS
    API_WRITES |= _walks.API_WRITES
