"""Load the scheme versions (workload/schemes/*.json), the caseload presets (workload/presets/*.json)
and the role groups.

Reads the data files as they are when it runs; a released file is never edited afterwards: a new
scheme version is a new file loaded by a new migration (or added with services.scheme_version_add).
"""
import json
from pathlib import Path

from django.db import migrations

APP_DIR = Path(__file__).resolve().parent.parent
ROLES = ["administrator", "head_of_service", "team_manager", "social_worker", "smt"]


def load(apps, schema_editor):
    Scheme = apps.get_model("workload", "Scheme")
    SchemeVersion = apps.get_model("workload", "SchemeVersion")
    CaseloadPreset = apps.get_model("workload", "CaseloadPreset")
    Group = apps.get_model("auth", "Group")
    for path in sorted((APP_DIR / "schemes").glob("*.json")):
        data = json.loads(path.read_text())
        family = data.get("family") or data["slug"].rsplit("-", 1)[0]  # "swindon-cws-v1" -> "swindon-cws"
        scheme, _ = Scheme.objects.get_or_create(
            code=family,
            defaults={
                "name": data.get("family_label") or data.get("authority") or data["label"],
                "authority": data.get("authority", ""),
                "rules": data["rules"],
            },
        )
        SchemeVersion.objects.update_or_create(
            slug=data["slug"], defaults={"scheme": scheme, "label": data["label"], "data": data}
        )
    for path in sorted((APP_DIR / "presets").glob("*.json")):
        data = json.loads(path.read_text())
        CaseloadPreset.objects.update_or_create(code=data["code"], defaults={"label": data["label"], "data": data})
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("workload", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
