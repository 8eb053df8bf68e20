"""Addresses of the transfer and residence pages."""

from django.urls import path

from chibo.transfers import views

app_name = "transfers"
urlpatterns = [
    path("orgs/<str:code>/transfers/", views.org_transfers, name="org_list"),
    path("orgs/<str:code>/transfers/incoming/", views.incoming, name="incoming"),
    path("orgs/<str:code>/residence/", views.residence, name="residence"),
    path("members/<int:member_id>/transfer/", views.start, name="start"),
    path("members/<int:member_id>/residence/", views.register_residence, name="register"),
    path("transfers/cells/", views.cell_options, name="cell_options"),
    path("transfers/<int:pk>/", views.detail, name="detail"),
    path("transfers/<int:pk>/accept/", views.accept, name="accept"),
    path("transfers/<int:pk>/reissue/", views.reissue, name="reissue"),
    path("transfers/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("transfers/<int:pk>/end/", views.end, name="end"),
    path("transfers/<int:pk>/attach/", views.attach, name="attach"),
    path("transfers/<int:pk>/letter/", views.letter, name="letter"),
    path("residence/<int:pk>/", views.registration, name="registration"),
    path("residence/<int:pk>/contacts/", views.add_contact, name="add_contact"),
    path("residence/<int:pk>/comment/", views.write_comment, name="write_comment"),
    path("residence/<int:pk>/end/", views.end_registration, name="end_registration"),
]
