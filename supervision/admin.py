"""Read-only admin for pro-formas and their evidence. Every change goes through supervision.services, which
enforces the workflow and writes the audit trail; the admin is for looking, not editing."""
from django.contrib import admin

from supervision.models import (
    AuditEvent,
    Countersignature,
    Dispute,
    EntryLine,
    ProformaEntry,
    SupervisionSession,
    TeamMonth,
    WorkloadConcern,
)
from workload.admin import ReadOnlyAdmin, ReadOnlyInline


class EntryLineInline(ReadOnlyInline):
    model = EntryLine
    fields = ("position", "reference", "children", "category", "factors", "co_worked", "co_work_share",
              "not_allocated", "points")


class AuditEventInline(ReadOnlyInline):
    model = AuditEvent
    fields = ("at", "actor", "action", "data", "ip_address")


@admin.register(ProformaEntry)
class ProformaEntryAdmin(ReadOnlyAdmin):
    list_display = ("worker", "team", "month", "revision", "is_current", "status", "total_points", "band")
    list_filter = ("status", "is_current", "team", "month")
    search_fields = ("worker__first_name", "worker__surname", "team__name")
    list_select_related = ("worker", "team")
    date_hierarchy = "month"
    inlines = [EntryLineInline, AuditEventInline]


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(ReadOnlyAdmin):
    list_display = ("worker", "held_on", "held", "kind", "supervisor", "next_due")
    list_filter = ("held", "kind")
    list_select_related = ("worker", "supervisor")
    search_fields = ("worker__first_name", "worker__surname")


@admin.register(Countersignature)
class CountersignatureAdmin(ReadOnlyAdmin):
    list_display = ("entry", "signed_by", "typed_name", "signed_at", "ip_address")
    list_select_related = ("entry__worker", "signed_by")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("entry", "raised_by", "raised_at", "resolved_at")
    list_select_related = ("entry__worker", "raised_by")


@admin.register(WorkloadConcern)
class WorkloadConcernAdmin(ReadOnlyAdmin):
    list_display = ("worker", "created_at", "status", "responded_at")
    list_filter = ("status",)
    list_select_related = ("worker",)


@admin.register(TeamMonth)
class TeamMonthAdmin(ReadOnlyAdmin):
    list_display = ("team", "month", "unallocated_cases", "updated_at")
    list_select_related = ("team",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "ip_address")
    list_filter = ("action", "target_type")
    list_select_related = ("actor",)
    date_hierarchy = "at"
