from django.contrib import admin
from django.urls import include, path

import workload.signin_admin  # noqa: F401  the sign-in audit, read-only in the admin
from reporting.views import home_view
from workload.signin import LoginView, PasswordResetView

urlpatterns = [
    path("", home_view, name="home"),
    # Before django.contrib.auth.urls, so these answer for the same URLs and names.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("workload/", include("workload.urls")),
    path("supervision/", include("supervision.urls")),
    path("reporting/", include("reporting.urls")),
    path("inputs/", include("reporting.input_urls")),
    path("imports/", include("reporting.import_urls")),
    path("dashboards/", include("reporting.dashboard_urls")),
    path("reports/", include("reporting.report_urls")),
]
