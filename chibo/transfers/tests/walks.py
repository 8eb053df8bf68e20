"""Pages and API endpoints whose access table is walked in this app's own tests."""

PAGES: set[str] = {
    "transfers:org_list",
    "transfers:incoming",
    "transfers:residence",
    "transfers:start",
    "transfers:register",
    "transfers:cell_options",
    "transfers:detail",
    "transfers:accept",
    "transfers:reissue",
    "transfers:cancel",
    "transfers:end",
    "transfers:attach",
    "transfers:letter",
    "transfers:registration",
    "transfers:add_contact",
    "transfers:write_comment",
    "transfers:end_registration",
}
API_READS: set[str] = {
    "/transfers/{transfer_id}",
    "/orgs/{code}/transfers",
    "/members/{member_id}/transfers",
    "/transfers/{transfer_id}/letter-file",
    "/members/{member_id}/residence",
    "/orgs/{code}/residence",
    "/residence/{registration_id}",
}
API_WRITES: set[tuple[str, str]] = {
    ("post", "/members/{member_id}/transfers"),
    ("post", "/orgs/{code}/transfers/incoming"),
    ("post", "/transfers/{transfer_id}/letter-file"),
    ("post", "/transfers/{transfer_id}/accept"),
    ("post", "/transfers/{transfer_id}/letter"),
    ("post", "/transfers/{transfer_id}/cancel"),
    ("post", "/transfers/{transfer_id}/end"),
    ("post", "/members/{member_id}/residence"),
    ("post", "/residence/{registration_id}/contacts"),
    ("put", "/residence/{registration_id}/comments/{year}"),
    ("post", "/residence/{registration_id}/end"),
}
