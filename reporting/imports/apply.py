"""Reconciliation and the atomic apply.

`plan_import` reads the database once per table (no per-row queries), checks every rule the services hold on
the whole file set up front, and works out per file which rows are created, changed, closed or unchanged.
`apply_import` then writes the plan in bulk inside one transaction: bulk_create / bulk_update per table, in
the order of formats.ORDER. The services' per-row locking would cost a query per row (35,000 allocations), so
the rules are checked here instead, on the file set merged with what the database already holds:
membership_move/add (no overlapping memberships), case_allocate (at most two workers, students never the
allocated worker, nothing outside the case's dates), team_scheme_set (never over countersigned months).

Rows the database holds that a file leaves out are left alone: an export of part of the authority (one
team's cases) must not close the rest. "Closed" counts rows whose end or close date the file sets."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice, repeat
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from reporting.imports.formats import BY_KIND, ORDER
from reporting.imports.readers import ParsedFile, RowError, no_gc
from reporting.imports.validate import Row, group_by, max_concurrent, overlapping, overrides_value, typed_rows
from reporting.models import ImportedAggregate
from supervision.models import EntryStatus, ProformaEntry, SupervisionSession
from workload.models import (
    Absence,
    Allocation,
    Case,
    CaseloadPreset,
    CaseloadSnapshot,
    Membership,
    SchemeVersion,
    ServiceArea,
    SnapshotSource,
    Team,
    TeamPolicy,
    TeamScheme,
    TeamSnapshot,
    Worker,
)

EARLIEST = date(2000, 1, 1)  # a teams row without "from" applies from the start of the records

TWO_FILES = "Two files of the same kind ({label}) were given; give one."
PLAN_HAS_ERRORS = "The import has errors and was not applied; correct the files and try again."
UNKNOWN_TEAM = "There is no team with the code '{value}' in this file set or in Caseweight."
UNKNOWN_WORKER = "There is no worker with the id '{value}' in this file set or in Caseweight."
UNKNOWN_CASE = "There is no case with the reference '{value}' in this file set or in Caseweight."
UNKNOWN_LOGIN = "There is no Caseweight login with the username '{value}'."
UNKNOWN_PRESET = "'{value}' is not a caseload policy preset; known presets: {known}."
UNKNOWN_PRESET_TYPE = "'{value}' is not a team type of the preset {preset}; its team types: {known}."
UNKNOWN_SCHEME = "'{value}' is not a weighting scheme version in Caseweight."
UNKNOWN_SCHEME_TYPE = "'{value}' is not a team type of the scheme {scheme}; its team types: {known}."
UNKNOWN_CATEGORY = "'{value}' is not a category of the weighting scheme team {team} uses."
BAD_OVERRIDES = "The overrides are not a JSON object such as {{\"asye_limit_cases\": 12}}."
NAME_TAKEN = "The team name '{value}' is already used by team {other}."
COUNTERSIGNED = "Team {team} has countersigned pro-formas up to {month}; a scheme change must start after that."
DIFFERS = "The worker's {column} differs from row {row}; a worker's details must be the same on each of their rows."
TWO_TEAMS = "{worker} would be in two teams at once: this membership overlaps {other}."
END_BEFORE_START = "The end, {end}, is before the start, {start}."
CLOSED_BEFORE_OPENED = "The case closed, {closed}, before it opened, {opened}."
RETURN_BEFORE_START = "The return, {value}, is before the start of the absence, {start}."
ASYE_ORDER = "The ASYE completion date is before its start."
NUMERATOR_OVER = "The numerator, {numerator}, is more than the denominator, {denominator}."
BEFORE_CASE = "The allocation starts on {start}, before case {case} opened on {opened}."
AFTER_CASE = "The allocation {what}, after case {case} closed on {closed}."
THIRD_WORKER = "Case {case} would have a third worker at once from {start}; a case has at most two."
SAME_WORKER_TWICE = "{worker} already holds case {case} on some of those dates."
STUDENT_ALLOCATED = "A student on placement cannot be the allocated worker; record co-work."
UNKNOWN_SUPERVISOR = "There is no worker with the id '{value}' to be the supervisor."
MONTH_FIRST = "The month must be given as YYYY-MM."

_UNSET = object()


@dataclass
class FilePlan:
    """One file's reconciliation: row counts, and the writes `apply_import` makes."""

    name: str
    kind: str
    label: str
    created: int = 0
    changed: int = 0
    closed: int = 0
    unchanged: int = 0
    creates: list = field(default_factory=list, repr=False)
    updates: list = field(default_factory=list, repr=False)  # (instance, {field: value})
    extra: dict = field(default_factory=dict, repr=False)

    def count(self, status: str) -> None:
        self.__dict__[status] += 1  # called once per row: the plain attribute, without getattr/setattr

    @property
    def counts(self) -> dict[str, int]:
        return {"created": self.created, "changed": self.changed, "closed": self.closed, "unchanged": self.unchanged}


@dataclass
class ImportPlan:
    files: list[FilePlan]
    errors: list[RowError]
    notices: list[RowError]
    today: date

    @property
    def ok(self) -> bool:
        return not self.errors

    def file(self, kind: str) -> FilePlan | None:
        return next((f for f in self.files if f.kind == kind), None)


@dataclass
class ImportResult:
    files: list[FilePlan]

    def counts(self) -> dict[str, dict[str, int]]:
        return {f.name: f.counts for f in self.files}


def _status(new: bool, differs: bool, closes: bool) -> str:
    if new:
        return "created"
    if closes:
        return "closed"
    return "changed" if differs else "unchanged"


def _fmt(day: date | None) -> str:
    return day.strftime("%d %b %Y") if day else "open"


class _Planner:
    """Holds the database state read once and the file rows, and checks and reconciles each kind."""

    def __init__(self, files: Sequence[ParsedFile], today: date):
        self.today = today
        self.errors: list[RowError] = []
        self.notices: list[RowError] = []
        self.rows: dict[str, list[Row]] = {}
        self.names: dict[str, str] = {}
        self.plans: dict[str, FilePlan] = {}
        for parsed in files:
            self.errors.extend(parsed.errors)
            self.notices.extend(parsed.notices)
            if parsed.kind is None or parsed.errors:
                continue
            fmt = BY_KIND[parsed.kind]
            if parsed.kind in self.rows:
                self.errors.append(RowError(parsed.name, 0, "", TWO_FILES.format(label=fmt.label)))
                continue
            rows, errors = typed_rows(parsed, today=today)
            self.errors.extend(errors)
            self.rows[parsed.kind] = rows
            self.names[parsed.kind] = parsed.name
            self.plans[parsed.kind] = FilePlan(parsed.name, parsed.kind, fmt.label)

    def error(self, kind: str, row: Row, column: str, message: str) -> None:
        self.errors.append(RowError(self.names[kind], row.number, column, message))

    # --- reference data --------------------------------------------------------------------------------

    def load(self) -> None:
        rows = self.rows
        self.teams = {t.code: t for t in Team.objects.select_related("service_area")}
        self.file_teams = {r.values["code"] for r in rows.get("teams", [])}
        worker_ids = set()
        for kind, column in (("workers", "id"), ("workers", "supervisor"), ("allocations", "worker"),
                             ("absences", "worker"), ("worker_snapshots", "worker"), ("sessions", "worker")):
            worker_ids.update(r.values[column] for r in rows.get(kind, []) if r.values.get(column))
        self.workers = {w.source_id: w for w in Worker.objects.filter(source_id__in=worker_ids)}
        own = {int(i[3:]) for i in worker_ids if i.startswith("CW-") and i[3:].isdigit()}
        for worker in Worker.objects.filter(pk__in=own, source_id__isnull=True):
            self.workers.setdefault(f"CW-{worker.pk}", worker)
        self.file_workers = {r.values["id"]: r for r in rows.get("workers", [])}
        case_refs = {r.values["reference"] for r in rows.get("cases", [])} | {
            r.values["case"] for r in rows.get("allocations", [])
        }
        self.cases = {c.reference: c for c in _records(
            _among(Case.objects.all(), "reference", case_refs),
            "reference", "team_id", "children", "category", "factors", "opened", "closed") if c.reference in case_refs}
        self.file_cases = {r.values["reference"]: r for r in rows.get("cases", [])}
        usernames = {r.values["login"] for r in rows.get("workers", []) if r.values.get("login")} | {
            r.values["supervisor"] for r in rows.get("sessions", [])
        }
        self.users = dict(get_user_model().objects.filter(username__in=usernames).values_list("username", "pk"))

    def team_known(self, code: str) -> bool:
        return code in self.teams or code in self.file_teams

    def worker_known(self, ref: str) -> bool:
        return ref in self.workers or ref in self.file_workers

    # --- teams ----------------------------------------------------------------------------------------

    def plan_teams(self) -> None:
        rows = self.rows.get("teams")
        if rows is None:
            self.team_types = {}
            return
        plan = self.plans["teams"]
        presets = {p.code: p for p in CaseloadPreset.objects.all()}
        versions = {v.slug: v for v in SchemeVersion.objects.all()}
        schemes = {(a.team_id, a.valid_from): a for a in TeamScheme.objects.select_related("scheme_version")}
        policies = {(a.team_id, a.valid_from): a for a in TeamPolicy.objects.select_related("preset")}
        agreed = dict(
            ProformaEntry.objects.filter(status=EntryStatus.COUNTERSIGNED)
            .values_list("team__code")
            .annotate(last=Max("month"))
        )
        names = {t.name: code for code, t in self.teams.items()}
        areas = set(ServiceArea.objects.values_list("name", flat=True))
        new_areas = set()
        for code, group in group_by(rows, "code").items():
            group.sort(key=lambda r: r.values["from"] or EARLIEST)
            latest = group[-1].values
            team = self.teams.get(code)
            other = names.get(latest["name"])
            if other is not None and other != code:
                self.error("teams", group[-1], "name", NAME_TAKEN.format(value=latest["name"], other=other))
            names[latest["name"]] = code
            if latest["service_area"] not in areas:
                new_areas.add(latest["service_area"])
            team_differs = team is not None and (team.name, team.service_area.name) != (
                latest["name"], latest["service_area"]
            )
            if team is None:
                plan.creates.append({"code": code, "name": latest["name"], "service_area": latest["service_area"]})
            elif team_differs:
                plan.updates.append((team, {"name": latest["name"], "service_area": latest["service_area"]}))
            for row in group:
                v = row.values
                start = v["from"] or EARLIEST
                preset, version = presets.get(v["preset"]), versions.get(v["scheme"])
                overrides = overrides_value(v["overrides"])
                bad = False
                if preset is None:
                    self.error("teams", row, "preset", UNKNOWN_PRESET.format(value=v["preset"], known=", ".join(sorted(presets))))
                    bad = True
                elif not preset.team_type(v["team_type"]):
                    self.error("teams", row, "team_type", UNKNOWN_PRESET_TYPE.format(
                        value=v["team_type"], preset=preset.code, known=", ".join(preset.data.get("team_types", {}))))
                    bad = True
                if version is None:
                    self.error("teams", row, "scheme", UNKNOWN_SCHEME.format(value=v["scheme"]))
                    bad = True
                elif v["scheme_team_type"] not in version.tables().team_types:
                    self.error("teams", row, "scheme_team_type", UNKNOWN_SCHEME_TYPE.format(
                        value=v["scheme_team_type"], scheme=version.slug, known=", ".join(version.tables().team_types)))
                    bad = True
                if overrides is None:
                    self.error("teams", row, "overrides", BAD_OVERRIDES)
                    bad = True
                if bad:
                    continue
                scheme = schemes.get((team.pk, start)) if team else None
                policy = policies.get((team.pk, start)) if team else None
                scheme_differs = scheme is None or (scheme.scheme_version.slug, scheme.team_type) != (
                    version.slug, v["scheme_team_type"])
                if team and scheme_differs and code in agreed and start <= agreed[code]:
                    self.error("teams", row, "from", COUNTERSIGNED.format(team=code, month=f"{agreed[code]:%B %Y}"))
                    continue
                policy_differs = policy is None or (policy.preset.code, policy.team_type, policy.overrides or {}) != (
                    preset.code, v["team_type"], overrides)
                plan.extra.setdefault("schemes", []).append((code, start, scheme, version, v["scheme_team_type"], scheme_differs))
                plan.extra.setdefault("policies", []).append((code, start, policy, preset, v["team_type"], overrides, policy_differs))
                new = team is None or (scheme is None and policy is None)
                differs = scheme_differs or policy_differs or (team_differs and row is group[-1])
                plan.count(_status(new, differs, False))
        plan.extra["areas"] = sorted(new_areas)

    # --- workers and memberships ---------------------------------------------------------------------

    _WORKER_FIELDS = ("first_name", "surname", "position", "employment_type", "wte", "grade", "asye_start",
                      "asye_completed", "case_holding", "supervisor", "login")

    def plan_workers(self) -> None:
        rows = self.rows.get("workers")
        if rows is None:
            return
        plan = self.plans["workers"]
        existing = [w.pk for w in self.workers.values()]
        memberships = defaultdict(list)
        for m in Membership.objects.filter(worker_id__in=existing).select_related("team"):
            memberships[m.worker_id].append(m)
        # every worker's id as the files write it (source id, else CW-<pk>), for their supervisors
        file_ids = {pk: source_id or f"CW-{pk}" for pk, source_id in Worker.objects.values_list("pk", "source_id")}
        supervisor_refs = {
            pk: file_ids.get(sup) for pk, sup in Worker.objects.filter(pk__in=existing).values_list("pk", "supervisor_id")
        }
        user_names = dict(
            get_user_model().objects.filter(worker__in=existing).values_list("worker__pk", "username")
        )
        for ref, group in group_by(rows, "id").items():
            first = group[0]
            bad = False
            for row in group[1:]:
                for column in self._WORKER_FIELDS:
                    if row.values[column] != first.values[column]:
                        self.error("workers", row, column, DIFFERS.format(column=column.replace("_", " "), row=first.number))
                        bad = True
            v = first.values
            if v["supervisor"] and not self.worker_known(v["supervisor"]):
                self.error("workers", first, "supervisor", UNKNOWN_SUPERVISOR.format(value=v["supervisor"]))
                bad = True
            if v["login"] and v["login"] not in self.users:
                self.error("workers", first, "login", UNKNOWN_LOGIN.format(value=v["login"]))
                bad = True
            if v["asye_start"] is None and v["asye_completed"] or (
                v["asye_start"] and v["asye_completed"] and v["asye_completed"] < v["asye_start"]
            ):
                self.error("workers", first, "asye_completed", ASYE_ORDER)
                bad = True
            for row in group:
                if not self.team_known(row.values["team"]):
                    self.error("workers", row, "team", UNKNOWN_TEAM.format(value=row.values["team"]))
                    bad = True
                if row.values["end"] and row.values["end"] < row.values["start"]:
                    self.error("workers", row, "end", END_BEFORE_START.format(
                        end=_fmt(row.values["end"]), start=_fmt(row.values["start"])))
                    bad = True
            worker = self.workers.get(ref)
            held = {m.start: m for m in memberships.get(worker.pk, [])} if worker else {}
            spans = [(r.values["start"], r.values["end"], r) for r in group]
            spans += [(m.start, m.end, m) for start, m in held.items() if start not in {r.values["start"] for r in group}]
            name = f"{v['first_name']} {v['surname']}"
            for later, earlier in overlapping(spans):
                row = later if isinstance(later, Row) else earlier
                other = earlier if row is later else later
                other_text = (f"the membership of {other.values['team']} from {_fmt(other.values['start'])} (row {other.number})"
                              if isinstance(other, Row) else f"{other.team.code} from {_fmt(other.start)}")
                if isinstance(row, Row):
                    self.error("workers", row, "start", TWO_TEAMS.format(worker=name, other=other_text))
                    bad = True
            if bad:
                continue
            all_spans = sorted([(r.values["start"], r.values["end"], r.values["team"]) for r in group]
                               + [(m.start, m.end, m.team.code) for s, m in held.items()
                                  if s not in {r.values["start"] for r in group}])
            current = next((t for s, e, t in all_spans if e is None), all_spans[-1][2])
            attrs = {c: v[c] for c in self._WORKER_FIELDS if c not in ("supervisor", "login")}
            attrs["grade"] = attrs["grade"] or ""
            attrs["case_holding"] = True if attrs["case_holding"] is None else attrs["case_holding"]
            worker_differs = False
            if worker is None:
                plan.creates.append({"ref": ref, "team": current, **attrs})
            else:
                now = {c: getattr(worker, c) for c in attrs}
                changes = {c: attrs[c] for c in attrs if now[c] != attrs[c]}
                if worker.team_id is None or self.teams.get(current) is None or worker.team_id != self.teams[current].pk:
                    changes["team"] = current
                if supervisor_refs.get(worker.pk) != v["supervisor"]:
                    changes["supervisor"] = v["supervisor"]
                if v["login"] and user_names.get(worker.pk) != v["login"]:
                    changes["login"] = v["login"]
                if changes:
                    plan.updates.append((worker, changes))
                    worker_differs = True
            if v["supervisor"] and worker is None:
                plan.extra.setdefault("supervisors", []).append((ref, v["supervisor"]))
            if v["login"] and worker is None:
                plan.extra.setdefault("logins", []).append((ref, v["login"]))
            for i, row in enumerate(group):
                m = held.get(row.values["start"])
                if m is None:
                    plan.extra.setdefault("memberships", []).append((ref, row.values["team"], row.values["start"], row.values["end"]))
                    plan.count("created")
                    continue
                differs = (m.team.code, m.end) != (row.values["team"], row.values["end"])
                if differs:
                    plan.extra.setdefault("membership_updates", []).append((m, row.values["team"], row.values["end"]))
                plan.count(_status(False, differs or (worker_differs and i == 0), differs and m.end is None and row.values["end"] is not None))

    # --- cases and allocations -----------------------------------------------------------------------

    def _categories(self) -> dict[str, set[str]]:
        """Category codes per team code: every scheme version and team type the team uses or will use."""
        codes: dict[str, set[str]] = defaultdict(set)
        for a in TeamScheme.objects.select_related("scheme_version", "team"):
            codes[a.team.code].update(c for c, _ in a.scheme_version.tables().categories_for(a.team_type))
        for code, _start, _old, version, team_type, _differs in self.plans["teams"].extra.get("schemes", []) if (
            "teams" in self.plans) else []:
            codes[code].update(c for c, _ in version.tables().categories_for(team_type))
        return codes

    def plan_cases(self) -> None:
        rows = self.rows.get("cases")
        if rows is None:
            return
        plan = self.plans["cases"]
        categories = self._categories()
        for row in rows:
            v = row.values
            if not self.team_known(v["team"]):
                self.error("cases", row, "team", UNKNOWN_TEAM.format(value=v["team"]))
                continue
            if v["category"] not in categories.get(v["team"], set()):
                self.error("cases", row, "category", UNKNOWN_CATEGORY.format(value=v["category"], team=v["team"]))
                continue
            if v["children"] < 1:
                self.error("cases", row, "children", "A case has at least one child.")
                continue
            if v["closed"] and v["closed"] < v["opened"]:
                self.error("cases", row, "closed", CLOSED_BEFORE_OPENED.format(closed=_fmt(v["closed"]), opened=_fmt(v["opened"])))
                continue
            factors = [f.strip() for f in (v["factors"] or "").split(";") if f.strip()]
            values = {"children": v["children"], "category": v["category"], "factors": factors,
                      "opened": v["opened"], "closed": v["closed"]}
            case = self.cases.get(v["reference"])
            if case is None:
                plan.creates.append({"reference": v["reference"], "team": v["team"], **values})
                plan.count("created")
                continue
            changes = {k: val for k, val in values.items() if getattr(case, k) != val}
            plan.extra.setdefault("team_check", []).append((case, v["team"], changes))
            plan.count(_status(False, bool(changes), "closed" in changes and case.closed is None))
        # case teams in one read: the Case rows were loaded without their team
        team_codes = dict(Team.objects.values_list("pk", "code"))
        for case, code, changes in plan.extra.pop("team_check", []):
            if team_codes[case.team_id] != code:
                if not changes:
                    plan.unchanged -= 1
                    plan.changed += 1
                changes["team"] = code
            if changes:
                plan.updates.append((case, changes))

    def plan_allocations(self) -> None:
        rows = self.rows.get("allocations")
        if rows is None:
            return
        plan = self.plans["allocations"]
        case_dates = {ref: (c.opened, c.closed) for ref, c in self.cases.items()}
        case_dates.update({ref: (r.values["opened"], r.values["closed"]) for ref, r in self.file_cases.items()})
        held = defaultdict(list)
        by_pk = {w.pk: ref for ref, w in self.workers.items()}
        case_ids = {c.pk for c in self.cases.values()}
        for a in _records(_among(Allocation.objects.all(), "case_id", case_ids),
                          "case_id", "worker_id", "role", "start", "end", "co_work_share"):
            if a.case_id not in case_ids:
                continue
            held[a.case_id].append(a)
        positions = {ref: r.values["position"] for ref, r in self.file_workers.items()}
        for ref, w in self.workers.items():
            positions.setdefault(ref, w.position)
        good: list[Row] = []
        for row in rows:
            v = row.values
            if v["case"] not in case_dates:
                self.error("allocations", row, "case", UNKNOWN_CASE.format(value=v["case"]))
                continue
            if not self.worker_known(v["worker"]):
                self.error("allocations", row, "worker", UNKNOWN_WORKER.format(value=v["worker"]))
                continue
            opened, closed = case_dates[v["case"]]
            if v["to"] and v["to"] < v["from"]:
                self.error("allocations", row, "to", END_BEFORE_START.format(end=_fmt(v["to"]), start=_fmt(v["from"])))
                continue
            if v["from"] < opened:
                self.error("allocations", row, "from", BEFORE_CASE.format(start=_fmt(v["from"]), case=v["case"], opened=_fmt(opened)))
                continue
            if closed and v["from"] > closed:
                self.error("allocations", row, "from", AFTER_CASE.format(
                    what=f"starts on {_fmt(v['from'])}", case=v["case"], closed=_fmt(closed)))
                continue
            if closed and (v["to"] is None or v["to"] > closed):
                what = "is still open" if v["to"] is None else f"ends on {_fmt(v['to'])}"
                self.error("allocations", row, "to", AFTER_CASE.format(what=what, case=v["case"], closed=_fmt(closed)))
                continue
            if v["role"] == "allocated" and positions.get(v["worker"]) == "student":
                self.error("allocations", row, "role", STUDENT_ALLOCATED)
                continue
            good.append(row)
        by_case = group_by(good, "case")
        for ref, group in by_case.items():
            case = self.cases.get(ref)
            existing = {(by_pk.get(a.worker_id, f"CW-{a.worker_id}"), a.start): a for a in held.get(case.pk, [])} if case else {}
            keys = {(r.values["worker"], r.values["from"]) for r in group}
            spans = [(r.values["from"], r.values["to"], r) for r in group]
            spans += [(a.start, a.end, (w, a)) for (w, s), a in existing.items() if (w, s) not in keys]
            bad = set()
            if len(spans) == 1:  # one allocation on the case: nothing to clash with
                spans = []
            for worker_ref in {r.values["worker"] for r in group} if spans else ():
                mine = [s for s in spans if (s[2].values["worker"] if isinstance(s[2], Row) else s[2][0]) == worker_ref]
                for later, earlier in overlapping(mine):
                    row = later if isinstance(later, Row) else earlier
                    if isinstance(row, Row):
                        self.error("allocations", row, "from", SAME_WORKER_TWICE.format(worker=worker_ref, case=ref))
                        bad.add(row.number)
            for tag in max_concurrent(spans):
                if isinstance(tag, Row) and tag.number not in bad:
                    self.error("allocations", tag, "worker", THIRD_WORKER.format(case=ref, start=_fmt(tag.values["from"])))
                    bad.add(tag.number)
            for row in group:
                if row.number in bad:
                    continue
                v = row.values
                a = existing.get((v["worker"], v["from"]))
                if a is None:
                    plan.creates.append(v)
                    plan.count("created")
                    continue
                changes = {k: val for k, val in (("role", v["role"]), ("end", v["to"]), ("co_work_share", v["co_work_share"]))
                           if getattr(a, k) != val}
                if changes:
                    plan.updates.append((a, changes))
                plan.count(_status(False, bool(changes), "end" in changes and a.end is None))

    # --- dated records: absences, snapshots, sessions, aggregates -----------------------------------

    def _simple(self, kind: str, existing: dict, key, fields: dict, check, resolve: dict | None = None) -> None:
        """Rows whose identity is `key(values)` in `existing`: create, or compare `fields` (model field ->
        file column; `resolve` turns a column's value into the stored one, e.g. a team code into its id)."""
        resolve = resolve or {}
        rows = self.rows.get(kind)
        if rows is None:
            return
        plan = self.plans[kind]
        for row in rows:
            if not check(row):
                continue
            v = row.values
            obj = existing.get(key(v))
            if obj is None:
                plan.creates.append(v)
                plan.count("created")
                continue
            changes = {}
            for f, c in fields.items():
                wanted = resolve[c](v[c]) if c in resolve else v[c]
                if getattr(obj, f) != wanted:
                    changes[f] = wanted
            if changes:
                plan.updates.append((obj, changes))
            closes = any(f in ("actual_return",) and getattr(obj, f) is None for f in changes)
            plan.count(_status(False, bool(changes), closes))

    def _worker_refs(self) -> dict[int, str]:
        return {w.pk: ref for ref, w in self.workers.items()}

    def _check_worker(self, kind: str, column: str = "worker"):
        def check(row: Row) -> bool:
            if not self.worker_known(row.values[column]):
                self.error(kind, row, column, UNKNOWN_WORKER.format(value=row.values[column]))
                return False
            return True
        return check

    def _check_team(self, kind: str, then=None):
        def check(row: Row) -> bool:
            if not self.team_known(row.values["team"]):
                self.error(kind, row, "team", UNKNOWN_TEAM.format(value=row.values["team"]))
                return False
            return then(row) if then else True
        return check

    def plan_dated(self) -> None:
        refs = self._worker_refs()
        team_codes = dict(Team.objects.values_list("pk", "code"))
        team_ids = {code: pk for pk, code in team_codes.items()}
        pks = list(refs)
        check_worker, check_team = self._check_worker("worker_snapshots"), self._check_team("worker_snapshots")

        def absence_check(row: Row) -> bool:
            if not self._check_worker("absences")(row):
                return False
            v = row.values
            for column in ("expected_return", "actual_return"):
                if v[column] and v[column] < v["start"]:
                    self.error("absences", row, column, RETURN_BEFORE_START.format(value=_fmt(v[column]), start=_fmt(v["start"])))
                    return False
            return True

        if "absences" in self.rows:
            existing = {(refs[a.worker_id], a.start): a for a in _records(
                Absence.objects.filter(worker_id__in=pks), "worker_id", "kind", "start", "expected_return", "actual_return")}
            self._simple("absences", existing, lambda v: (v["worker"], v["start"]),
                         {"kind": "kind", "expected_return": "expected_return", "actual_return": "actual_return"},
                         absence_check)
        if "worker_snapshots" in self.rows:
            dates = {r.values["date"] for r in self.rows["worker_snapshots"]}
            existing = {(refs[s.worker_id], s.taken_on): s
                        for s in _records(CaseloadSnapshot.objects.filter(worker_id__in=pks, taken_on__in=dates),
                                          "worker_id", "team_id", "taken_on", "kind", "wte", "allocated_children",
                                          "family_groups", "coworked_children", "awaiting_allocation_children")}
            for row in self.rows["worker_snapshots"]:
                for column in ("family_groups", "coworked_children", "awaiting_allocation_children"):
                    row.values[column] = row.values[column] or 0
            self._simple(
                "worker_snapshots", existing, lambda v: (v["worker"], v["date"]),
                {"team_id": "team", "kind": "kind", "wte": "wte", "allocated_children": "allocated_children",
                 "family_groups": "family_groups", "coworked_children": "coworked_children",
                 "awaiting_allocation_children": "awaiting_allocation_children"},
                lambda row: check_worker(row) and check_team(row),
                {"team": lambda code: team_ids.get(code, code)},  # a team new in this import: its code, resolved on apply
            )
        if "team_snapshots" in self.rows:
            dates = {r.values["date"] for r in self.rows["team_snapshots"]}
            existing = {(team_codes[s.team_id], s.taken_on): s for s in _records(
                TeamSnapshot.objects.filter(taken_on__in=dates), "team_id", "taken_on", "kind", "unallocated_children",
                "establishment_fte", "vacant_fte", "agency_fte")}
            self._simple(
                "team_snapshots", existing, lambda v: (v["team"], v["date"]),
                {"kind": "kind", "unallocated_children": "unallocated_children",
                 "establishment_fte": "establishment_fte", "vacant_fte": "vacant_fte", "agency_fte": "agency_fte"},
                self._check_team("team_snapshots"),
            )
        if "sessions" in self.rows:
            existing = {}
            for s in _records(SupervisionSession.objects.filter(worker_id__in=pks).order_by("pk"),
                              "worker_id", "supervisor_id", "held_on", "kind", "held", "next_due"):
                existing.setdefault((refs[s.worker_id], s.held_on, s.kind), s)
            for row in self.rows["sessions"]:
                row.values["held"] = True if row.values["held"] is None else row.values["held"]

            def session_check(row: Row) -> bool:
                if not self._check_worker("sessions")(row):
                    return False
                if row.values["supervisor"] not in self.users:
                    self.error("sessions", row, "supervisor", UNKNOWN_LOGIN.format(value=row.values["supervisor"]))
                    return False
                return True

            self._simple("sessions", existing, lambda v: (v["worker"], v["date"], v["kind"]),
                         {"supervisor_id": "supervisor", "held": "held", "next_due": "next_due"}, session_check,
                         {"supervisor": self.users.get})
        if "aggregates" in self.rows:
            existing = {(team_codes[a.team_id], a.month, a.measure): a for a in _records(
                ImportedAggregate.objects.all(), "team_id", "month", "measure", "numerator", "denominator")}

            def aggregate_check(row: Row) -> bool:
                v = row.values
                if v["numerator"] > v["denominator"]:
                    self.error("aggregates", row, "numerator", NUMERATOR_OVER.format(**v))
                    return False
                return True

            self._simple("aggregates", existing, lambda v: (v["team"], v["month"], v["measure"]),
                         {"numerator": "numerator", "denominator": "denominator"},
                         self._check_team("aggregates", aggregate_check))


def plan_import(files: Sequence[ParsedFile], *, today: date) -> ImportPlan:
    """Check the files and work out what importing them would create, change and close. Writes nothing."""
    with no_gc():
        return _plan_import(files, today)


def _plan_import(files: Sequence[ParsedFile], today: date) -> ImportPlan:
    planner = _Planner(files, today)
    if planner.rows:
        planner.load()
        planner.plan_teams()
        planner.plan_workers()
        planner.plan_cases()
        planner.plan_allocations()
        planner.plan_dated()
    plans = [planner.plans[k] for k in ORDER if k in planner.plans]
    errors = sorted(planner.errors, key=lambda e: (e.file, e.row, e.column))
    return ImportPlan(files=plans, errors=errors, notices=planner.notices, today=today)


# --- apply -------------------------------------------------------------------------------------------

BATCH = 2000


def _update(model, updates: list, resolve=None) -> None:
    """bulk_update the changed fields, grouped by the set of fields changed."""
    by_fields: dict[tuple, list] = defaultdict(list)
    for record, changes in updates:
        obj = record if isinstance(record, model) else model(pk=record.pk)  # a plan record: only its pk is needed
        changes = resolve(changes) if resolve else changes
        for name, value in changes.items():
            setattr(obj, name, value)
        by_fields[tuple(sorted(changes))].append(obj)
    for names, objs in by_fields.items():
        model.objects.bulk_update(objs, list(names), batch_size=BATCH)


@transaction.atomic
def apply_import(plan: ImportPlan, *, user=None) -> ImportResult:
    """Write a checked plan in one transaction; a plan with errors is refused.

    Plan again just before applying if time has passed since the preview (the app does at confirm): the plan
    holds the rows read when it was made."""
    with no_gc():
        return _apply_import(plan, user)


def _apply_import(plan: ImportPlan, user) -> ImportResult:
    if not plan.ok:
        raise ValueError(PLAN_HAS_ERRORS)
    files = {f.kind: f for f in plan.files}

    if "teams" in files:
        f = files["teams"]
        for name in f.extra.get("areas", []):
            ServiceArea.objects.get_or_create(name=name)
        areas = dict(ServiceArea.objects.values_list("name", "pk"))
        Team.objects.bulk_create([Team(code=c["code"], name=c["name"], service_area_id=areas[c["service_area"]])
                                  for c in f.creates])
        _update(Team, f.updates, lambda ch: {"name": ch["name"], "service_area_id": areas[ch["service_area"]]})
    teams = dict(Team.objects.values_list("code", "pk"))
    if "teams" in files:
        f = files["teams"]
        new_schemes, changed_schemes, new_policies, changed_policies = [], [], [], []
        for code, start, old, version, team_type, differs in f.extra.get("schemes", []):
            if old is None:
                new_schemes.append(TeamScheme(team_id=teams[code], scheme_version=version, team_type=team_type, valid_from=start))
            elif differs:
                changed_schemes.append((old, {"scheme_version": version, "team_type": team_type}))
        for code, start, old, preset, team_type, overrides, differs in f.extra.get("policies", []):
            if old is None:
                new_policies.append(TeamPolicy(team_id=teams[code], preset=preset, team_type=team_type,
                                               valid_from=start, overrides=overrides))
            elif differs:
                changed_policies.append((old, {"preset": preset, "team_type": team_type, "overrides": overrides}))
        TeamScheme.objects.bulk_create(new_schemes)
        TeamPolicy.objects.bulk_create(new_policies)
        _update(TeamScheme, changed_schemes)
        _update(TeamPolicy, changed_policies)

    users = {}
    if "workers" in files:
        f = files["workers"]
        names = {login for _, login in f.extra.get("logins", [])} | {
            ch["login"] for _, ch in f.updates if "login" in ch
        }
        users = dict(get_user_model().objects.filter(username__in=names).values_list("username", "pk"))
        _insert(Worker, [
            {"source_id": c["ref"], "team_id": teams[c["team"]], **{k: v for k, v in c.items() if k not in ("ref", "team")}}
            for c in f.creates
        ])
        refs = _worker_map()
        logins = [(refs[ref], users[login]) for ref, login in f.extra.get("logins", [])]

        def resolve_worker(ch: dict) -> dict:
            out = {k: v for k, v in ch.items() if k not in ("team", "supervisor", "login")}
            if "team" in ch:
                out["team_id"] = teams[ch["team"]]
            if "supervisor" in ch:
                out["supervisor_id"] = refs[ch["supervisor"]] if ch["supervisor"] else None
            return out

        for worker, ch in f.updates:
            if "login" in ch:
                logins.append((worker.pk, users[ch["login"]]))
        _update(Worker, [(w, ch) for w, ch in f.updates if set(ch) - {"login"}], resolve_worker)
        sups = [(refs[ref], refs[sup]) for ref, sup in f.extra.get("supervisors", [])]
        Worker.objects.bulk_update([Worker(pk=pk, supervisor_id=sup) for pk, sup in sups], ["supervisor_id"], batch_size=BATCH)
        if logins:
            Worker.objects.filter(user_id__in=[u for _, u in logins]).exclude(pk__in=[w for w, _ in logins]).update(user=None)
            Worker.objects.bulk_update([Worker(pk=pk, user_id=u) for pk, u in logins], ["user_id"])
        # closes before opens, so the one-open-membership constraint holds at every statement
        _update(Membership, [(m, {"team_id": teams[t], "end": e}) for m, t, e in f.extra.get("membership_updates", [])])
        _insert(Membership, [
            {"worker_id": refs[ref], "team_id": teams[t], "start": s, "end": e} for ref, t, s, e in f.extra.get("memberships", [])
        ])
    workers = _worker_map()

    if "cases" in files:
        f = files["cases"]
        _insert(Case, [{"team_id": teams[c["team"]], **{k: v for k, v in c.items() if k != "team"}} for c in f.creates])
        _update(Case, f.updates, lambda ch: {(k if k != "team" else "team_id"): (teams[v] if k == "team" else v)
                                            for k, v in ch.items()})
    if "allocations" in files:
        f = files["allocations"]
        refs = {r["case"] for r in f.creates}
        cases = dict(_among(Case.objects.all(), "reference", refs).values_list("reference", "pk"))
        _update(Allocation, f.updates)
        _insert(Allocation, [
            {"case_id": cases[c["case"]], "worker_id": workers[c["worker"]], "role": c["role"], "start": c["from"],
             "end": c["to"], "co_work_share": c["co_work_share"]} for c in f.creates
        ])
    if "absences" in files:
        f = files["absences"]
        _update(Absence, f.updates)
        _insert(Absence, [
            {"worker_id": workers[c["worker"]], "kind": c["kind"], "start": c["start"],
             "expected_return": c["expected_return"], "actual_return": c["actual_return"]} for c in f.creates
        ])
    if "worker_snapshots" in files:
        f = files["worker_snapshots"]
        imported = SnapshotSource.IMPORT.value
        _update(CaseloadSnapshot, f.updates, lambda ch: {
            k: (teams[v] if k == "team_id" and isinstance(v, str) else v) for k, v in ch.items()})
        _insert(CaseloadSnapshot, [
            {"worker_id": workers[c["worker"]], "team_id": teams[c["team"]], "taken_on": c["date"], "kind": c["kind"],
             "source": imported, "wte": c["wte"], "allocated_children": c["allocated_children"],
             "family_groups": c["family_groups"], "coworked_children": c["coworked_children"],
             "awaiting_allocation_children": c["awaiting_allocation_children"]} for c in f.creates
        ])
    if "team_snapshots" in files:
        f = files["team_snapshots"]
        _update(TeamSnapshot, f.updates)
        _insert(TeamSnapshot, [
            {"team_id": teams[c["team"]], "taken_on": c["date"], "kind": c["kind"],
             "unallocated_children": c["unallocated_children"], "establishment_fte": c["establishment_fte"],
             "vacant_fte": c["vacant_fte"], "agency_fte": c["agency_fte"]} for c in f.creates
        ])
    if "sessions" in files:
        f = files["sessions"]
        names = {c["supervisor"] for c in f.creates}
        users = dict(get_user_model().objects.filter(username__in=names).values_list("username", "pk"))
        _update(SupervisionSession, f.updates)
        _insert(SupervisionSession, [
            {"worker_id": workers[c["worker"]], "supervisor_id": users[c["supervisor"]], "held_on": c["date"],
             "kind": c["kind"], "held": c["held"], "next_due": c["next_due"]} for c in f.creates
        ])
    if "aggregates" in files:
        f = files["aggregates"]
        _update(ImportedAggregate, [(a, {**ch, "entered_by": user}) for a, ch in f.updates])
        _insert(ImportedAggregate, [
            {"team_id": teams[c["team"]], "month": c["month"], "measure": c["measure"], "numerator": c["numerator"],
             "denominator": c["denominator"], "entered_by_id": user.pk if user else None} for c in f.creates
        ])
    return ImportResult(files=plan.files)


def _among(queryset, field: str, values: set):
    """Filter on `field IN values`, or not at all when the list is long: a 30,000-item IN costs more to build
    and plan than reading the table (the caller drops the rows it did not ask for)."""
    return queryset.filter(**{f"{field}__in": list(values)}) if len(values) <= 2000 else queryset


def _records(queryset, *fields: str) -> list:
    """Rows as light records (pk and the named fields): the plan compares tens of thousands of rows, and
    building a model instance for each costs more than the comparison."""
    return list(queryset.values_list("pk", *fields, named=True))


def _insert(model, rows: list[dict]) -> None:
    """Insert new rows in bulk: COPY on PostgreSQL (the floor the benchmark compares with), bulk_create
    elsewhere (the SQLite demo). Columns a row leaves out take the field's default; auto_now fields, now."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    given = list(rows[0])
    now = timezone.now()
    constants = {}
    for name, f in fields.items():
        if name not in given:
            constants[name] = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
    json_columns = {name for name, f in fields.items() if f.get_internal_type() == "JSONField"}
    for name in json_columns & constants.keys():
        constants[name] = json.dumps(constants[name])
    order = given + list(constants)
    columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in order)
    table = connection.ops.quote_name(model._meta.db_table)
    texts = [_copy_column(list(map(itemgetter(name), rows)), json_=name in json_columns) for name in given]
    texts += [repeat(_copy_value(value)) for value in constants.values()]
    lines = map("\t".join, zip(*texts, strict=False))  # COPY's text format, joined in C; repeat() is endless
    with connection.cursor() as cursor:
        foreign_keys = _foreign_keys_drop(cursor, model) if len(rows) >= FK_REBUILD_ROWS else []
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # psycopg 3
            while chunk := list(islice(lines, COPY_CHUNK)):
                copy.write("\n".join(chunk) + "\n")
        for name, definition in foreign_keys:  # one set-based check per key, here rather than one per row at commit
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


COPY_CHUNK = 10000  # rows per write: a few MB at most
_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in COPY's text format (the format `COPY … TO STDOUT` writes)."""
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, date):  # datetime too: ISO 8601 with its offset
        return value.isoformat()
    return str(value)  # int, Decimal


def _copy_column(values: list, *, json_: bool = False) -> list[str]:
    """A column's values in COPY's text format: the common cases (every value a plain str, int, date or
    Decimal) in one pass of a built-in, the rest value by value. Formatting column-wise instead of
    psycopg's write_row per row takes the apply's Python time for 135,000 rows from about 1 s to 0.2 s."""
    if json_:
        values = [json.dumps(v) for v in values]  # None too: JSON null, as psycopg wrote it before
    present = [v for v in values if v is not None]
    kinds = set(map(type, present))
    joined = "".join(present) if kinds <= {str} else ""
    if kinds <= {str} and not any(c in joined for c in "\\\t\n\r"):
        texts = values
    elif kinds <= {int, Decimal}:
        texts = list(map(str, values))
    elif kinds <= {date}:
        texts = [v if v is None else v.isoformat() for v in values]
    else:
        return list(map(_copy_value, values))
    if len(present) == len(values):
        return texts
    return [_NULL if v is None else t for v, t in zip(values, texts, strict=True)]


FK_REBUILD_ROWS = 5000  # below this the per-row checks at commit cost less than dropping and re-adding the keys


def _foreign_keys_drop(cursor, model) -> list[tuple[str, str]]:
    """Drop `model`'s foreign keys for a large COPY and return them (name, definition) to be added back.

    A deferred foreign key is checked row by row at commit: for 62,400 snapshots that is 125,000 look-ups and
    half the apply's time. Adding the key back after the COPY checks every row in one join, as PostgreSQL's
    "Populating a Database" advises; a bad reference fails the ADD, and the whole import rolls back as before.
    The cost: the tables are locked until the import commits (seconds), so large imports run as a task.
    If this transaction still already queued checks on the table (rows of it were changed just before), PostgreSQL
    refuses the DROP; the keys then stay and are checked at commit as before."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'"
        " ORDER BY conname", [model._meta.db_table])
    foreign_keys = cursor.fetchall()
    table = connection.ops.quote_name(model._meta.db_table)
    # The DROP also alters the referenced tables (workers, teams), which hold this transaction's queued checks
    # of the rows written before: run those now, then put those keys back to deferred (their default). Named,
    # not ALL: after SET CONSTRAINTS ALL, the keys added back would be immediate to the end of the transaction.
    cursor.execute("SELECT conname FROM pg_constraint JOIN pg_namespace n ON n.oid = connamespace"
                   " WHERE condeferred AND nspname = current_schema() ORDER BY conname")
    deferred = ", ".join(connection.ops.quote_name(name) for (name,) in cursor.fetchall())
    if deferred:
        cursor.execute(f"SET CONSTRAINTS {deferred} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {deferred} DEFERRED")
    try:
        with transaction.atomic():  # a savepoint: a refused DROP leaves the transaction usable
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    except OperationalError:  # "cannot ALTER TABLE … because it has pending trigger events"
        return []
    return foreign_keys


def _worker_map() -> dict[str, int]:
    """Worker id in the files -> pk: the source id, or CW-<pk> for workers Caseweight created itself."""
    out = {}
    for pk, source_id in Worker.objects.values_list("pk", "source_id"):
        out[source_id or f"CW-{pk}"] = pk
    return out
