"""What the generated teams look like: scheme and preset per team type, case mix, factors and turnover.

Every code here is a valid code of the scheme or preset it names (domain/SCHEMES.md, POLICIES.md §2), and
the factor pools respect each scheme's rules by construction (Nottinghamshire: at most two factors, one
home-visit band, no s7/s37/reg 24-25 in the Court Team; Swindon/RBWM/Warrington: allowed categories and
mutually exclusive groups), so every generated month scores without a validation error.
"""
from __future__ import annotations

from dataclasses import dataclass, field

NOTTS = "nottinghamshire-wlm-2016"
SWINDON = "swindon-cws-v1"
WARRINGTON = "warrington-wms-2014"
COUNT = "caseload-count-v1"

# Children per family group (1-5 siblings); per template where the work differs.
SIBLINGS_DEFAULT = (40, 28, 17, 10, 5)
SIBLINGS_LAC = (55, 25, 12, 6, 2)
SIBLINGS_COURT = (32, 28, 20, 12, 8)
SIBLINGS_YOUNG_PEOPLE = (96, 4, 0, 0, 0)


@dataclass(frozen=True)
class Factor:
    code: str
    weight: float
    categories: frozenset[str] | None = None  # None: allowed with every category of the team


@dataclass(frozen=True)
class TeamTemplate:
    key: str
    name: str  # base name; generated authorities number it ("Duty and Assessment 3")
    code: str  # code prefix ("DA")
    scheme: str
    team_type: str
    preset: str
    preset_team_type: str
    categories: tuple[tuple[str, float], ...]
    factors: tuple[Factor, ...] = ()
    factor_rate: float = 0.0  # share of cases with at least one factor
    second_factor_rate: float = 0.0  # share of those with a second one
    exclusive: tuple[frozenset[str], ...] = ()
    max_factors: int = 2
    siblings: tuple[float, ...] = SIBLINGS_DEFAULT
    turnover: float = 0.06  # chance an open case closes in a given month
    case_age_days: int = 700  # age of the oldest case open when the history starts
    cowork_rate: float = 0.06  # share of new cases given a co-worker
    cowork_share: tuple[str, str] | None = None  # (allocated, co-worker) shares where the scheme splits by role
    # Caseload count schemes (no points): the pro-forma lists allocated cases only (case basis A).
    lists_cowork_lines: bool = True
    positions: tuple[tuple[str, float], ...] = (
        ("social_worker", 62), ("senior_practitioner", 18), ("asye", 14), ("trainee", 3), ("student", 3),
    )
    mid_points: float = 85  # full-time points at "pressure" 1.0, used to size caseloads
    points: bool = True


HOME_VISITS = frozenset({"home_visits_1_2h", "home_visits_3_4h", "home_visits_over_4h"})

TEMPLATES: dict[str, TeamTemplate] = {
    t.key: t
    for t in (
        TeamTemplate(
            key="duty_assessment", name="Duty and Assessment", code="DA",
            scheme=NOTTS, team_type="assessment", preset="BARNET_2019", preset_team_type="duty_and_assessment",
            categories=(
                ("s17_assessment", 36), ("s47_no_icpc", 22), ("s47_icpc", 18), ("private_fostering_up_to_3m", 2),
                ("cin_unstable", 8), ("cin_stable", 4), ("cp_stable", 4), ("cp_unstable", 6),
            ),
            factors=(
                Factor("interpreter", 3), Factor("home_visits_1_2h", 2), Factor("adult_of_concern", 2),
                Factor("uasc_assessment", 1), Factor("homeless_16_17_assessment", 0.5), Factor("epo_application", 1),
                Factor("mappa_attendance", 1), Factor("access_to_records", 0.5),
            ),
            factor_rate=0.16, second_factor_rate=0.2, exclusive=(HOME_VISITS,),
            turnover=0.38, case_age_days=50, cowork_rate=0.05,
        ),
        TeamTemplate(
            key="child_protection", name="Child Protection", code="CP",
            scheme=NOTTS, team_type="district_cin_cp", preset="BARNET_2019",
            preset_team_type="intervention_and_planning",
            categories=(
                ("cin_stable", 10), ("cin_unstable", 12), ("cin_supervision_or_fao", 4), ("cp_stable", 22),
                ("cp_unstable", 28), ("s47_icpc", 8), ("s47_no_icpc", 4), ("lac_newly_accommodated", 6),
                ("private_fostering_over_3m", 2),
            ),
            factors=(
                Factor("interpreter", 3), Factor("lpm_or_ico_preparation", 3), Factor("s47_strategy_open_case", 3),
                Factor("adult_of_concern", 3), Factor("home_visits_1_2h", 2), Factor("s7_report_open_case", 1),
                Factor("s37_report_open_case", 0.5), Factor("parenting_capacity_assessments_multiple", 1),
                Factor("mappa_attendance", 1), Factor("allegation_against_professional", 0.5),
            ),
            factor_rate=0.22, second_factor_rate=0.25, exclusive=(HOME_VISITS,),
            turnover=0.09, case_age_days=420, cowork_rate=0.07,
        ),
        TeamTemplate(
            key="children_in_care", name="Children in Care", code="CIC",
            scheme=NOTTS, team_type="through_care_lac", preset="BARNET_2019", preset_team_type="children_in_care",
            categories=(
                ("lac_stable", 25), ("lac_unstable", 30), ("lac_newly_accommodated", 18),
                ("lac_stable_permanent", 15), ("lac_reg24_until_approved", 12),
            ),
            factors=(
                Factor("home_visits_1_2h", 3), Factor("home_visits_3_4h", 2), Factor("home_visits_over_4h", 1),
                Factor("overnight_stays", 1), Factor("lac_transition_pathway_plan", 3), Factor("reg24_25_assessment", 1),
                Factor("interpreter", 1), Factor("complex_communication_needs", 1), Factor("adoption_breakdown", 0.3),
            ),
            factor_rate=0.30, second_factor_rate=0.3, exclusive=(HOME_VISITS,),
            siblings=SIBLINGS_LAC, turnover=0.04, case_age_days=1500, cowork_rate=0.04,
        ),
        TeamTemplate(
            key="court", name="Court Team", code="CRT",
            scheme=NOTTS, team_type="through_care_court", preset="BARNET_2019", preset_team_type="children_in_care",
            categories=(
                ("private_law_s7_report", 10), ("private_law_s37_report", 6), ("care_proceedings_lac_assessing", 20),
                ("care_proceedings_not_lac_assessing", 14), ("care_proceedings_lac_unstable", 12),
                ("care_proceedings_lac_stable", 16), ("care_proceedings_reg24", 8), ("care_proceedings_not_lac", 12),
            ),
            # No s7_report_open_case, s37_report_open_case or reg24_25_assessment: not for the Court Team (3.3).
            factors=(
                Factor("viability_assessments_multiple", 3), Factor("parenting_capacity_assessments_multiple", 3),
                Factor("interpreter", 2), Factor("home_visits_1_2h", 1), Factor("adult_of_concern", 2),
                Factor("epo_application", 0.5),
            ),
            factor_rate=0.28, second_factor_rate=0.25, exclusive=(HOME_VISITS,),
            siblings=SIBLINGS_COURT, turnover=0.07, case_age_days=330, cowork_rate=0.14,
            # "points need to be split according to the proportion of the overall work" (3.4, line 2019)
            cowork_share=("0.6", "0.4"),
        ),
        TeamTemplate(
            key="disabled_children", name="Disabled Children", code="CDS",
            scheme=NOTTS, team_type="cds_social_work", preset="BARNET_2019", preset_team_type="disabled_children",
            categories=(
                ("cin_stable", 22), ("cin_unstable", 18), ("cp_stable", 12), ("cp_unstable", 8), ("lac_stable", 12),
                ("lac_unstable", 10), ("lac_stable_permanent", 8), ("s17_assessment", 10),
            ),
            factors=(
                Factor("complex_communication_needs", 4), Factor("home_visits_1_2h", 2), Factor("interpreter", 1),
                Factor("lac_transition_pathway_plan", 2), Factor("overnight_stays", 1),
            ),
            factor_rate=0.45, second_factor_rate=0.25, exclusive=(HOME_VISITS,),
            siblings=SIBLINGS_LAC, turnover=0.04, case_age_days=1400, cowork_rate=0.04,
        ),
        TeamTemplate(
            key="leaving_care", name="Leaving Care", code="LC",
            scheme=COUNT, team_type="barnet_leaving_care", preset="BARNET_2019", preset_team_type="leaving_care",
            categories=(("care_leaver", 80), ("cic", 20)),
            siblings=SIBLINGS_YOUNG_PEOPLE, turnover=0.035, case_age_days=1400, cowork_rate=0.03,
            lists_cowork_lines=False,
            positions=(("personal_adviser", 60), ("social_worker", 25), ("senior_practitioner", 15)),
            mid_points=18, points=False,
        ),
        TeamTemplate(
            key="swindon_csw", name="Children's Social Work", code="CSW",
            scheme=SWINDON, team_type="childrens_social_work", preset="BARNET_2019",
            preset_team_type="intervention_and_planning",
            categories=(("cin", 35), ("cp", 38), ("lac", 27)),
            factors=(
                Factor("lac_complex", 2, frozenset({"lac"})), Factor("cp_complex", 2, frozenset({"cp"})),
                Factor("court_settled", 1), Factor("court_initial_or_final", 1), Factor("single_assessment", 2),
                Factor("s47_enquiry", 1), Factor("pre_proceedings", 1), Factor("travel_local", 4),
                Factor("travel_1_2h", 1), Factor("travel_over_2h", 0.5), Factor("time_limited_task", 1.5),
            ),
            factor_rate=0.8, second_factor_rate=0.6, max_factors=3,
            exclusive=(
                frozenset({"travel_local", "travel_1_2h", "travel_over_2h"}),
                frozenset({"court_settled", "court_initial_or_final"}),
                frozenset({"single_assessment", "s47_enquiry"}),
            ),
            turnover=0.08, case_age_days=500, cowork_rate=0.06,
            positions=(("social_worker", 62), ("senior_practitioner", 20), ("asye", 18)),
            mid_points=310,
        ),
        TeamTemplate(
            key="warrington_cic", name="Looked After Children", code="LAC",
            scheme=WARRINGTON, team_type="children_in_care", preset="BARNET_2019", preset_team_type="children_in_care",
            categories=(
                ("cic", 68), ("cp", 6), ("private_fostering", 4), ("child_no_statutory_plan", 12), ("cin", 10),
            ),
            factors=(
                Factor("pathway_review", 3), Factor("change_of_placement", 1), Factor("direct_work_programme", 2),
                Factor("contact_assessment", 1), Factor("placement_with_parents", 1), Factor("cpr", 0.5),
                Factor("court_report_only", 1), Factor("leaving_care_needs_assessment", 1),
                Factor("travel_over_1h", 2, frozenset({
                    "cp", "cic", "private_fostering", "child_no_statutory_plan",
                })),
            ),
            factor_rate=0.45, second_factor_rate=0.3,
            siblings=SIBLINGS_LAC, turnover=0.04, case_age_days=1500, cowork_rate=0.05,
            positions=(("social_worker", 66), ("senior_practitioner", 18), ("asye", 16)),
            mid_points=85,
        ),
    )
}

# The order generated authorities cycle through: busy front-door teams first, as a real authority has more of them.
TEMPLATE_CYCLE = (
    "duty_assessment", "child_protection", "children_in_care", "disabled_children", "duty_assessment",
    "child_protection", "court", "leaving_care", "swindon_csw", "warrington_cic",
)

AREA_NAMES = (
    "North", "South", "Corporate Parenting", "East", "West", "Central", "Coastal", "City", "Valley", "Forest",
    "Riverside", "Downs", "Fens", "Dales", "Wolds", "Vale",
)


# --- The demo authority -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    """One worker of a hand-written roster (the demo); generated authorities draw these at random."""

    position: str
    wte: str = "1.0"
    agency: bool = False
    login: bool = True
    extra_duty: bool = False
    practice_educator: bool = False
    pressure: float | None = None  # None: drawn at random
    extras: tuple[str, ...] = ()  # extra responsibilities of the team's scheme the worker holds every month
    name: tuple[str, str] | None = None  # (first name, surname) pinned where the README names the person
    moves_to: str = ""  # team code this worker moved to four months ago (the demo's dated memberships)
    # A qualified worker whose ASYE is over: it started this many days before today and the programme was
    # completed this many days after its start (more than a year: an extended ASYE, still ASYE until then).
    asye_started_days_ago: int | None = None
    asye_completed_after_days: int | None = None


@dataclass(frozen=True)
class TeamLayout:
    name: str
    code: str
    area: str
    template: str
    roster: tuple[RosterEntry, ...] = ()
    size: int = 0  # generated authorities: roster drawn at random to this size


@dataclass(frozen=True)
class Layout:
    teams: tuple[TeamLayout, ...]
    # (from team code, to team code): one social worker moved between these teams 4 months ago (generated
    # authorities; the demo names its mover with RosterEntry.moves_to)
    moves: tuple[tuple[str, str], ...] = field(default_factory=tuple)


R = RosterEntry
DEMO_LAYOUT = Layout(
    teams=(
        TeamLayout("Duty and Assessment North", "DA1", "North", "duty_assessment", (
            R("senior_practitioner", practice_educator=True, pressure=1.0),
            R("social_worker", pressure=1.25, name=("Michelle", "Adams")),
            R("social_worker", "0.8", pressure=0.95), R("asye"), R("social_worker", agency=True, pressure=1.1),
            R("social_worker", "0.6", pressure=0.9), R("student", name=("Shabana", "Edwards")),
        )),
        TeamLayout("Children's Social Work North", "CSW1", "North", "swindon_csw", (
            R("senior_practitioner", pressure=1.15), R("social_worker", pressure=1.0),
            R("social_worker", pressure=0.8), R("asye"), R("social_worker", agency=True, pressure=1.3),
        )),
        TeamLayout("Child Protection South", "CP1", "South", "child_protection", (
            R("senior_practitioner", extra_duty=True, pressure=1.0), R("social_worker", pressure=1.3),
            R("social_worker", pressure=1.0, name=("Samantha", "Bell"), moves_to="DA1"),
            R("social_worker", "0.5", pressure=1.2), R("asye"),
            R("social_worker", agency=True, login=False, pressure=1.1), R("trainee"),
        )),
        TeamLayout("Disabled Children", "CDS1", "South", "disabled_children", (
            R("senior_practitioner", pressure=1.15), R("social_worker", pressure=1.35),
            R("social_worker", "0.5", pressure=0.9), R("social_worker", "0.8", extra_duty=True, pressure=1.05),
            R("asye"),
        )),
        TeamLayout("Children in Care", "CIC1", "Corporate Parenting", "children_in_care", (
            R("senior_practitioner", pressure=1.1), R("social_worker", pressure=1.3),
            R("social_worker", "0.8", pressure=1.0),
            R("social_worker", pressure=0.75, asye_started_days_ago=480, asye_completed_after_days=440), R("asye"),
            R("social_worker", pressure=1.15),
        )),
        TeamLayout("Court Team", "CRT1", "Corporate Parenting", "court", (
            R("senior_practitioner", extra_duty=True, pressure=1.0), R("social_worker", pressure=1.25),
            R("social_worker", pressure=0.85), R("social_worker", agency=True, pressure=1.05),
            R("social_worker", "0.6", pressure=0.9),
        )),
        TeamLayout("Leaving Care", "LC1", "Corporate Parenting", "leaving_care", (
            R("personal_adviser", pressure=1.3), R("personal_adviser", pressure=1.05),
            R("personal_adviser", "0.6", pressure=0.9), R("social_worker", pressure=0.85),
            R("personal_adviser", pressure=1.2),
        )),
        TeamLayout("Children in Care East", "CIC2", "Corporate Parenting", "warrington_cic", (
            # the most stretched worker of the demo: over Warrington's maximum some months, two running (R23)
            R("social_worker", pressure=1.45, extras=("pq_training",)), R("social_worker", pressure=0.9),
            R("social_worker", "0.8", pressure=1.3),
            R("asye"), R("senior_practitioner", extra_duty=True, pressure=1.0),
        )),
    ),
    # Samantha Bell (CP1 roster) moved to DA1: the README's example of dated memberships.
)
