"""Pages and API endpoints whose access table is walked in this app's own tests
(test_pages.py and test_api.py)."""

PAGES: set[str] = {
    "fees:year",
    "fees:shares",
    "fees:year_xlsx",
    "fees:month",
    "fees:month_xlsx",
    "fees:tick",
    "fees:remit",
    "fees:member",
    "fees:set_basis",
    "fees:exempt",
    "fees:end_exemption",
    "fees:reduce",
    "fees:pay",
    "fees:cancel_payment",
    "fees:mine",
}
API_READS: set[str] = {
    "/fees/members/{member_id}",
    "/me/fees",
    "/fees/cells/{code}/months/{month}",
    "/fees/cells/{code}/months/{month}/report.xlsx",
    "/fees/orgs/{code}/years/{year}",
    "/fees/orgs/{code}/years/{year}/summary.xlsx",
    "/fees/orgs/{code}/remittances/{month}",
    "/fees/orgs/{code}/shares",
}
API_WRITES: set[tuple[str, str]] = {
    ("post", "/fees/members/{member_id}/bases"),
    ("post", "/fees/members/{member_id}/exemptions"),
    ("post", "/fees/exemptions/{exemption_id}/end"),
    ("post", "/fees/members/{member_id}/reductions"),
    ("post", "/fees/members/{member_id}/payments"),
    ("post", "/fees/payments/{payment_id}/cancel"),
    ("post", "/fees/cells/{code}/months/{month}/remittance"),
    ("post", "/fees/orgs/{code}/shares"),
}
