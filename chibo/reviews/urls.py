"""URLs of the annual review: the member and cell path (views.py), organisations' reports,
decisions and results (decision_views.py), and the official forms (document_views.py)."""

from django.urls import path

from chibo.reviews import decision_views, document_views, views

app_name = "reviews"

urlpatterns = [
    # A committee's rounds; a round; a cell's sheet; a member's review; a review meeting.
    path("orgs/<str:code>/reviews/", views.org_reviews, name="org_reviews"),
    path("orgs/<str:code>/reviews/open/", views.open_round, name="open_round"),
    path("reviews/<int:round_id>/", views.round_detail, name="round"),
    path("reviews/<int:round_id>/dates/", views.change_dates, name="change_dates"),
    path("reviews/<int:round_id>/close/", views.close_round, name="close_round"),
    path("reviews/<int:round_id>/cells/<str:code>/", views.cell_sheet, name="cell_sheet"),
    path(
        "reviews/<int:round_id>/members/<int:member_id>/",
        views.member_review,
        name="member_review",
    ),
    path(
        "reviews/<int:round_id>/meetings/<int:meeting_id>/",
        views.meeting_proposals,
        name="meeting_proposals",
    ),
    path("me/review/", views.my_review, name="my_review"),
    # An organisation's report; a decider's sheet, its decisions and confirmation; results.
    path(
        "reviews/<int:round_id>/orgs/<str:code>/report/",
        decision_views.org_report,
        name="org_report",
    ),
    path(
        "reviews/<int:round_id>/decide/<str:code>/<str:subject>/",
        decision_views.decider_sheet,
        name="decider_sheet",
    ),
    path(
        "reviews/<int:round_id>/decide/<str:code>/<str:subject>/<int:review_id>/",
        decision_views.decide,
        name="decide",
    ),
    path(
        "reviews/<int:round_id>/decide/<str:code>/<str:subject>/confirm/",
        decision_views.confirm,
        name="confirm",
    ),
    path("orgs/<str:code>/reviews/results/", decision_views.results, name="results"),
    # The official forms, filled.
    path(
        "reviews/<int:round_id>/members/<int:member_id>/form.docx",
        document_views.member_form,
        name="member_form",
    ),
    path(
        "reviews/<int:round_id>/orgs/<str:code>/form.docx",
        document_views.org_form,
        name="org_form",
    ),
    path(
        "orgs/<str:code>/reviews/results.docx",
        document_views.results_document,
        name="results_document",
    ),
]
