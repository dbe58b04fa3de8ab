from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reporting.views import home_view

urlpatterns = [
    path("", home_view, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("workload/", include("workload.urls")),
    path("supervision/", include("supervision.urls")),
]
