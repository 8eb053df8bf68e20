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
    path("<int:member_id>/end/", views.end, name="end"),
    path("<int:member_id>/removal/", views.propose_removal, name="propose_removal"),
    path("<int:member_id>/trainings/new/", views.add_training, name="add_training"),
    path("<int:member_id>/badges/new/", views.award_badge, name="award_badge"),
    path("<int:member_id>/corrections/", views.ask_correction, name="ask_correction"),
    path("removals/<int:proposal_id>/", views.decide_removal, name="decide_removal"),
    path("trainings/<int:training_id>/remove/", views.remove_training, name="remove_training"),
    path("corrections/<int:correction_id>/", views.decide_correction, name="decide_correction"),
    path("orgs/<str:code>/removals/", views.removals, name="removals"),
    path("orgs/<str:code>/badges/", views.badges, name="badges"),
    path("orgs/<str:code>/corrections/", views.corrections, name="corrections"),
]
