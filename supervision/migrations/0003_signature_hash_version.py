"""Signatures record which field list their hash covers. Rows signed before this are version 1 (the first
release's list); new ones default to version 2 (everything the worker sees, supervision.fields)."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_entry_over_maximum_and_remedial_action")]

    operations = [
        migrations.AddField("proformaentry", "hash_version", models.PositiveSmallIntegerField(default=1)),
        migrations.AlterField("proformaentry", "hash_version", models.PositiveSmallIntegerField(default=2)),
        migrations.AddField("countersignature", "hash_version", models.PositiveSmallIntegerField(default=1)),
        migrations.AlterField("countersignature", "hash_version", models.PositiveSmallIntegerField(default=2)),
    ]
