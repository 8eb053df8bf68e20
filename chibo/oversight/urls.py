from django.urls import path

from chibo.oversight import inspection_urls, supervision_urls, views

app_name = "oversight"
urlpatterns = [
    path("orgs/<str:code>/dashboard/", views.dashboard, name="dashboard"),
    path("orgs/<str:code>/warnings/", views.warning_list, name="warnings"),
    path("warnings/<int:warning_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
urlpatterns += supervision_urls.urlpatterns + inspection_urls.urlpatterns
