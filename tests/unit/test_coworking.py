"""The one rule that decides whether a shared case is scored as co-worked on a worker's pro-forma."""
import pytest

from workload.coworking import line_is_co_worked


@pytest.mark.parametrize(
    ("rules", "role", "others", "expected"),
    [
        ("nottinghamshire", "allocated", [], False),  # not shared
        ("nottinghamshire", "allocated", ["social_worker"], True),  # each worker gets half (3.4)
        ("warrington", "co_worker", ["social_worker"], True),
        ("swindon", "allocated", ["social_worker"], False),  # the lead keeps full weighting (4.4)
        ("swindon", "co_worker", ["senior_practitioner"], True),  # the reduced-role worker is halved
        ("rbwm", "allocated", ["asye"], False),
        ("nottinghamshire", "allocated", ["student"], False),  # bulk of the tasks stays with the worker
    ],
)
def test_line_is_co_worked(rules, role, others, expected):
    assert line_is_co_worked(rules=rules, role=role, other_positions=others) is expected
