"""Pages and API endpoints whose access table is walked in this app's own tests."""

PAGES: set[str] = set()  # URL names, e.g. "transfers:detail"
API_READS: set[str] = set()  # OpenAPI paths without /api/v1, e.g. "/transfers/{id}"
API_WRITES: set[tuple[str, str]] = set()  # (method, path)
