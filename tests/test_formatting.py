"""Money, counts and ratios as a page shows them, in both languages (run inside AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _page(lang: str) -> None:
    import streamlit as st

    from dashboard.ui.formatting import money, number, percent

    st.session_state["lang"] = lang
    values = [money(123456789), money(-500), money(0), money(5), money(100), money(None)]
    st.text("|".join(values))
    st.text("|".join([number(1234567), percent(0.1234), percent(None)]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_money_is_exact_and_grouped(lang, monkeypatch):
    monkeypatch.delenv("CURRENCY", raising=False)
    at = AppTest.from_function(_page, args=(lang,)).run()
    assert not at.exception
    assert at.text[0].value == "¥1,234,567.89|-¥5.00|¥0.00|¥0.05|¥1.00|—"
    assert at.text[1].value == "1,234,567|12.3%|—"


def test_money_follows_the_configured_currency(monkeypatch):
    monkeypatch.setenv("CURRENCY", "HKD")
    at = AppTest.from_function(_page, args=("en",)).run()
    assert at.text[0].value.startswith("HK$1,234,567.89|-HK$5.00|")
