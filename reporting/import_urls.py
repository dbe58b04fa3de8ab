from django.urls import path

from reporting import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.batch_list_view, name="batch-list"),
    path("new/", import_views.batch_upload_view, name="batch-upload"),
    path("<int:pk>/", import_views.batch_detail_view, name="batch-detail"),
    path("<int:pk>/columns/", import_views.batch_mapping_view, name="batch-mapping"),
    path("<int:pk>/check/", import_views.batch_check_view, name="batch-check"),
    path("<int:pk>/confirm/", import_views.batch_confirm_view, name="batch-confirm"),
    path("<int:pk>/progress/", import_views.batch_progress_view, name="batch-progress"),
]
