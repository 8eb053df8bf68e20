from django.urls import path

from chibo.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("options/", views.options, name="options"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.tree_children, name="children"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/new/", views.add_child, name="add_child"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/merge/", views.merge, name="merge"),
    path("<str:code>/split/", views.split, name="split"),
    path("<str:code>/close/", views.close, name="close"),
]
