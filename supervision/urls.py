from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("me/", views.my_workload_view, name="my-workload"),
]
