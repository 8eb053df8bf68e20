from django.urls import path

from chibo.fees import views

app_name = "fees"
urlpatterns = [
    path("orgs/<str:code>/fees/", views.year, name="year"),
    path("orgs/<str:code>/fees/shares/", views.shares, name="shares"),
    path("orgs/<str:code>/fees/<int:year>.xlsx", views.year_xlsx, name="year_xlsx"),
    path("orgs/<str:code>/fees/<int:year>/<int:month>/", views.month, name="month"),
    path("orgs/<str:code>/fees/<int:year>/<int:month>.xlsx", views.month_xlsx, name="month_xlsx"),
    path(
        "orgs/<str:code>/fees/<int:year>/<int:month>/paid/<int:member_id>/",
        views.tick,
        name="tick",
    ),
    path("orgs/<str:code>/fees/<int:year>/<int:month>/remittance/", views.remit, name="remit"),
    path("members/<int:member_id>/fees/", views.member, name="member"),
    path("members/<int:member_id>/fees/basis/", views.set_basis, name="set_basis"),
    path("members/<int:member_id>/fees/exemptions/", views.exempt, name="exempt"),
    path(
        "members/<int:member_id>/fees/exemptions/<int:exemption_id>/end/",
        views.end_exemption,
        name="end_exemption",
    ),
    path("members/<int:member_id>/fees/reductions/", views.reduce, name="reduce"),
    path("members/<int:member_id>/fees/payments/", views.pay, name="pay"),
    path(
        "members/<int:member_id>/fees/payments/<int:payment_id>/cancel/",
        views.cancel_payment,
        name="cancel_payment",
    ),
    path("me/fees/", views.mine, name="mine"),
]
