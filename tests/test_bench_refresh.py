"""`python -m bench.refresh` works: on a tiny demo mall it measures and keeps one section.

Its times are never checked; PostgreSQL only (the command measures relation sizes).
"""

from __future__ import annotations

from bench import refresh as bench_refresh
from rollups.families import FAMILIES


def test_bench_refresh_measures_and_keeps_one_section(db_factory, tmp_path, restored_env) -> None:
    from demo.generate import generate

    engine = db_factory.engine("postgresql")
    generate(engine, scale="tiny", seed=7, rollups=False)
    url = engine.url.render_as_string(hide_password=False)
    findings, out = tmp_path / "FINDINGS.md", tmp_path / "performance.md"
    findings.write_text("## Findings\n\nkept by hand\n", encoding="utf-8")
    out.write_text(
        "# Performance\n\n<!-- bench.rls: start -->\n## RLS cost\n<!-- bench.rls: end -->\n",
        encoding="utf-8",
    )
    argv = ["--db", url, "--runs", "2", "--max-refreshes", "1"]
    argv += ["--findings", str(findings), "--out", str(out)]
    assert bench_refresh.main(argv) == 0
    assert bench_refresh.main(argv) == 0  # a rerun replaces the section
    for path in (findings, out):
        text = path.read_text(encoding="utf-8")
        assert text.count(bench_refresh.HEADING) == 1
        assert text.count(bench_refresh.START) == text.count(bench_refresh.END) == 1
    assert "kept by hand" in findings.read_text(encoding="utf-8")
    text = out.read_text(encoding="utf-8")
    assert text.count("## RLS cost") == 1 and text.count("<!-- bench.rls: end -->") == 1
    assert "(c) changed no row" in text  # a second identical refresh changed nothing
    for family in FAMILIES:
        assert f"| {family.name} |" in text
    assert "| home, whole mall |" in text and "| sales, shop #" in text
    assert "Failed:" not in text


def test_a_section_written_by_hand_under_the_heading_is_replaced(tmp_path) -> None:
    """Without markers (an edit by hand), the heading up to the next section is replaced."""
    path = tmp_path / "FINDINGS.md"
    path.write_text(
        f"## Before\n\nA\n\n{bench_refresh.HEADING}\n\nold numbers\n\n## After\n\nB\n",
        encoding="utf-8",
    )
    lines = [bench_refresh.START, bench_refresh.HEADING, "", "new", bench_refresh.END]
    bench_refresh.write_section(path, lines)
    text = path.read_text(encoding="utf-8")
    assert "old numbers" not in text and "new" in text
    assert text.count(bench_refresh.HEADING) == 1
    assert text.index("## Before") < text.index("new") < text.index("## After")
