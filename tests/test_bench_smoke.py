"""`make bench` works: one run at the tiny scale writes a report. Its times are never checked."""

from __future__ import annotations

from bench import run as bench_run


def test_bench_runs_once_and_writes_a_report(
    tiny_demo, backend, db_factory, tmp_path, restored_env
) -> None:
    url = tiny_demo.url.render_as_string(hide_password=False)
    out = tmp_path / "performance.md"
    argv = ["--scale", "tiny", "--runs", "1", "--db", url, "--out", str(out), "--quick"]
    if backend == "postgresql":
        workbook_db = db_factory.url("postgresql")
        argv += ["--workbook-db", workbook_db, "--workbook-runs", "1", "--statement-rows", "2000"]
    else:
        argv += ["--no-workbooks", "--no-render"]  # the statement is PostgreSQL-only; keep it fast
    assert bench_run.main(argv) == 0
    text = out.read_text(encoding="utf-8")
    assert "# Performance at mall scale" in text
    assert "## The data each page needs" in text
    for page in ("home", "sales", "members", "campaigns", "content", "settlements", "products"):
        assert f"| {page} |" in text
    assert "error:" not in text  # every page's data was read without an exception
    if backend == "postgresql":
        assert "## Settlement workbooks" in text
        assert "## Each query beside the plainest hand-written SQL" in text
        assert "## Full page render with AppTest (warm)" in text


def test_budget_cuts_only_the_plain_pairs_never_the_page_runs(
    tiny_demo, backend, restored_env
) -> None:
    """A page's cold and warm data get every run asked for; only the pairs stop at the budget."""
    from bench.measure import time_page
    from bench.pages import PAGES

    tz = "Asia/Shanghai"
    restored_env.setenv("DATABASE_URL", tiny_demo.url.render_as_string(hide_password=False))
    with tiny_demo.connect() as conn:
        as_of, subjects = bench_run.pick_subjects(conn, tz)
    sales = next(page for page in PAGES if page.name == "sales")
    result = time_page(
        tiny_demo, sales, subject="largest", vendor_id=subjects[0].vendor_id,
        period=bench_run._periods(as_of, tz)["30d"], period_name="30d", tz=tz,
        runs=5, budget=1e-9, min_runs=1,
    )  # fmt: skip
    assert result.error is None
    assert (result.cold.n, result.warm.n) == (5, 5)
    twinned = [call for call in result.calls if call.plain is not None]
    assert bool(twinned) == (backend == "postgresql")  # the plain twins are PostgreSQL's
    # budget spent at once: one pair in each order, then stop (not the 10 asked for)
    assert all((call.timing.n, call.plain.n) == (2, 2) for call in twinned)
    # a call without a twin is timed in the page's own runs
    assert all(call.timing.n == 5 for call in result.calls if call.plain is None)
