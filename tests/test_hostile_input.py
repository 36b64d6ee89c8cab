"""Hostile input (issue 28): one validator for text, dates and numbers, and the review's
reproductions, each refused with a clear message in both languages and nothing written.

Unit tests of `queries.core.validation` (length limit, control characters, text-direction
overrides, trimming, times without zone, years 1999 / 2101, overflowing numbers,
superscript digits), then every write function that takes free text on SQLite and
PostgreSQL (the contract's tables compared before and after), the Orders page's member
id in AppTest, and the shell commands in a subprocess (exit 2, a message, no traceback).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from queries.catalog.product_edits import ProductChange, bulk_update_products, update_product
from queries.core import messages
from queries.core import schema as s
from queries.core.actors import Actor
from queries.core.errors import Invalid
from queries.core.settings import PROJECT_ROOT
from queries.core.validation import (
    BIDI_CONTROLS,
    MAX_ID,
    TEXT_RULES,
    check_moment,
    local_datetime,
    parse_day,
    parse_month,
    parse_text,
    parse_whole_number,
)
from queries.finance.actions import (
    adjust_statement,
    confirm_statement,
    issue_statements,
    mark_paid,
)
from queries.marketing.promotion_edits import (
    cancel_promotion,
    create_promotion,
    update_promotion,
)
from queries.merchants.onboarding import decide_application
from queries.merchants.vendors import set_vendor_status
from tests.apptest import AppSession, texts
from tests.builders import MallBuilder, snapshot
from tests.conftest import BACKENDS

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
OPS = Actor("ops", "operator")
FINANCE = Actor("fin", "finance")
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
LABEL = ("备注", "remark")


def _both(exc: Invalid, key: str, **fmt) -> None:
    """The refusal says the message of `key` in Chinese and in English."""
    zh, en = messages.text(key, **fmt)
    assert exc.zh == zh and exc.en == en, (exc.zh, exc.en)
    assert exc.zh != exc.en


def _refused(call, *args, **kwargs) -> Invalid:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value


# --- the text validator ------------------------------------------------------------------


def test_text_is_trimmed_and_kept_otherwise():
    rule = TEXT_RULES["promotion_name"]
    assert parse_text("  满200减20 \n", rule) == "满200减20"
    assert parse_text("**B** [l](javascript:alert(1)) $x^2$", rule) == (
        "**B** [l](javascript:alert(1)) $x^2$"  # refusing Markdown is the page's job: shown as text
    )
    assert parse_text("  ", rule, required=False) is None
    assert parse_text(None, rule, required=False) is None


def test_blank_required_text_says_which_field():
    exc = _refused(parse_text, "   ", TEXT_RULES["payment_reference"])
    _both(exc, "error.finance.actions.enter_transfer_reference")
    exc = _refused(parse_text, "", field="remark", label=LABEL)
    _both(exc, "error.core.text.enter", label_zh="备注", label_en="remark")
    assert set(exc.details) == {"remark"}


def test_length_limit_per_field():
    for name, rule in TEXT_RULES.items():
        assert parse_text("x" * rule.max_length, rule) == "x" * rule.max_length, name
        exc = _refused(parse_text, "x" * (rule.max_length + 1), rule)
        zh, en = rule.words
        _both(
            exc,
            "error.core.text.too_long",
            label_zh=zh,
            label_en=en,
            limit=rule.max_length,
            length=f"{rule.max_length + 1:,}",
        )
        assert set(exc.details) == {rule.field}
    # Spaces around do not count.
    assert parse_text(" " * 50 + "x" * 100 + " " * 50, TEXT_RULES["promotion_name"])


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\ud800"],
)
def test_control_characters_are_refused_in_every_field(char):
    for rule in TEXT_RULES.values():
        exc = _refused(parse_text, f"a{char}b", rule)
        zh, en = rule.words
        key = "error.core.text.controls_multiline" if rule.multiline else "error.core.text.controls"
        _both(exc, key, label_zh=zh, label_en=en)


def test_line_breaks_and_tabs_stay_only_in_multiline_fields():
    note, name = TEXT_RULES["adjustment_note"], TEXT_RULES["shop_name"]
    assert note.multiline and not name.multiline
    assert parse_text("line 1\r\nline 2\rline 3\tend", note) == "line 1\nline 2\nline 3\tend"
    for text in ("a\nb", "a\tb", "a\rb", "a\u2028b", "a\u2029b"):
        exc = _refused(parse_text, text, name)
        _both(exc, "error.core.text.controls", label_zh="店铺名称", label_en="shop name")


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
def test_text_direction_overrides_are_refused(char):
    assert len(BIDI_CONTROLS) == 9  # U+202A–U+202E, U+2066–U+2069
    for rule in TEXT_RULES.values():
        exc = _refused(parse_text, f"invoice{char}fdp.exe", rule)
        zh, en = rule.words
        _both(exc, "error.core.text.bidi", label_zh=zh, label_en=en)


def test_ordinary_right_to_left_text_and_emoji_are_fine():
    rule = TEXT_RULES["promotion_name"]
    assert parse_text("שלום مرحبا", rule) == "שלום مرحبا"
    assert parse_text("家庭 👨\u200d👩\u200d👧 套装", rule)  # a zero-width joiner is not a control


def test_text_must_be_text():
    exc = _refused(parse_text, 12, TEXT_RULES["shop_name"])
    _both(exc, "error.core.text.not_text", label_zh="店铺名称", label_en="shop name")


# --- numbers -------------------------------------------------------------------------------


def _member_id(value):
    return parse_whole_number(value, field="member_id", label=("会员 ID", "member ID"))


def test_whole_numbers():
    assert _member_id("42") == 42
    assert _member_id(" 42 ") == 42
    assert _member_id("\uff14\uff12") == 42  # full-width digits from a Chinese input method
    assert _member_id(str(MAX_ID)) == MAX_ID
    assert parse_whole_number("", field="x", label=LABEL, required=False) is None


@pytest.mark.parametrize("value", ["²", "4²", "¹²", "\u0664\u0662", "①", "4.0", "-1", "1e3", "0x1"])
def test_digits_other_than_0_to_9_are_refused(value):
    exc = _refused(_member_id, value)
    _both(exc, "error.core.number.digits", label_zh="会员 ID", label_en="member ID", value=value)
    assert str.isdigit("²")  # why str.isdigit() is no check: int("²") raises ValueError


def test_a_quoted_value_never_carries_its_controls():
    exc = _refused(_member_id, "1\x002\u202e3")
    assert "1\ufffd2\ufffd3" in exc.en and "1\ufffd2\ufffd3" in exc.zh
    assert "\x00" not in exc.en + exc.zh and RLO not in exc.en + exc.zh


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", str(MAX_ID + 1), "0", "9" * 5000, 10**40]
)
def test_numbers_out_of_range_are_refused_without_overflow(value):
    exc = _refused(_member_id, value)
    assert exc.en.startswith(f"The member ID must be from 1 to {MAX_ID}")
    assert exc.zh.startswith(f"会员 ID须在 1 到 {MAX_ID} 之间")


# --- dates and times -----------------------------------------------------------------------


def test_a_time_without_zone_is_refused():
    exc = _refused(check_moment, datetime(2026, 11, 11), field="starts_at", label=("开始", "start"))
    _both(exc, "error.core.when.no_zone", label_zh="开始", label_en="start")
    assert check_moment(
        datetime(2026, 11, 11, tzinfo=SHANGHAI), field="starts_at", label=LABEL
    ) == datetime(2026, 11, 10, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2101, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, tzinfo=UTC),
    ],
)
def test_times_outside_2000_to_2100_are_refused(moment):
    exc = _refused(check_moment, moment, field="ends_at", label=("结束", "end"))
    _both(
        exc,
        "error.core.when.out_of_range",
        label_zh="结束",
        label_en="end",
        value=moment.isoformat(),
    )


def test_the_edges_of_the_range_are_allowed():
    for moment in (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, 23, 59, tzinfo=UTC)):
        assert check_moment(moment, field="x", label=LABEL) == moment
    assert parse_day("2000-01-01", field="x", label=LABEL) == date(2000, 1, 1)
    assert parse_day("2100-12-31", field="x", label=LABEL) == date(2100, 12, 31)
    assert parse_day("2101-01-01", field="x", label=LABEL, exclusive_end=True) == date(2101, 1, 1)
    assert parse_month("2100-12", field="x", label=LABEL) == (2100, 12)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1999-12-31", "error.core.when.out_of_range"),
        ("2101-01-01", "error.core.when.out_of_range"),
        ("0001-01-01", "error.core.when.out_of_range"),
        ("9999-12-31", "error.core.when.out_of_range"),
        ("0000-01-01", "error.core.when.not_a_day"),
        ("2026-02-30", "error.core.when.not_a_day"),
        ("2026-11-1", "error.core.when.not_a_day"),
        ("2026-\u0661\u0661-01", "error.core.when.not_a_day"),  # Arabic-Indic digits
        ("２０２６-11-01", "error.core.when.not_a_day"),
    ],
)
def test_bad_days(text, key):
    exc = _refused(parse_day, text, field="from", label=("开始日期", "first day"))
    assert exc.en.startswith("The first day must ") and exc.zh.startswith("开始日期须")
    assert exc.en == messages.text(key, label_zh="", label_en="first day", value=text)[1]


@pytest.mark.parametrize("text", ["9999-12", "0000-01", "1999-12", "2101-01", "2026-13", "2026-1"])
def test_bad_months(text):
    exc = _refused(parse_month, text, field="period", label=("期间", "period"))
    assert exc.en.startswith("The period must ") and exc.zh.startswith("期间须")


def test_a_picked_date_outside_the_range_is_refused():
    exc = _refused(local_datetime, date(1999, 12, 31), time(8), SHANGHAI, field="starts_at")
    assert "2000" in exc.en and "2000" in exc.zh
    assert local_datetime(date(2026, 11, 11), time(8), SHANGHAI, field="x") == datetime(
        2026, 11, 11, tzinfo=UTC
    )


# --- the write functions, on both databases --------------------------------------------------


@pytest.fixture
def mall(empty_db):
    """A shop with a confirmed November statement and a draft December one, a promotion, a
    product, two supplier applications (one whose company name holds an override)."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        shop = b.vendor("Shop A")
        product = b.product(shop, cat)
        promo = b.promotion(
            vendor_id=shop, status="draft", starts_at=NOW + DAY, ends_at=NOW + 2 * DAY
        )
        clean_app = b.application("杭州好物商贸有限公司", category_id=cat)
        tricky_app = b.application(f"好物{RLO}司公限有", category_id=cat)
    (nov,) = issue_statements(
        empty_db,
        FINANCE,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 1),
        vendor_ids=[shop],
        tz="Asia/Shanghai",
        now=datetime(2026, 12, 5, tzinfo=UTC),
    ).settlement_ids
    confirm_statement(empty_db, FINANCE, nov, expected_version=1)
    ids = {
        "shop": shop,
        "product": product,
        "promo": promo,
        "nov": nov,
        "clean_app": clean_app,
        "tricky_app": tricky_app,
    }
    yield empty_db, ids
    empty_db.dispose()


def _nothing_written(engine, before, exc: Invalid, *words: str) -> None:
    """The database is as it was, and the message (both languages) says `words`."""
    assert snapshot(engine) == before
    for word in words:
        assert word in exc.en or word in exc.zh, (word, exc.en)
    assert exc.zh and exc.en and exc.zh != exc.en


def test_mark_paid_refuses_a_huge_reference_with_control_characters(mall):
    engine, ids = mall
    before = snapshot(engine)
    huge = ("TX\x00\x1b[2J\r\n" * 40_000)[:200_000]
    exc = _refused(
        mark_paid, engine, FINANCE, ids["nov"], expected_version=2, payment_reference=huge
    )
    _nothing_written(engine, before, exc, "transfer's reference", "转账流水号", "200,000")
    for reference in ("TX\x00001", f"TX{RLO}1000", "TX\n1"):
        exc = _refused(
            mark_paid, engine, FINANCE, ids["nov"], expected_version=2, payment_reference=reference
        )
        _nothing_written(engine, before, exc, "transfer's reference", "转账流水号")
        assert set(exc.details) == {"payment_reference"}
    # A clean one, trimmed, is saved.
    mark_paid(engine, FINANCE, ids["nov"], expected_version=2, payment_reference="  TX-1 ")
    with engine.connect() as conn:
        saved = conn.execute(
            sa.select(s.settlements.c.payment_reference).where(
                s.settlements.c.settlement_id == ids["nov"]
            )
        ).scalar_one()
    assert saved == "TX-1"


def test_adjustment_notes(mall):
    engine, ids = mall
    (dec,) = issue_statements(
        engine,
        FINANCE,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 2),
        vendor_ids=[ids["shop"]],
        tz="Asia/Shanghai",
        now=datetime(2026, 12, 5, tzinfo=UTC),
    ).settlement_ids
    before = snapshot(engine)
    for note in ("deposit\x00", f"deposit {RLO}", "x" * 501):
        exc = _refused(
            adjust_statement,
            engine,
            FINANCE,
            dec,
            expected_version=1,
            adjustment_cents=100,
            note=note,
        )
        _nothing_written(engine, before, exc, "note", "调整说明")
    # A multi-line note keeps its lines.
    adjust_statement(
        engine, FINANCE, dec, expected_version=1, adjustment_cents=100, note="a\r\nb\tc"
    )
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(s.settlements.c.adjustment_note).where(s.settlements.c.settlement_id == dec)
        ).scalar_one()
    assert row == "a\nb\tc"


def _create(engine, actor, **changes):
    fields = {
        "name": "Winter sale",
        "kind": "amount_off",
        "starts_at": NOW + DAY,
        "ends_at": NOW + 5 * DAY,
        "amount_off_cents": 500,
    }
    return create_promotion(engine, actor, **{**fields, **changes})


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "Sale\x00"}, "name", ("promotion's name", "活动名称", "control characters")),
        ({"name": f"Sale {RLO}"}, "name", ("promotion's name", "text-direction", "方向")),
        ({"name": "x" * 5000}, "name", ("may not exceed 100", "不能超过 100", "5,000")),
        ({"name": "   "}, "name", ("Enter the promotion's name", "请填写活动名称")),
        ({"starts_at": datetime(2026, 12, 20, 8)}, "starts_at", ("time zone", "时区")),
        ({"ends_at": datetime(2026, 12, 20, 8)}, "ends_at", ("time zone", "时区")),
        ({"starts_at": NOW - 365 * DAY}, "starts_at", ("more than a day in the past", "一天")),
        ({"starts_at": NOW - DAY - timedelta(minutes=5)}, "starts_at", ("in the past",)),
        ({"ends_at": datetime(2101, 1, 2, tzinfo=UTC)}, "ends_at", ("2000 to 2100", "2100 年")),
        ({"starts_at": datetime(1999, 1, 1, tzinfo=UTC)}, "starts_at", ("2000 to 2100",)),
    ],
)
def test_create_promotion_refuses(mall, changes, field, words):
    engine, ids = mall
    vendor = Actor("alice", "vendor", ids["shop"])
    before = snapshot(engine)
    exc = _refused(_create, engine, vendor, **changes)
    _nothing_written(engine, before, exc, *words)
    assert field in exc.details


def test_create_promotion_allows_a_start_earlier_today(mall):
    engine, ids = mall
    vendor = Actor("alice", "vendor", ids["shop"])
    earlier_today = datetime.now(UTC).replace(microsecond=0) - DAY + timedelta(hours=1)
    new = _create(engine, vendor, starts_at=earlier_today, name=" Now ")
    with engine.connect() as conn:
        name = conn.execute(
            sa.select(s.promotions.c.name).where(s.promotions.c.promotion_id == new)
        ).scalar_one()
    assert name == "Now"


def test_update_and_cancel_promotion_refuse(mall):
    engine, ids = mall
    vendor = Actor("alice", "vendor", ids["shop"])
    before = snapshot(engine)
    cases = [
        ({"name": f"x{RLO}y"}, ("promotion's name",)),
        ({"starts_at": datetime(2026, 12, 20, 8)}, ("time zone",)),
        ({"starts_at": NOW - 30 * DAY}, ("in the past",)),
        ({"ends_at": datetime(2222, 1, 1, tzinfo=UTC)}, ("2000 to 2100",)),
    ]
    for changes, words in cases:
        exc = _refused(
            update_promotion, engine, vendor, ids["promo"], expected_version=1, **changes
        )
        _nothing_written(engine, before, exc, *words)
    for reason in ("spam\x00", f"spam{RLO}", "r" * 501):
        exc = _refused(
            cancel_promotion, engine, OPS, ids["promo"], expected_version=1, reason=reason
        )
        _nothing_written(engine, before, exc, "reason", "取消原因")


def test_onboarding_decisions_refuse_bad_notes_and_shop_names(mall):
    engine, ids = mall
    before = snapshot(engine)
    app = ids["clean_app"]
    cases = [
        ({"decision": "reject", "note": "bad\x00"}, ("note", "说明", "control characters")),
        ({"decision": "needs_info", "note": f"see {RLO}"}, ("note", "text-direction")),
        ({"decision": "approve", "shop_name": f"Shop{RLO}"}, ("shop name", "店铺名称")),
        ({"decision": "approve", "shop_name": "Shop\nB"}, ("shop name", "control characters")),
        ({"decision": "approve", "shop_name": "S" * 61}, ("may not exceed 60",)),
        ({"decision": "reject", "note": "   "}, ("Write a note to the applicant",)),
    ]
    for kwargs, words in cases:
        exc = _refused(decide_application, engine, OPS, app, seen_status="pending", **kwargs)
        _nothing_written(engine, before, exc, *words)
    # Approving with the company's own name: it holds an override, so it is refused too;
    # the operator types a clean shop name instead.
    exc = _refused(
        decide_application,
        engine,
        OPS,
        ids["tricky_app"],
        decision="approve",
        seen_status="pending",
    )
    _nothing_written(engine, before, exc, "shop name", "text-direction")
    vendor_id = decide_application(
        engine,
        OPS,
        ids["tricky_app"],
        decision="approve",
        seen_status="pending",
        shop_name="  好物旗舰店 ",
    )
    with engine.connect() as conn:
        name = conn.execute(
            sa.select(s.vendors.c.name).where(s.vendors.c.vendor_id == vendor_id)
        ).scalar_one()
    assert name == "好物旗舰店"


def test_shop_status_and_ban_reasons(mall):
    engine, ids = mall
    before = snapshot(engine)
    for reason in ("fraud\x1b[31m", f"fraud{RLO}", "r" * 501):
        exc = _refused(
            set_vendor_status,
            engine,
            OPS,
            ids["shop"],
            status="suspended",
            seen_status="active",
            reason=reason,
        )
        _nothing_written(engine, before, exc, "reason", "原因")
        exc = _refused(
            update_product,
            engine,
            OPS,
            ids["product"],
            expected_version=1,
            status="banned",
            reason=reason,
        )
        _nothing_written(engine, before, exc, "reason", "下架原因")
        change = ProductChange(ids["product"], 1, status="banned", reason=reason)
        exc = _refused(bulk_update_products, engine, OPS, [change])
        _nothing_written(engine, before, exc, "nothing was saved")
        assert set(exc.details) == {ids["product"]}


# --- the Orders page's member id -----------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def orders_site(request, db_factory, tmp_path_factory):
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Shop A")
    session = AppSession(engine.url, tmp_path_factory.mktemp("hostile_orders"))
    session.add("ops", role="operator")
    session.add("shop_a", role="vendor", vendor_id=shop)
    return session, engine


def _search_member(at, value: str, button: str):
    [field] = [w for w in at.text_input if w.key == "orders_member_id"]
    field.input(value)
    [submit] = [b for b in at.button if b.label == button]
    submit.click().run()
    return at


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "12²", "-3", "0"])
@pytest.mark.parametrize("user", ["ops", "shop_a"])
def test_orders_member_id_gets_a_clear_message(orders_site, value, user):
    session, engine = orders_site
    before = snapshot(engine)
    at = _search_member(session.open("orders", as_user=user), value, "Search")
    assert not at.exception
    page = texts(at)
    assert "Something unexpected" not in page
    errors = " ".join(str(e.value) for e in at.error)
    assert "The member ID must be" in errors, errors
    assert snapshot(engine) == before


# --- the shell commands --------------------------------------------------------------------


def _shell(args: list[str], url: str, lang: str = "en_US.UTF-8") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "LANG": lang, "PLATFORM_TIMEZONE": "Asia/Shanghai"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def shell_mall(request, db_factory):
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        shop = MallBuilder(conn).vendor("Shop A")
    return engine, engine.url.render_as_string(hide_password=False), shop


CLI_CASES = [
    (["report", "sales", "--vendor", "{shop}", "--period", "9999-12"], "2000 to 2100"),
    (["report", "members", "--vendor", "all", "--period", "0000-01"], "2000 to 2100"),
    (
        ["settlement", "--vendor", "{shop}", "--from", "0001-01-01", "--to", "9999-12-31"],
        "2000 to 2100",
    ),
    (
        ["report", "sales", "--vendor", "{shop}", "--from", "2026-11-01", "--to", "9999-12-31"],
        "2100",
    ),
    (["settlement", "--vendor", "{shop}", "--period", "2101-01"], "2000 to 2100"),
    (["report", "sales", "--vendor", "{shop}", "--period", "2026-\u0661\u0661"], "YYYY-MM"),
    (["report", "sales", "--vendor", "99999999999999999999999", "--period", "2026-11"], "vendor"),
    (["settlement", "--vendor", "²", "--period", "2026-11"], "vendor"),
]


@pytest.mark.parametrize(("args", "said"), CLI_CASES)
def test_export_commands_exit_2_with_a_message(shell_mall, tmp_path, args, said):
    engine, url, shop = shell_mall
    before = snapshot(engine)
    out = tmp_path / "out.json"
    argv = ["-m", "exports", *(a.format(shop=shop) for a in args), "--out", str(out)]
    done = _shell(argv, url)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert snapshot(engine) == before


def test_export_commands_speak_chinese(shell_mall, tmp_path):
    _, url, shop = shell_mall
    argv = ["-m", "exports", "report", "sales", "--vendor", str(shop), "--period", "9999-12"]
    done = _shell([*argv, "--out", str(tmp_path / "x.json")], url, lang="zh_CN.UTF-8")
    assert done.returncode == 2
    assert "期间须在 2000 年至 2100 年之间（收到 9999-12）" in done.stderr, done.stderr


@pytest.mark.parametrize("seed", ["-5", "²", "99999999999999999999999"])
def test_demo_refuses_a_bad_seed(tmp_path, seed):
    target = tmp_path / "never.sqlite"
    done = _shell(["-m", "demo", "--seed", seed, "--db", f"sqlite:///{target}"], "")
    assert done.returncode == 2, done.stderr
    assert "seed" in done.stderr and "Traceback" not in done.stderr
    assert not target.exists()
