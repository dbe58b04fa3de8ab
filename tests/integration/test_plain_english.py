"""No page a worker or manager sees shows a scheme code or a rule ID (issue 10, "Plain English").

seed_demo builds teams on every scheme it ships a demo for; the test signs in as the team manager of one
team per scheme and as one of that team's workers, follows every link they can reach from home (GET only,
same site), and reads each page's visible text: tags, scripts, styles and attribute values are stripped,
because codes in `value="cp"` or `data-band="high"` are data, not words a person reads.
"""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model

from supervision.models import ProformaEntry
from workload.models import SchemeVersion, Team

pytestmark = pytest.mark.django_db

RULE_ID = re.compile(r"\b(?:R\d\d|REP-\d+|POL-\d+)\b")
# Codes that are also ordinary English words ("high", "other"): in running text they are words, not codes.
# Only all-letter codes may be listed here; identifier-shaped codes (s47_icpc, cp, lac) are always checked.
ENGLISH_WORDS = frozenset({"assessment", "other", "demanding", "high", "interpreter", "sustainable", "complex",
                           "report"})
# One team per scheme in the demo: (team code, scheme slug)
TEAMS = (("DA1", "nottinghamshire-wlm-2016"), ("LC1", "caseload-count-v1"), ("CSW1", "swindon-cws-v1"),
         ("CIC2", "warrington-wms-2014"))
SKIP = ("/accounts/logout", "/admin/", "/static/", "/accounts/password")
MONTH_IN_PATH = re.compile(r"/(\d{4}-\d{2})/")
ENTRY_PDF = re.compile(r"/entries/\d+/pdf/$")
MAX_PAGES = 400  # a guard against a crawl that never ends; the demo's largest team stays well below it


class VisibleText(HTMLParser):
    """The text a person reads: data outside <script>, <style> and <template>; no tags, no attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def scheme_codes() -> set[str]:
    codes: set[str] = set()
    for version in SchemeVersion.objects.all():
        tables = version.tables()
        codes |= set(tables.factor_specs) | set(tables.personal_specs) | set(tables.extra_specs)
        codes |= set(tables.band_labels)
        for team_type in tables.team_type_specs.values():
            codes |= set(team_type.categories)
    assert all(word.isalpha() for word in ENGLISH_WORDS)
    return codes - ENGLISH_WORDS


def crawl(client, months: set[str]) -> dict[str, str]:
    """path -> visible text of every page reachable from home by links, within the months that have entries
    (the team-month page links the month before and after, endlessly)."""
    seen: dict[str, str] = {}
    queue = deque(["/"])
    queued = {"/"}
    pdf_queued = False
    while queue:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        seen[path] = " ".join(parser.parts)
        for href in parser.links:
            href = urldefrag(href).url
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path  # sort orders and filters show the same words
            month = MONTH_IN_PATH.search(target)
            if target in queued or target.startswith(SKIP) or (month and month.group(1) not in months):
                continue
            if ENTRY_PDF.search(target):
                if pdf_queued:
                    continue  # one entry PDF proves the link works; its words are checked by test_entry_pdf
                pdf_queued = True
            queued.add(target)
            # fetched with the first query string seen (a page such as the workers behind a count needs its
            # own), but only once per path: sort orders and filters show the same words
            queue.append(target + (f"?{parts.query}" if parts.query else ""))
        assert len(seen) < MAX_PAGES, sorted(seen)[:50]
    return seen


def leaks(pages: dict[str, str], codes: set[str]) -> list[tuple[str, str]]:
    code_word = re.compile(r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                           + r")(?![\w-])")
    found = []
    for path, text in pages.items():
        found += [(path, m.group(0)) for m in code_word.finditer(text)]
        found += [(path, m.group(0)) for m in RULE_ID.finditer(text)]
    return sorted(set(found))




@pytest.mark.parametrize(("team_code", "slug"), TEAMS)
def test_no_scheme_code_or_rule_id_on_any_page_a_manager_or_worker_reaches(client, seeded, team_code, slug):
    team = Team.objects.get(code=team_code)
    assert team.scheme_assignments.get().scheme_version.slug == slug
    manager = team.managers.get()
    entry = (ProformaEntry.objects.filter(team=team, worker__user__isnull=False, is_current=True)
             .select_related("worker__user").order_by("-month", "worker__surname").first())
    codes = scheme_codes()
    months = {f"{m:%Y-%m}" for m in ProformaEntry.objects.values_list("month", flat=True).distinct()}
    assert {"s47_icpc", "cp", "lac", "cic"} <= codes  # the check looks for real codes
    for user in (manager, entry.worker.user):
        client.force_login(user)
        pages = crawl(client, months)
        assert "/" in pages and len(pages) > 3, sorted(pages)
        assert leaks(pages, codes) == [], get_user_model().objects.get(pk=user.pk).username
        client.logout()


def test_the_leak_check_finds_codes_and_rule_ids():
    pages = {"/x/": "Child Protection (cp) needs a reason (R06), see REP-24 and POL-8; s47_icpc; CP is fine; "
                    "high band; R2D2 and R100 are not rule IDs"}
    assert leaks(pages, {"cp", "s47_icpc"}) == [
        ("/x/", "POL-8"), ("/x/", "R06"), ("/x/", "REP-24"), ("/x/", "cp"), ("/x/", "s47_icpc")]
