"""URLs of the inspection pages; part of the oversight namespace (see urls.py)."""

from django.urls import path

from chibo.oversight import inspection_views as views

urlpatterns: list = [
    path("orgs/<str:code>/inspection/", views.programme, name="inspection_programme"),
    path("orgs/<str:code>/inspection/plans/", views.add_plan, name="inspection_add_plan"),
    path(
        "inspection/plans/<int:plan_id>/approve/",
        views.approve_plan,
        name="inspection_approve_plan",
    ),
    path("orgs/<str:code>/inspection/new/", views.new_inspection, name="inspection_new"),
    path(
        "orgs/<str:code>/inspection/statistics/",
        views.statistics,
        name="inspection_statistics",
    ),
    path("inspection/<int:inspection_id>/", views.inspection_detail, name="inspection_detail"),
    path("inspection/<int:inspection_id>/step/", views.record_step, name="inspection_step"),
    path("inspection/<int:inspection_id>/conclusion/", views.conclude, name="inspection_conclude"),
    path("orgs/<str:code>/complaints/", views.complaints, name="inspection_complaints"),
    path("complaints/<int:complaint_id>/", views.complaint_detail, name="inspection_complaint"),
    path("orgs/<str:code>/discipline/", views.discipline, name="inspection_discipline"),
    path("orgs/<str:code>/discipline/new/", views.new_decision, name="inspection_decide"),
    path("discipline/<int:decision_id>/annul/", views.annul, name="inspection_annul"),
]
