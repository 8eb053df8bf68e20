from django.urls import path

from chibo.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:member_id>/", views.detail, name="detail"),
    path("<int:member_id>/edit/", views.edit, name="edit"),
    path("<int:member_id>/change-cell/", views.change_cell, name="change_cell"),
    path("<int:member_id>/reveal/", views.reveal, name="reveal"),
]
