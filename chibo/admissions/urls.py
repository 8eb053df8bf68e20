"""The admission and probation pages: one URL each, named for the walks in tests/walks.py."""

from django.urls import path

from chibo.admissions import views

app_name = "admissions"
urlpatterns = [
    path("orgs/<str:code>/admissions/", views.cell_cases, name="cell"),
    path("orgs/<str:code>/admissions/new/", views.create, name="create"),
    path("orgs/<str:code>/admissions/deadlines/", views.deadlines, name="deadlines"),
    path("admissions/<int:candidate_id>/", views.candidate, name="candidate"),
    path("admissions/<int:candidate_id>/edit/", views.edit, name="edit"),
    path("admissions/<int:candidate_id>/introducers/", views.add_introducer, name="add_introducer"),
    path(
        "admissions/<int:candidate_id>/introducers/<int:introducer_id>/remove/",
        views.remove_introducer,
        name="remove_introducer",
    ),
    path("admissions/<int:candidate_id>/documents/<str:key>/", views.document, name="document"),
    path(
        "admissions/<int:candidate_id>/documents/<str:key>/file/",
        views.document_file,
        name="document_file",
    ),
    path("admissions/<int:candidate_id>/vote/", views.vote, name="vote"),
    path("admissions/<int:candidate_id>/committee/", views.committee, name="committee"),
    path("admissions/<int:candidate_id>/decision/", views.decide, name="decide"),
    path("admissions/<int:candidate_id>/close/", views.close, name="close"),
    path("probations/<int:probation_id>/", views.probation, name="probation"),
    path("probations/<int:probation_id>/ceremony/", views.ceremony, name="ceremony"),
    path("probations/<int:probation_id>/vote/", views.recognition_vote, name="recognition_vote"),
    path("probations/<int:probation_id>/decision/", views.recognition, name="recognition"),
    path("probations/open/<int:member_id>/", views.open_probation, name="open_probation"),
]
