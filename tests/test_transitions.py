"""The two status transition tables, every (from, to) pair written out by hand."""

from __future__ import annotations

import itertools

import pytest

from queries.core.schema import APPLICATION_STATUSES, VENDOR_STATUSES
from queries.merchants.transitions import (
    APPLICATION_TRANSITIONS,
    VENDOR_TRANSITIONS,
    application_allowed,
    application_targets,
    vendor_allowed,
    vendor_targets,
)

# (from, to) → allowed for the console; the rest of the 4 × 4 grid is refused.
APPLICATION_CONSOLE = {
    ("pending", "approved"),
    ("pending", "needs_info"),
    ("pending", "rejected"),
    ("needs_info", "approved"),
    ("needs_info", "rejected"),
}
APPLICATION_APPLICANT = {("needs_info", "pending")}
VENDOR_CONSOLE = {
    ("active", "suspended"),
    ("suspended", "active"),
    ("active", "closed"),
    ("suspended", "closed"),
}


@pytest.mark.parametrize("pair", list(itertools.product(APPLICATION_STATUSES, repeat=2)))
def test_application_pair(pair):
    current, target = pair
    assert application_allowed(current, target) == (pair in APPLICATION_CONSOLE)
    by_applicant = application_allowed(current, target, by="applicant")
    assert by_applicant == (pair in APPLICATION_APPLICANT)


@pytest.mark.parametrize("pair", list(itertools.product(VENDOR_STATUSES, repeat=2)))
def test_vendor_pair(pair):
    current, target = pair
    assert vendor_allowed(current, target) == (pair in VENDOR_CONSOLE)
    assert not vendor_allowed(current, target, by="applicant")


def test_tables_hold_exactly_these_pairs():
    assert set(APPLICATION_TRANSITIONS) == APPLICATION_CONSOLE | APPLICATION_APPLICANT
    assert set(VENDOR_TRANSITIONS) == VENDOR_CONSOLE
    for table, statuses in (
        (APPLICATION_TRANSITIONS, APPLICATION_STATUSES),
        (VENDOR_TRANSITIONS, VENDOR_STATUSES),
    ):
        assert {s for pair in table for s in pair} <= set(statuses)


def test_final_states_and_targets():
    assert application_targets("pending") == ("needs_info", "approved", "rejected")
    assert application_targets("needs_info") == ("approved", "rejected")
    assert application_targets("approved") == ()
    assert application_targets("rejected") == ()
    assert vendor_targets("active") == ("suspended", "closed")
    assert vendor_targets("suspended") == ("active", "closed")
    assert vendor_targets("closed") == ()


def test_unknown_status_is_refused():
    assert not application_allowed("pending", "deleted")
    assert not vendor_allowed("banned", "active")
