"""The Celery application: configured from Django settings (CELERY_* names), tasks autodiscovered."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("caseweight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["reporting"], related_name="import_tasks")  # the in-app import's tasks (docs/import.md)
