"""Pages and API endpoints whose access table is walked in this app's own tests
(test_pages.py and test_api.py), with candidates and probations to walk."""

PAGES: set[str] = {
    "admissions:cell",
    "admissions:create",
    "admissions:deadlines",
    "admissions:candidate",
    "admissions:edit",
    "admissions:document_file",
    "admissions:probation",
    "admissions:add_introducer",
    "admissions:remove_introducer",
    "admissions:document",
    "admissions:vote",
    "admissions:committee",
    "admissions:decide",
    "admissions:close",
    "admissions:ceremony",
    "admissions:recognition_vote",
    "admissions:recognition",
    "admissions:open_probation",
}
API_READS: set[str] = {
    "/admissions/orgs/{code}/candidates",
    "/admissions/candidates/{candidate_id}",
    "/admissions/candidates/{candidate_id}/documents/{key}/file",
    "/admissions/orgs/{code}/probations",
    "/admissions/probations/{probation_id}",
    "/admissions/orgs/{code}/deadlines",
}
API_WRITES: set[tuple[str, str]] = {
    ("post", "/admissions/orgs/{code}/candidates"),
    ("patch", "/admissions/candidates/{candidate_id}"),
    ("post", "/admissions/candidates/{candidate_id}/introducers"),
    ("delete", "/admissions/candidates/{candidate_id}/introducers/{introducer_id}"),
    ("post", "/admissions/candidates/{candidate_id}/documents/{key}"),
    ("post", "/admissions/candidates/{candidate_id}/vote"),
    ("post", "/admissions/candidates/{candidate_id}/committee-resolution"),
    ("post", "/admissions/candidates/{candidate_id}/decision"),
    ("post", "/admissions/candidates/{candidate_id}/close"),
    ("post", "/admissions/members/{member_id}/probation"),
    ("post", "/admissions/probations/{probation_id}/ceremony"),
    ("post", "/admissions/probations/{probation_id}/vote"),
    ("post", "/admissions/probations/{probation_id}/decision"),
}
