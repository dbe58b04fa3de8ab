"""Admin for reference data. Changes that carry rules go through services or are read-only here.

Read-only (no add, change or delete): scheme versions and schemes (a version that scored a month is never
edited; `scheme_version_add` adds one), caseload presets, a team's scheme and policy assignments
(`team_scheme_set`, `team_policy_set`), cases and their allocations (`case_allocate`, `case_close`),
memberships (`membership_move`). Workers are added through `worker_create` and otherwise only viewed.
Plain data stays editable: service areas, team names and managers, absences, capacity reductions."""
from django.contrib import admin
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


class NoWrites:
    """For looking, not editing: changes that carry rules go through the services (workload.services,
    supervision.services), so the admin's add page and every POST are 403 and the change page has no Save."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    pass


class ReadOnlyInline(NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "head_of_service")


class TeamSchemeInline(ReadOnlyInline):
    model = TeamScheme  # team_scheme_set: never retroactive over countersigned months


class TeamPolicyInline(ReadOnlyInline):
    model = TeamPolicy  # team_policy_set


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "service_area", "is_active")
    list_filter = ("service_area", "is_active")
    search_fields = ("name", "code")
    filter_horizontal = ("managers",)
    inlines = [TeamSchemeInline, TeamPolicyInline]


class MembershipInline(ReadOnlyInline):
    model = Membership  # membership_move: one open membership, no overlaps


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    """Add goes through worker_create (worker and first membership together); there is no service for
    other changes yet, so an existing worker is read-only here."""

    list_display = ("full_name", "team", "position", "employment_type", "wte", "case_holding", "is_active")
    list_filter = ("team", "position", "employment_type", "case_holding", "is_active")
    search_fields = ("first_name", "surname", "email", "registration_number")
    list_select_related = ("team",)
    autocomplete_fields = ("user", "supervisor")
    inlines = [MembershipInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not change and "team" in form.base_fields:
            form.base_fields["team"].required = True  # worker_create needs a team: no teamless worker
        return form

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k != "team"}
        created = services.worker_create(team=form.cleaned_data["team"], start=timezone.localdate(), **data)
        obj.pk, obj._state.adding = created.pk, False


class AllocationInline(ReadOnlyInline):
    model = Allocation  # case_allocate: at most two holders, never a student


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: allocations go through case_allocate and closing through case_close (it ends them)."""

    list_display = ("reference", "team", "children", "category", "opened", "closed")
    list_filter = ("team",)
    search_fields = ("reference",)
    inlines = [AllocationInline]


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    """Read-only: `rules` names the engine's rule family; scheme_version_add creates schemes."""

    list_display = ("name", "code", "rules")


@admin.register(SchemeVersion)
class SchemeVersionAdmin(ReadOnlyAdmin):
    """Read-only: a version's tables never change; add a new version with scheme_version_add."""

    list_display = ("label", "slug", "scheme", "created_at")


@admin.register(CaseloadPreset)
class CaseloadPresetAdmin(ReadOnlyAdmin):
    """Read-only: presets are POLICIES.md data loaded by migration; a team's preset is set by team_policy_set."""

    list_display = ("code", "label")


admin.site.register(Absence)
admin.site.register(CapacityReduction)
admin.site.site_header = "Caseweight administration"
admin.site.site_title = "Caseweight"
