"""Make sure every role the capability map names has its auth group.

0002 created the five groups from a list of its own; this reads the map (workload/capabilities.py is
plain data, no models), so a role added to the map on a fresh database gets its group too. Existing
groups are left alone; nothing to undo."""
from django.db import migrations


def ensure_role_groups(apps, schema_editor):
    from workload.capabilities import roles_in_map  # plain data: importing it here is safe

    Group = apps.get_model("auth", "Group")
    for name in sorted(roles_in_map()):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("workload", "0003_snapshot_date_index"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(ensure_role_groups, migrations.RunPython.noop)]
