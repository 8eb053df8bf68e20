"""Pages and API endpoints of inspection whose access table is walked in this app's tests
(test_inspection_pages.py and test_inspection_api.py)."""

PAGES: set[str] = {
    "oversight:inspection_programme",
    "oversight:inspection_add_plan",
    "oversight:inspection_approve_plan",
    "oversight:inspection_new",
    "oversight:inspection_statistics",
    "oversight:inspection_detail",
    "oversight:inspection_step",
    "oversight:inspection_conclude",
    "oversight:inspection_complaints",
    "oversight:inspection_complaint",
    "oversight:inspection_discipline",
    "oversight:inspection_decide",
    "oversight:inspection_annul",
}
API_READS: set[str] = {
    "/oversight/orgs/{code}/inspection/programme",
    "/oversight/orgs/{code}/inspections",
    "/oversight/inspections/{inspection_id}",
    "/oversight/orgs/{code}/complaints",
    "/oversight/complaints/{complaint_id}",
    "/oversight/orgs/{code}/discipline",
    "/oversight/discipline/{decision_id}",
    "/oversight/orgs/{code}/inspection/statistics",
}
API_WRITES: set[tuple[str, str]] = {
    ("post", "/oversight/orgs/{code}/inspection/plans"),
    ("post", "/oversight/inspection/plans/{plan_id}/approve"),
    ("post", "/oversight/orgs/{code}/inspections"),
    ("post", "/oversight/inspections/{inspection_id}/steps"),
    ("post", "/oversight/inspections/{inspection_id}/conclusion"),
    ("post", "/oversight/orgs/{code}/complaints"),
    ("post", "/oversight/complaints/{complaint_id}/handle"),
    ("post", "/oversight/orgs/{code}/discipline"),
    ("post", "/oversight/discipline/{decision_id}/annul"),
}
