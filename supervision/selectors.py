"""Reads for pro-formas and supervision. Access rules live here: entry_get_for_user raises Http404."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q

from supervision.models import EntryStatus, ProformaEntry
from workload.models import Team, Worker


def team_month_progress(*, teams: list[Team], month: date) -> dict[int, dict[str, int]]:
    """Per team: how many current entries of the month are in each status (one grouped query)."""
    rows = (
        ProformaEntry.objects.current()
        .filter(team__in=[t.pk for t in teams], month=month)
        .values("team_id", "status")
        .annotate(n=Count("pk"))
    )
    progress: dict[int, dict[str, int]] = defaultdict(lambda: {s: 0 for s in EntryStatus.values})
    for row in rows:
        progress[row["team_id"]][row["status"]] = row["n"]
    return {team.pk: dict(progress[team.pk]) for team in teams}


def worker_home_summary(*, worker: Worker) -> dict:
    """What a worker needs on their home page: entries awaiting their signature and their latest score."""
    entries = ProformaEntry.objects.current().filter(worker=worker).select_related("scheme_version")
    awaiting = list(entries.filter(status=EntryStatus.SUBMITTED).order_by("month"))
    latest = entries.filter(status=EntryStatus.COUNTERSIGNED).order_by("-month").first()
    counts = entries.aggregate(
        countersigned=Count("pk", filter=Q(status=EntryStatus.COUNTERSIGNED)),
        disputed=Count("pk", filter=Q(status=EntryStatus.DISPUTED)),
    )
    return {"worker": worker, "awaiting": awaiting, "latest": latest, **counts}
