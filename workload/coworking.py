"""Whether a worker's pro-forma line for a shared case is scored as co-worked. One rule, used by the
pro-forma prefill (supervision.services.entry_start) and the demo generator.

- Nottinghamshire and Warrington halve (or share) the points for every worker on the case (SCHEMES 3.4, 6.4).
- Swindon and RBWM halve only the reduced-role second worker; the lead keeps full weighting (SCHEMES 4.4, 5.3).
- A student's co-work leaves the points with the worker doing the bulk of the tasks (SCHEMES 3.4, line 2015;
  POLICIES R12), so a case shared only with students is not co-worked for the allocated worker.
"""
from __future__ import annotations

from collections.abc import Iterable

REDUCED_ROLE_RULES = frozenset({"swindon", "rbwm"})


def line_is_co_worked(*, rules: str, role: str, other_positions: Iterable[str]) -> bool:
    """`role` is this worker's allocation role; `other_positions` the positions of the case's other holders."""
    others = list(other_positions)
    if not others or all(position == "student" for position in others):
        return False
    if rules in REDUCED_ROLE_RULES:
        return role == "co_worker"
    return True
