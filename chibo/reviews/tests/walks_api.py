"""API endpoints walked for every role in this app's tests (test_api.py)."""

API_READS: set[str] = {
    "/reviews/orgs/{code}/rounds",
    "/reviews/rounds/{round_id}",
    "/reviews/rounds/{round_id}/cells/{code}",
    "/reviews/rounds/{round_id}/members/{member_id}",
    "/reviews/rounds/{round_id}/orgs/{code}/report",
    "/reviews/rounds/{round_id}/deciders/{code}/{subject}",
    "/reviews/orgs/{code}/results",
    "/members/{member_id}/reviews",
}
API_WRITES: set[tuple[str, str]] = {
    ("post", "/reviews/orgs/{code}/rounds"),
    ("post", "/reviews/rounds/{round_id}/dates"),
    ("post", "/reviews/rounds/{round_id}/close"),
    ("put", "/reviews/rounds/{round_id}/members/{member_id}/self-review"),
    ("post", "/reviews/rounds/{round_id}/members/{member_id}/proposal"),
    ("post", "/reviews/rounds/{round_id}/members/{member_id}/decision"),
    ("put", "/reviews/rounds/{round_id}/orgs/{code}/report"),
    ("post", "/reviews/rounds/{round_id}/orgs/{code}/decision"),
    ("post", "/reviews/rounds/{round_id}/deciders/{code}/{subject}/confirm"),
}
