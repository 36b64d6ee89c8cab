"""`python -m bench.states` works: on a tiny demo mall it times the pages in the four states,
moves the cut back and forward with the refresh, and keeps one section. Its times are never
checked."""

from __future__ import annotations

import sqlalchemy as sa

from bench import states as bench_states
from queries.rolled.coverage import rollup_state


def test_bench_states_times_each_state_and_leaves_the_nightly_cut(
    backend, db_factory, tmp_path, restored_env
) -> None:
    from demo.generate import generate

    engine = db_factory.engine(backend)  # a mall of its own: the cut moves
    generate(engine, scale="tiny", seed=7)
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\nkept\n", encoding="utf-8")
    argv = ["--db", url, "--runs", "1", "--pages", "home,content"]
    argv += ["--findings", "-", "--out", str(out)]
    assert bench_states.main(argv) == 0
    assert bench_states.main(argv) == 0  # a rerun replaces the section
    text = out.read_text(encoding="utf-8")
    assert text.count(bench_states.HEADING) == 1 and "kept" in text
    for state in bench_states.STATES:
        assert state in text
    for row in ("| home | largest | 30d |", "| content | mall | year |"):
        assert row in text
    assert "error" not in text.split(bench_states.HEADING)[1]
    # Back at the nightly cut: every family's cut is the same day again.
    with engine.connect() as conn:
        cuts = set(conn.scalars(sa.select(rollup_state.c.complete_before)))
    assert len(cuts) == 1
