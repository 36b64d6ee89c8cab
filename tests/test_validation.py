"""Validators: listed edge cases, and fuzzing (parsed exactly or refused, never a crash)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queries.core.errors import Invalid
from queries.core.validation import (
    MAX_STOCK,
    parse_campaign,
    parse_money,
    parse_percent,
    parse_price,
    parse_price_change,
    parse_product_status,
    parse_stock,
    parse_text,
)

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.from_regex(r"\A\s*[¥￥+-]?\s*[0-9,]{0,12}(\.[0-9]{0,4})?\s*%?\s*\Z", fullmatch=True),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
)


def _refused_cleanly(exc: Invalid) -> None:
    assert exc.zh and exc.en and exc.zh != exc.en
    assert isinstance(exc.details, dict) and exc.details


@pytest.mark.parametrize("text", ["12.345", "-1", "0", "abc", "1e9", "", "  ", None, "1,23.4"])
def test_listed_prices_are_refused(text):
    with pytest.raises(Invalid) as info:
        parse_price(text)
    _refused_cleanly(info.value)


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        ("19.99", 1999),
        (19.99, 1999),  # a spreadsheet's float: read through repr, not x * 100
        (0.29, 29),  # 0.29 * 100 == 28.999999999999996 as a float
        ("¥1,299.5", 129950),
        ("１９．９９", 1999),  # full-width, as typed with a Chinese input method
        (Decimal("10000000.00"), 1_000_000_000),
        (5, 500),
    ],
)
def test_prices_parse_exactly(value, cents):
    assert parse_price(value) == cents


def test_numpy_scalars_from_a_data_editor():
    import numpy as np

    assert parse_price(np.float64(19.99)) == 1999
    assert parse_stock(np.int64(12)) == 12
    assert parse_stock(np.float64(12.0)) == 12


def test_price_above_the_cap_is_refused():
    with pytest.raises(Invalid):
        parse_price("10000000.01")


@pytest.mark.parametrize("value", ["-1", "1.5", "x", "", None, True, 1.5, MAX_STOCK + 1, "1e3"])
def test_bad_stock_is_refused(value):
    with pytest.raises(Invalid) as info:
        parse_stock(value)
    _refused_cleanly(info.value)


@pytest.mark.parametrize(
    ("value", "bps"), [("-10", -1000), ("2.5", 250), ("+15 %", 1500), (3, 300)]
)
def test_price_change_in_basis_points(value, bps):
    assert parse_price_change(value) == bps


@given(ANYTHING)
@settings(max_examples=400, deadline=None, database=None)
def test_price_is_exact_or_refused(value):
    try:
        cents = parse_price(value)
    except Invalid as exc:
        _refused_cleanly(exc)
        return
    assert isinstance(cents, int) and 0 < cents <= 1_000_000_000
    # Exact: the accepted text, read as a decimal, is the same amount.
    if isinstance(value, str):
        import unicodedata

        plain = unicodedata.normalize("NFKC", value).replace("¥", "").replace(",", "").strip()
        assert Decimal(plain) * 100 == cents
    elif isinstance(value, float):
        assert Decimal(repr(value)) * 100 == cents


@given(st.integers(min_value=1, max_value=1_000_000_000))
@settings(database=None)
def test_every_fen_amount_round_trips(cents):
    text = f"{cents // 100}.{cents % 100:02d}"
    assert parse_price(text) == cents
    assert parse_price(float(text)) == cents  # the float a spreadsheet cell would hold


@given(ANYTHING)
@settings(max_examples=300, deadline=None, database=None)
def test_other_validators_never_crash(value):
    for parse in (
        parse_stock,
        parse_percent,
        parse_price_change,
        parse_product_status,
        parse_campaign,
        lambda v: parse_money(v, allow_zero=True),
        lambda v: parse_text(v, field="reason", label=("原因", "reason")),
    ):
        try:
            parse(value)
        except Invalid as exc:
            _refused_cleanly(exc)


@given(st.integers(min_value=0, max_value=MAX_STOCK))
@settings(database=None)
def test_stock_round_trips(number):
    assert parse_stock(str(number)) == number
    assert parse_stock(f"{number:,}") == number
    assert parse_stock(float(number)) == number


def test_statuses_in_either_language():
    assert parse_product_status("在售") == "on_sale"
    assert parse_product_status("Off shelf") == "off_shelf"
    assert parse_product_status("已违规下架") == "banned"
    with pytest.raises(Invalid):
        parse_product_status("sold")
