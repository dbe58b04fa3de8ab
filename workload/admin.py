"""Admin for reference data. Changes that carry rules (memberships, scheme versions) go through services."""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from workload import services
from workload.models import (
    Absence,
    Allocation,
    CapacityReduction,
    Case,
    CaseloadPreset,
    Membership,
    Scheme,
    SchemeVersion,
    ServiceArea,
    Team,
    TeamPolicy,
    TeamScheme,
    Worker,
)


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "head_of_service")


class TeamSchemeInline(admin.TabularInline):
    model = TeamScheme
    extra = 0


class TeamPolicyInline(admin.TabularInline):
    model = TeamPolicy
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "service_area", "is_active")
    list_filter = ("service_area", "is_active")
    search_fields = ("name", "code")
    filter_horizontal = ("managers",)
    inlines = [TeamSchemeInline, TeamPolicyInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    readonly_fields = ("team", "start", "end")  # moves go through membership_move (no overlaps)
    can_delete = False


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ("full_name", "team", "position", "employment_type", "wte", "case_holding", "is_active")
    list_filter = ("team", "position", "employment_type", "case_holding", "is_active")
    search_fields = ("first_name", "surname", "email", "registration_number")
    list_select_related = ("team",)
    autocomplete_fields = ("user", "supervisor")
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        """New workers and team moves keep the membership history in step (services own that rule)."""
        today = timezone.localdate()
        if not change and form.cleaned_data.get("team") is not None:
            data = {k: v for k, v in form.cleaned_data.items() if k != "team"}
            created = services.worker_create(team=form.cleaned_data["team"], start=today, **data)
            obj.pk, obj._state.adding = created.pk, False
            return
        if "team" in form.changed_data and obj.team is not None:
            new_team = obj.team
            obj.team = Worker.objects.get(pk=obj.pk).team
            super().save_model(request, obj, form, change)
            try:
                services.membership_move(worker=obj, team=new_team, start=today)
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            return
        super().save_model(request, obj, form, change)


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    autocomplete_fields = ("worker",)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("reference", "team", "children", "category", "opened", "closed")
    list_filter = ("team",)
    search_fields = ("reference",)
    inlines = [AllocationInline]


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "rules")


@admin.register(SchemeVersion)
class SchemeVersionAdmin(admin.ModelAdmin):
    """Read-only: a version's tables never change; add a new version instead."""

    list_display = ("label", "slug", "scheme", "created_at")
    readonly_fields = ("scheme", "slug", "label", "data", "created_at", "created_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseloadPreset)
class CaseloadPresetAdmin(admin.ModelAdmin):
    list_display = ("code", "label")
    readonly_fields = ("code", "label", "data")

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Absence)
admin.site.register(CapacityReduction)
admin.site.site_header = "Caseweight administration"
admin.site.site_title = "Caseweight"
