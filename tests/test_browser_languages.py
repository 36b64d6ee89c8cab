"""Both languages in a real browser: what AppTest cannot see, Plotly's drawn axes.

A vendor switches to Chinese: the Home chart's date ticks are Chinese dates
("11月8日"), never English month names, and the Sales trend's too; back in English they
read "Nov 8". The operator's shop picker says 全商城, not Streamlit's "Choose an option".
"""

from __future__ import annotations

import re

import pytest

from tests.browser import login, open_page, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def _ticks(page, *, drawn_in: str | None = None) -> list[str]:
    """The drawn x-axis tick labels of the page's first chart.

    `drawn_in="zh"`: wait (up to 15 s) for Plotly to redraw the chart after a language
    switch — its heading arrives with the new run, the axis a moment later — then read.
    """
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.locator(".xtick text").first.wait_for()

    def read() -> list[str]:
        texts = chart.locator(".xtick text").evaluate_all("els => els.map(e => e.textContent)")
        return [t.strip() for t in texts if t and t.strip()]

    for _ in range(150 if drawn_in == "zh" else 0):
        if not any(ENGLISH_MONTH.search(t) for t in read()):
            break
        page.wait_for_timeout(100)
    return read()


def _switch(page, label: str) -> None:
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()
    wait_idle(page)


def test_chart_dates_follow_the_language(running_app, browser_page):
    page = browser_page
    login(page, running_app, "shop_big", "demo-shop-big")
    wait_idle(page)
    english = _ticks(page)
    assert any(ENGLISH_MONTH.search(t) for t in english), english

    _switch(page, "中文")
    page.get_by_role("heading", name="近 30 天每日成交额").wait_for()
    chinese = _ticks(page, drawn_in="zh")
    assert chinese and not any(ENGLISH_MONTH.search(t) for t in chinese), chinese
    assert all(re.fullmatch(r"\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月", t) for t in chinese), chinese
    page.screenshot(path=str(running_app.folder / "home_zh.png"), full_page=True)

    main = open_page(page, "销售分析")
    trend = _ticks(page, drawn_in="zh")
    assert trend and not any(ENGLISH_MONTH.search(t) for t in trend), trend
    assert "Choose" not in main.inner_text()


def test_the_whole_mall_is_named_in_the_shop_picker(running_app, browser_page):
    page = browser_page
    login(page, running_app, "operator", "demo-operator")
    _switch(page, "中文")
    open_page(page, "销售分析")
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    # What it shows: its text and, for a chosen None, its input's placeholder.
    text = picker.evaluate(
        "e => e.innerText + ' ' + [...e.querySelectorAll('input')]"
        ".map(i => i.value + ' ' + (i.placeholder || '')).join(' ')"
    )
    assert "全商城" in text and "Choose" not in text, text


# Every text node a person can see, and the placeholders of empty inputs (icons' ligature
# names such as "home" are not text a person reads).
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest("script, style, noscript, [data-testid=stIconMaterial], "
        + "[data-testid=stAlertDynamicIcon], .material-symbols-rounded")) continue;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (box.width < 2 || box.height < 2 || style.visibility === "hidden") continue;
    out.push(node.textContent);
  }
  document.querySelectorAll("input").forEach(i => {
    if (!i.value && i.placeholder) out.push(i.placeholder);
  });
  return out.join("\\n");
}"""
OPERATOR_PAGES = [
    "销售分析",
    "订单管理",
    "会员分析",
    "营销活动分析",
    "种草内容",
    "商家排行",
    "供应商入驻",
    "商家管理",
    "商品管理",
    "营销活动",
    "结算单",
    "操作日志",
]


def test_an_operators_chinese_screens_show_no_english(running_app, browser_page):
    """What a person sees, Streamlit's own words included: no English word outside the
    codes every language writes alike and the user's own name."""
    from tests.test_languages import ALLOWED_ASCII

    page = browser_page
    login(page, running_app, "operator", "demo-operator")
    _switch(page, "中文")
    found = {}
    for name in OPERATOR_PAGES:
        wait_idle(page)  # by its exact name: 营销活动 is also the start of 营销活动分析
        page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True).click()
        page.get_by_test_id("stMain").get_by_role("heading", name=name, exact=True).wait_for()
        wait_idle(page)
        text = page.evaluate(VISIBLE_TEXT)
        words = set(re.findall(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])", text))
        words -= ALLOWED_ASCII | {"operator"}
        if words:
            found[name] = sorted(words)
    assert found == {}
