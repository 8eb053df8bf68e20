"""Pages and API endpoints whose access table is walked in this app's own tests."""

PAGES: set[str] = set()
API_READS: set[str] = set()
API_WRITES: set[tuple[str, str]] = set()
