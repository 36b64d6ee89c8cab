"""Data jobs (数据任务, operators): the rollups' refresh as `python -m rollups status` shows it.

Each family's cut, last run, time, rows and outcome; the command the platform
schedules; a warning when the rollups are too old to be read; and the read replica
(`READ_DATABASE_URL`): whether it answers and how far it is behind.
UI only: `dashboard.data.rollups.data_jobs`, `rollup_freshness` and
`dashboard.shell.context.replica_status`, then drawing.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data.rollups import data_jobs, rollup_freshness
from dashboard.i18n import t, t_plain
from dashboard.shell.context import current_actor, replica_status
from dashboard.ui.formatting import local_date, local_datetime, number
from dashboard.ui.widgets import require_page_role

require_page_role(current_actor(), "operator")
st.title(t("page.data_jobs"))
st.caption(t("data_jobs.intro"))

jobs = data_jobs()
fresh = rollup_freshness()
if fresh.stale:
    st.warning(
        t("freshness.stale", day=local_date(fresh.cut), days=fresh.max_age_days),
        icon=":material/warning:",
    )


def _outcome(value: object) -> str:
    return t_plain(f"data_jobs.outcome.{value}") if value in ("ok", "failed") else ""


def _when(value: object) -> str:
    return local_datetime(pd.Timestamp(value).to_pydatetime()) if pd.notna(value) else ""


shown = pd.DataFrame(
    {
        t_plain("data_jobs.col.family"): [
            t_plain(f"data_jobs.family.{name.split('/')[0]}") for name in jobs["family"]
        ],
        t_plain("data_jobs.col.layout"): [name.split("/")[-1] for name in jobs["family"]],
        t_plain("data_jobs.col.cut"): [
            local_date(v) if pd.notna(v) and v else t_plain("data_jobs.never")
            for v in jobs["complete_before"]
        ],
        t_plain("data_jobs.col.started"): [_when(v) for v in jobs["last_started_at"]],
        t_plain("data_jobs.col.finished"): [_when(v) for v in jobs["last_finished_at"]],
        t_plain("data_jobs.col.seconds"): [
            f"{v / 1000:.1f}" if pd.notna(v) else "" for v in jobs["last_duration_ms"]
        ],
        t_plain("data_jobs.col.rows"): [
            number(int(v)) if pd.notna(v) else "" for v in jobs["last_rows"]
        ],
        t_plain("data_jobs.col.outcome"): [_outcome(v) for v in jobs["last_outcome"]],
        t_plain("data_jobs.col.message"): [
            v if isinstance(v, str) else "" for v in jobs["last_message"]
        ],
    }
)
st.dataframe(shown, hide_index=True)
st.write(t("data_jobs.command"))
st.code("python -m rollups refresh", language="bash")
st.caption(t("data_jobs.max_age", days=fresh.max_age_days))

st.subheader(t("data_jobs.replica.title"))
replica = replica_status()
if not replica.configured:
    st.caption(t("data_jobs.replica.none"))
elif replica.answering:
    lag = replica.lag
    known = lag is not None and lag.bytes is not None
    st.write(
        t(
            "data_jobs.replica.answers",
            bytes=number(lag.bytes) if known else "—",
            seconds=f"{lag.seconds or 0:.1f}" if known else "—",
        )
    )
    st.caption(t("data_jobs.replica.rule"))
else:
    since = local_datetime(replica.down_since) if replica.down_since else "—"
    st.warning(
        t("data_jobs.replica.down", since=since, reason=replica.reason),
        icon=":material/warning:",
    )
