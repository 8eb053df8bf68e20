from django.urls import path

from chibo.accounts import views

app_name = "accounts"
urlpatterns = [
    path("orgs/<str:code>/roles/", views.org_roles, name="org_roles"),
    path("roles/<int:role_id>/revoke/", views.revoke, name="revoke"),
    path("members/<int:member_id>/account/", views.open_account, name="open_account"),
]
