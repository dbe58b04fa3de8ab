"""The reports pages: history of runs and deliveries, downloads, on-request builds with their progress, a
team's quarterly return and its workflow, and the distribution lists. Thin: check access, parse, call one
service, render. Who may see what is decided in reporting/report_services.py."""
from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reporting.committee_services import (
    NARRATIVE_FIELDS,
    can_write_narrative,
    committee_month_end_exists,
    committee_narrative,
    committee_narrative_history,
    committee_narrative_save,
    committee_period,
)
from reporting.models import DistributionList, QuarterlyReturn, ReportRun
from reporting.periods import Period
from reporting.report_deliveries import run_filename
from reporting.report_forms import (
    CommitteeNarrativeForm,
    DistributionListForm,
    ReportGenerateForm,
    ReportRunFilter,
    ReturnCommentForm,
    ReturnCompleteForm,
    ReturnSendBackForm,
)
from reporting.report_services import (
    can_generate_reports,
    can_manage_distribution_lists,
    period_parse,
    quarter_due_date,
    quarter_key,
    quarterly_return_approve,
    quarterly_return_comment,
    quarterly_return_complete,
    quarterly_return_get_for_user,
    quarterly_return_history,
    quarterly_return_send_back,
    quarterly_return_submit,
    quarterly_return_team_month,
    report_run_get_for_user,
    report_run_request,
    report_runs_for_user,
)
from supervision.team_services import can_set_service_manager_comment
from workload.access import can_manage_team, teams_for_user


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _period_label(run: ReportRun) -> str:
    try:
        return period_parse(run.kind, run.period_key).label
    except ValidationError:
        return run.period_key


class ReportRunTable(tables.Table):
    """Runs the user may see (report_runs_for_user), newest first; rows carry their delivery count."""

    PER_PAGE = 25

    kind = tables.Column(verbose_name="Report", accessor="kind", order_by=("kind", "-created_at"))
    period = tables.Column(verbose_name="Period", accessor="period_key", order_by=("period_key", "kind"))
    scope = tables.Column(verbose_name="Team", accessor="team__name", default="Whole authority",
                          order_by=("team__name", "-created_at"))
    status = tables.Column(verbose_name="Status", order_by=("status", "-created_at"))
    created_at = tables.Column(verbose_name="Requested", order_by=("created_at",))
    emailed_at = tables.Column(verbose_name="Emailed", default="not emailed", order_by=("emailed_at",))
    deliveries = tables.Column(verbose_name="Emails", accessor="delivery_count", orderable=False)
    open = tables.Column(verbose_name="Details", empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm align-middle", "id": "runs-table", "data-testid": "runs-table"}
        row_attrs = {"data-testid": lambda record: f"run-{record.pk}"}
        empty_text = "No reports match."

    def render_kind(self, record) -> str:
        return record.get_kind_display()

    def render_period(self, record) -> str:
        return _period_label(record)

    def render_status(self, record) -> str:
        if record.status == ReportRun.Status.RUNNING:
            return f"Running ({record.progress}%)"
        return record.get_status_display()

    def render_created_at(self, value) -> str:
        return dateformat.format(timezone.localtime(value), "j M Y H:i")

    def render_emailed_at(self, value) -> str:
        return dateformat.format(timezone.localtime(value), "j M Y H:i")

    def render_open(self, record) -> str:
        return format_html('<a href="{}">Open<span class="visually-hidden"> {} {}</span></a>',
                           reverse("reports:run-detail", args=[record.pk]), record.get_kind_display(),
                           _period_label(record))


@login_required
@require_GET
def report_list_view(request: HttpRequest) -> HttpResponse:
    runs = (report_runs_for_user(request.user).select_related("team")
            .annotate(delivery_count=Count("deliveries")).order_by("-created_at", "-pk"))
    filterset = ReportRunFilter(request.GET or None, queryset=runs, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "reporting/reports/report_list.html",
                      {"filter": filterset, "table": None, "can_generate": can_generate_reports(request.user)},
                      status=400)
    table = ReportRunTable(filterset.qs)
    tables.RequestConfig(request, paginate={"per_page": ReportRunTable.PER_PAGE}).configure(table)
    today = timezone.localdate()
    quarter = quarter_key(today)
    returns = (QuarterlyReturn.objects.filter(quarter=quarter, team__in=teams_for_user(request.user).values("pk"))
               .select_related("team").order_by("team__name"))
    ended = Period.quarter_of(today).previous()  # the committee writes about the quarter just ended
    return render(request, "reporting/reports/report_list.html", {
        "filter": filterset, "table": table, "can_generate": can_generate_reports(request.user),
        "can_write_narrative": can_write_narrative(request.user), "ended_quarter": ended,
        "can_manage_lists": can_manage_distribution_lists(request.user), "returns": returns,
        "quarter": quarter, "quarter_label": period_parse("quarterly_return", quarter).label,
        "teams": teams_for_user(request.user).order_by("name"),
    })


@login_required
@require_GET
def run_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = report_run_get_for_user(user=request.user, pk=pk)
    return render(request, "reporting/reports/run_detail.html", {
        "run": run, "period_label": _period_label(run), "deliveries": run.deliveries.order_by("sent_at", "pk"),
    })


@login_required
@require_GET
def run_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls every second while the run is queued or running."""
    run = report_run_get_for_user(user=request.user, pk=pk)
    return render(request, "reporting/reports/partials/_run_progress.html", {"run": run})


@login_required
@require_GET
def run_download_view(request: HttpRequest, pk: int, what: str) -> FileResponse:
    if what not in ("pdf", "csv"):
        raise Http404("No such file.")
    run = report_run_get_for_user(user=request.user, pk=pk)
    stored = run.pdf if what == "pdf" else run.csv
    if not stored:
        raise Http404("This report has no stored file yet.")
    name = run_filename(run)
    name = name if what == "pdf" else name.removesuffix(".pdf") + ".csv"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name,
                        content_type="application/pdf" if what == "pdf" else "text/csv")


@login_required
@require_http_methods(["GET", "POST"])
def report_generate_view(request: HttpRequest) -> HttpResponse:
    """A head of service or administrator builds an authority report now (and may issue the committee report);
    then its progress page."""
    if not can_generate_reports(request.user):
        raise Http404("No such page.")
    today = timezone.localdate()
    form = ReportGenerateForm(request.POST or None, today=today)
    if request.method == "POST":
        if form.is_valid():
            try:
                run = report_run_request(kind=form.cleaned_data["kind"], period_key=form.cleaned_data["period"],
                                         requested_by=request.user, today=today, send=form.cleaned_data["issue"])
            except ValidationError as exc:  # beside the field it concerns: the period, or the issuing box
                form.add_error("issue" if exc.code == "issue" else "period", exc)
            else:
                return redirect("reports:run-detail", pk=run.pk)
        return render(request, "reporting/reports/report_generate.html", {"form": form}, status=400)
    return render(request, "reporting/reports/report_generate.html", {"form": form})


# ------------------------------------------------------------------------------ Committee narrative


@login_required
@require_http_methods(["GET", "POST"])
def committee_narrative_view(request: HttpRequest, quarter: str) -> HttpResponse:
    """A head of service or administrator writes the quarter's committee narrative (REPORTS.md (c)); anyone
    else gets a 404, as for a guessed URL."""
    if not can_write_narrative(request.user):
        raise Http404("No such page.")
    period = committee_period(quarter)
    narrative = committee_narrative(period.key)
    initial = {name: getattr(narrative, name) for name, _ in NARRATIVE_FIELDS} if narrative else None
    form = CommitteeNarrativeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            committee_narrative_save(quarter=period.key, user=request.user, ip=_ip(request), **form.cleaned_data)
            messages.success(request, "Narrative saved. Build the committee report to see it printed.")
            return redirect("reports:committee-narrative", quarter=period.key)
        status = 400
    return render(request, "reporting/reports/committee_narrative.html", {
        "form": form, "period": period, "narrative": narrative, "history": committee_narrative_history(narrative),
        "ready": committee_month_end_exists(period),
    }, status=status)


# ----------------------------------------------------------------------------------- Quarterly return

RETURN_ACTIONS = ("complete", "submit", "comment", "send_back", "approve")


def _return_context(request, qreturn: QuarterlyReturn, **forms) -> dict:
    team_month = quarterly_return_team_month(qreturn)
    today = timezone.localdate()
    is_manager = can_manage_team(request.user, qreturn.team)
    is_sm = can_set_service_manager_comment(request.user, qreturn.team)
    state = qreturn.state
    editable_tm = is_manager and state in (QuarterlyReturn.State.DRAFT, QuarterlyReturn.State.RETURNED)
    checking = is_sm and state == QuarterlyReturn.State.SUBMITTED
    context = {
        "qreturn": qreturn, "team": qreturn.team, "team_month": team_month, "today": today,
        "period": period_parse("quarterly_return", qreturn.quarter), "due": quarter_due_date(qreturn.quarter),
        "history": quarterly_return_history(qreturn), "editable_tm": editable_tm, "checking": checking,
        "run": qreturn.run if qreturn.run_id else None,
    }
    if editable_tm:
        context["complete_form"] = forms.get("complete_form") or ReturnCompleteForm(today=today, initial={
            "unallocated_cases": team_month.unallocated_cases, "manager_comment": team_month.manager_comment,
            "suggestions": team_month.suggestions, "completed_on": qreturn.completed_on or today,
            "lock_version": qreturn.lock_version})
    if checking:
        context["comment_form"] = forms.get("comment_form") or ReturnCommentForm(initial={
            "service_manager_comment": team_month.service_manager_comment, "suggestions": team_month.suggestions,
            "lock_version": qreturn.lock_version})
        context["send_back_form"] = forms.get("send_back_form") or ReturnSendBackForm()
    context["error"] = forms.get("error")
    return context


@login_required
@require_http_methods(["GET", "POST"])
def return_detail_view(request: HttpRequest, team_id: int, quarter: str) -> HttpResponse:
    """A team's return for a quarter: its state, who did what, the PDF preview, and the forms of whoever holds
    it (team manager: complete and submit; service manager: comment, return or approve)."""
    qreturn = quarterly_return_get_for_user(user=request.user, team_id=team_id, quarter=quarter)
    if request.method == "GET":
        return render(request, "reporting/reports/return_detail.html", _return_context(request, qreturn))
    action = request.POST.get("action")
    if action not in RETURN_ACTIONS:
        return render(request, "reporting/reports/return_detail.html",
                      _return_context(request, qreturn, error="Choose one of the buttons on the page."), status=400)
    today = timezone.localdate()
    bound: dict = {}
    try:
        if action == "complete":
            form = bound["complete_form"] = ReturnCompleteForm(request.POST, today=today)
            if form.is_valid():
                quarterly_return_complete(qreturn=qreturn, user=request.user, ip=_ip(request),
                                          **_complete_kwargs(form))
                messages.success(request, "Saved.")
                return redirect("reports:return-detail", team_id=team_id, quarter=qreturn.quarter)
        elif action == "submit":
            quarterly_return_submit(qreturn=qreturn, user=request.user, today=today, ip=_ip(request))
            messages.success(request, "Submitted to the service manager.")
            return redirect("reports:return-detail", team_id=team_id, quarter=qreturn.quarter)
        elif action == "comment":
            form = bound["comment_form"] = ReturnCommentForm(request.POST)
            if form.is_valid():
                quarterly_return_comment(qreturn=qreturn, user=request.user, ip=_ip(request),
                                         expected_lock_version=form.cleaned_data["lock_version"],
                                         service_manager_comment=form.cleaned_data["service_manager_comment"],
                                         suggestions=form.cleaned_data["suggestions"])
                messages.success(request, "Comments saved.")
                return redirect("reports:return-detail", team_id=team_id, quarter=qreturn.quarter)
        elif action == "send_back":
            form = bound["send_back_form"] = ReturnSendBackForm(request.POST)
            if form.is_valid():
                quarterly_return_send_back(qreturn=qreturn, user=request.user, reason=form.cleaned_data["reason"],
                                           ip=_ip(request))
                messages.success(request, "Returned to the team manager.")
                return redirect("reports:return-detail", team_id=team_id, quarter=qreturn.quarter)
        else:
            quarterly_return_approve(qreturn=qreturn, user=request.user, ip=_ip(request))
            messages.success(request, "Approved. The return is being built and emailed.")
            return redirect("reports:return-detail", team_id=team_id, quarter=qreturn.quarter)
    except PermissionDenied as exc:
        bound["error"] = str(exc)
        qreturn.refresh_from_db()
        return render(request, "reporting/reports/return_detail.html", _return_context(request, qreturn, **bound),
                      status=403)
    except ValidationError as exc:
        qreturn.refresh_from_db()
        placed = False
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = _form_with_field(bound, name)
                if target is not None:
                    target.add_error(name, errors)
                    placed = True
        if not placed:
            bound["error"] = " ".join(exc.messages)
    else:
        qreturn.refresh_from_db()
    return render(request, "reporting/reports/return_detail.html", _return_context(request, qreturn, **bound),
                  status=400)


def _complete_kwargs(form: ReturnCompleteForm) -> dict:
    data = dict(form.cleaned_data)
    data["expected_lock_version"] = data.pop("lock_version")
    return data


def _form_with_field(bound: dict, name: str):
    for form in bound.values():
        if hasattr(form, "fields") and name in form.fields:
            return form
    return None


@login_required
@require_GET
def return_preview_view(request: HttpRequest, team_id: int, quarter: str) -> HttpResponse:
    """The return as it would print now, for checking before approval (built on request, not stored, not sent)."""
    qreturn = quarterly_return_get_for_user(user=request.user, team_id=team_id, quarter=quarter)
    from reporting.render import render_pdf  # WeasyPrint: loaded on first preview

    rendered = render_pdf("quarterly_return", qreturn.quarter, team=qreturn.team)
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{rendered.filename}"'
    return response


# -------------------------------------------------------------------------------- Distribution lists


@login_required
@require_http_methods(["GET", "POST"])
def distribution_list_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """An administrator manages who receives each report: the lists, and one list's form (new or edited)."""
    if not can_manage_distribution_lists(request.user):
        raise Http404("No such page.")
    instance = get_object_or_404(DistributionList, pk=pk) if pk is not None else None
    form = DistributionListForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, f"Saved the list “{form.instance.name}”.")
            return redirect("reports:list-index")
        status = 400
    else:
        status = 200
    lists = DistributionList.objects.select_related("service_area").order_by("kind", "service_area__name", "name")
    return render(request, "reporting/reports/distribution_lists.html",
                  {"form": form, "lists": lists, "editing": instance}, status=status)


@login_required
@require_POST
def distribution_list_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_manage_distribution_lists(request.user):
        raise Http404("No such page.")
    distribution_list = get_object_or_404(DistributionList, pk=pk)
    distribution_list.delete()
    messages.success(request, f"Deleted the list “{distribution_list.name}”.")
    return redirect("reports:list-index")
