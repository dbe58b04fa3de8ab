"""A worker's grade code under a scheme, as the pro-forma and the worker record store it.
"""
from __future__ import annotations

from datetime import date, timedelta

from .catalogue import SWINDON, WARRINGTON
from .people import SimWorker


def full_time_grade(scheme: str) -> str:
    return {SWINDON: "experienced"}.get(scheme, "")


def grade_for(w: SimWorker, scheme: str, day: date) -> str:
    """The worker's grade code under a scheme: required by Swindon (4.5), optional for Warrington (6.6)."""
    if scheme == SWINDON:
        if w.is_asye_on(day):
            return "nqsw"
        if w.position == "senior_practitioner":
            return "higher_specialist"
        experienced = w.seats[0].start <= day - timedelta(days=3 * 365)
        return "experienced" if experienced else "basic"
    if scheme == WARRINGTON:
        if w.is_asye_on(day):
            return "asye"
        return "student" if w.position == "student" else "qualified"
    return ""
