"""Display helpers: band badges and exact points. No business rules here."""
import re
from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.html import format_html

register = template.Library()

# How a band reads at a glance. The band itself is decided by the scoring engine.
BAND_TONE = {
    "below_sustainable": "low", "below_bandwidth": "low", "below_target": "low",
    "sustainable": "ok", "within_bandwidth": "ok", "within_target": "ok", "within_capacity": "ok",
    "demanding": "warn", "above_target": "warn",
    "high": "high", "above_bandwidth": "high", "over_capacity": "high", "above_escalation": "high",
}


@register.simple_tag
def band_badge(code: str, label: str = "") -> str:
    if not code:
        return format_html('<span class="band band-none">{}</span>', label or "Not scored")
    tone = BAND_TONE.get(code, "none")
    return format_html('<span class="band band-{}">{}</span>', tone, label or code.replace("_", " ").capitalize())


@register.filter
def points(value) -> str:
    """Exact decimal without trailing zeros: 21, 10.5, 56.25. Blank stays blank."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def get_item(mapping, key):
    """Look up a key in a dict the view prepared (templates cannot subscript with variables)."""
    return mapping.get(key) if mapping else None


@register.filter
def key_label(key: str) -> str:
    """'sustainable_max' -> 'Sustainable max' for threshold tables."""
    return str(key).replace("_", " ").capitalize()


def what_if_fields(entry, lines) -> list[tuple[str, str]]:
    """A month's figures as the scoring page's field names, to compare it under another scheme.

    Duck-typed (scheme_version.slug, team_type, wte, grade, personal, extra_duty_hours, extras; lines with
    reference, children, category, factors, co_worked, co_work_share) so workload needs no supervision import."""
    fields: list[tuple[str, str]] = [("scheme", entry.scheme_version.slug), ("team_type", entry.team_type),
                                     ("worker-wte", str(entry.wte))]
    if entry.grade:
        fields.append(("worker-grade", entry.grade))
    fields += [("worker-personal", code) for code in entry.personal or ()]
    fields += [("worker-extras", code) for code in entry.extras or ()]
    if entry.extra_duty_hours:
        fields.append(("worker-extra_duty_hours", str(entry.extra_duty_hours)))
    for i, line in enumerate(lines):
        fields += [(f"lines-{i}-reference", line.reference), (f"lines-{i}-children", str(line.children)),
                   (f"lines-{i}-category", line.category)]
        fields += [(f"lines-{i}-factors", code) for code in line.factors or ()]
        if line.co_worked:
            fields.append((f"lines-{i}-co_worked", "on"))
            if line.co_work_share is not None:
                fields.append((f"lines-{i}-co_work_share", str(line.co_work_share)))
    return fields


@register.inclusion_tag("workload/partials/_compare_month.html", takes_context=True)
def what_if_compare(context, entry, lines) -> dict:
    """A button that posts a month to the scoring page: a POST form with hidden fields, never a link,
    because the lines carry case references and categories, and URLs end up in logs and histories."""
    return {"csrf_token": context.get("csrf_token"), "fields": what_if_fields(entry, lines)}


@lru_cache(maxsize=32)  # SchemeTables hash by identity; a version's tables are built once per process
def category_labels(tables) -> dict[str, str]:
    """code -> label of every category of a scheme version, across its team types."""
    return {code: spec.label for team in tables.team_type_specs.values() for code, spec in team.categories.items()}


_TABLE_ROW = re.compile(r" row (?P<code>[a-z0-9_]+)(?=,|$)")


@register.filter
def reason_detail(detail: str, tables) -> str:
    """A scoring reason's source as people read it: the engine writes "Table N-AD row s47_icpc, column A"
    (its JSON and golden tests keep that); pages say "Table N-AD, S47 with ICPC, column A"."""
    if not detail or tables is None:
        return detail
    labels = category_labels(tables)
    return _TABLE_ROW.sub(lambda m: f", {labels[m['code']]}" if m["code"] in labels else m.group(0), detail)


@register.filter
def category_label(code: str, labels) -> str:
    """A category code by its label, from a {code: label} map the view prepared; the code only if unknown."""
    return (labels or {}).get(code) or code


@register.filter
def threshold_label(key: str, tables) -> str:
    """A band threshold by the scheme's own words ("sustainable maximum"), capitalised; key_label if unknown."""
    label = dict(tables.threshold_keys).get(key) if tables is not None else None
    return label[:1].upper() + label[1:] if label else key_label(key)
