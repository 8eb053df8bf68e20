"""URLs of the supervision pages; part of the oversight namespace (see urls.py)."""

from django.urls import path

from chibo.oversight import supervision_views as views

urlpatterns: list = [
    path("orgs/<str:code>/followers/", views.followers, name="followers"),
    path("orgs/<str:code>/followers/options/", views.follower_options, name="follower_options"),
    path("followers/<int:assignment_id>/end/", views.end_following, name="end_following"),
    path("followers/<int:assignment_id>/visits/new/", views.record_visit, name="record_visit"),
    path("me/following/", views.my_cells, name="my_cells"),
    path("orgs/<str:code>/visits/", views.cell_visits, name="cell_visits"),
    path("orgs/<str:code>/coverage/", views.coverage, name="coverage"),
    path("orgs/<str:code>/attention/", views.attention_list, name="attention"),
    path("orgs/<str:code>/attention/new/", views.open_attention, name="open_attention"),
    path("attention/<int:case_id>/", views.attention_case, name="attention_case"),
    path("attention/<int:case_id>/edit/", views.edit_attention, name="edit_attention"),
    path("attention/<int:case_id>/close/", views.close_attention, name="close_attention"),
]
