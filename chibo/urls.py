from django.contrib.auth import views as auth_views
from django.urls import include, path

from chibo.api.urls import api
from chibo.web import views as web

urlpatterns = [
    path("healthz", web.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/accounts/password/done/"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", web.home, name="home"),
    path("orgs/", include("chibo.orgs.urls")),
    path("members/", include("chibo.members.urls")),
    path("audit/", include("chibo.audit.urls")),
    path("manage/", include("chibo.accounts.urls")),
    path("", include("chibo.meetings.urls")),
    path("", include("chibo.admissions.urls")),
    path("", include("chibo.transfers.urls")),
    path("", include("chibo.fees.urls")),
    path("", include("chibo.oversight.urls")),
    path("", include("chibo.reviews.urls")),
]
