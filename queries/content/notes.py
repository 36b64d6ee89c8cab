"""Content (种草) analytics: notes on the scope's products, tags read before buying, affinity.

Definitions (also on the Content page and in docs/analytics-members-campaigns-content.md):
- *Notes*: notes that mention (note_products) at least one of the scope's products.
  Their *views in P*: note_views rows with viewed_at in P; *viewers*: distinct members.
- *Tag read before buying* (7-day attribution): an order item of a paid order of the
  scope in P is attributed to tag X when the buyer viewed a note tagged X that mentions
  the item's product, with view_at ≤ paid_at < view_at + 7 days. Per tag: attributed
  buyers (distinct members), orders (distinct orders), item sales (Σ amount_cents of
  the attributed items, each item once per tag).
- *Tag affinity*: among the scope's buyers in P, the share who viewed at least one note
  tagged X in P, divided by the same share among all the mall's buyers in P. 1 means
  the shop's buyers read X as much as the mall's; above 1, more. None when a share's
  denominator is zero.

Tags read before buying are `queries.content.attribution`, tag affinity
`queries.content.affinity` (both re-exported here).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries.content.affinity import affinity, mall_tag_viewers
from queries.content.attribution import ATTRIBUTION_WINDOW, tag_attribution
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import TimeRange
from queries.rolled.content import (
    content_coverage,
    ranked_with_totals,
    rolled_note_ranking,
    rolled_note_views,
    rolled_view_rows,
    rolled_view_totals,
)

__all__ = [
    "ATTRIBUTION_WINDOW",
    "affinity",
    "mall_tag_viewers",
    "notes",
    "summary",
    "summary_and_notes",
    "tag_attribution",
]

NOTE_COLUMNS = ["note_id", "title", "posted_at", "products", "views", "viewers", "tags"]
PROD = s.products
NOTE = s.notes
NT = s.note_tags
NP = s.note_products
NV = s.note_views


def _mentions_of_scope(query: sa.Select, scope: Scope) -> sa.Select:
    """`query` over note_products limited to the scope's products (all of them for the mall).

    For the mall no product filter at all: every note_products row names a product,
    and joining products only to keep them all cost a hash join of every mention.
    """
    if scope.is_mall:
        return query
    products = sa.select(PROD.c.product_id).where(PROD.c.vendor_id == scope.vendor_id)
    return query.where(NP.c.product_id.in_(products))


def _scope_notes(scope: Scope) -> sa.Select:
    """Ids of notes mentioning at least one of the scope's products (note_products (product_id)).

    For `IN` only: no DISTINCT, which leaves the planner free to choose a semi-join.
    """
    return _mentions_of_scope(sa.select(NP.c.note_id), scope)


def _live_view_rows(scope: Scope, period: TimeRange) -> sa.Select:
    """(note_id, member_id, views = 1) of each view in P of a note on the scope's products."""
    return sa.select(
        NV.c.note_id, NV.c.member_id, sa.literal(1, sa.BigInteger).label("views")
    ).where(
        NV.c.note_id.in_(_scope_notes(scope)),
        NV.c.viewed_at >= period.start,
        NV.c.viewed_at < period.end,
    )


def _view_rows(covered, scope: Scope, period: TimeRange) -> sa.Select | sa.CompoundSelect:
    """(note_id, member_id, views) of P: the covered days' rollup rows and the live rest,
    or every view read live without covered days."""
    if covered is None:
        return _live_view_rows(scope, period)
    parts = [rolled_view_rows(covered, vendor_id=scope.vendor_id)]
    parts += [_live_view_rows(scope, rest) for rest in covered.live]
    return sa.union_all(*parts)


def _covered(conn: sa.Connection, scope: Scope, period: TimeRange, tz: str | None):
    """The whole days of P the content rollups hold (and the rest), or None: all live."""
    return content_coverage(conn, scope=scope, period=period, tz=tz) if tz else None


def _note_views(covered, scope: Scope, period: TimeRange) -> sa.Subquery:
    """(note_id, views, viewers) in P of each viewed note on the scope's products."""
    if covered is not None and not covered.live:
        return rolled_note_views(covered, vendor_id=scope.vendor_id).subquery("views")
    return _per_note(_view_rows(covered, scope, period).subquery("view_rows"), "views")


def _per_note(rows, name: str) -> sa.Subquery:
    """(note_id, views, viewers) per note of view rows (note_id, member_id, views)."""
    return (
        sa.select(
            rows.c.note_id,
            sa.func.sum(rows.c.views).label("views"),
            sa.func.count(sa.distinct(rows.c.member_id)).label("viewers"),
        )
        .group_by(rows.c.note_id)
        .subquery(name)
    )


def notes(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    limit: int = 100,
    tz: str | None = None,
) -> pd.DataFrame:
    """Notes mentioning the scope's products viewed or posted in P, most viewed first.

    With `tz`, the views of whole days may come from the content rollups.
    """
    return _notes(conn, scope, period, limit, _covered(conn, scope, period, tz))


def _notes(conn: sa.Connection, scope: Scope, period: TimeRange, limit: int, covered):
    views = _note_views(covered, scope, period)
    ranked = conn.execute(
        sa.select(views.c.note_id, views.c.views, views.c.viewers)
        .order_by(views.c.views.desc(), views.c.note_id)
        .limit(limit)
    ).all()
    return _listed_notes(conn, scope, period, ranked, limit)


def _listed_notes(
    conn: sa.Connection, scope: Scope, period: TimeRange, ranked: list, limit: int
) -> pd.DataFrame:
    """The notes list from the most viewed notes' (note_id, views, viewers), in that order."""
    shown = {note_id: (int(v), int(viewers)) for note_id, v, viewers, *_ in ranked}
    if len(shown) < limit:  # then every viewed note is shown: add the unviewed new ones
        unviewed = conn.execute(
            sa.select(NOTE.c.note_id)
            .where(
                NOTE.c.note_id.in_(_scope_notes(scope)),
                NOTE.c.posted_at >= period.start,
                NOTE.c.posted_at < period.end,
                NOTE.c.note_id.not_in(list(shown)),
            )
            .order_by(NOTE.c.note_id)
            .limit(limit - len(shown))
        ).scalars()
        shown.update((note_id, (0, 0)) for note_id in unviewed)
    if not shown:
        return pd.DataFrame(columns=NOTE_COLUMNS)
    return pd.DataFrame(_note_rows(conn, scope, shown), columns=NOTE_COLUMNS)


def _note_rows(conn: sa.Connection, scope: Scope, shown: dict) -> list[dict]:
    """The listed notes' rows, in `shown`'s order: title, products of the scope's, tags."""
    ids = list(shown)
    about = {
        r.note_id: r
        for r in conn.execute(
            sa.select(NOTE.c.note_id, NOTE.c.title, NOTE.c.posted_at).where(NOTE.c.note_id.in_(ids))
        )
    }
    products = dict(
        conn.execute(
            _mentions_of_scope(sa.select(NP.c.note_id, sa.func.count()), scope)
            .where(NP.c.note_id.in_(ids))
            .group_by(NP.c.note_id)
        ).all()
    )
    tags: dict[int, list[str]] = {}
    for note_id, tag in conn.execute(
        sa.select(NT.c.note_id, NT.c.tag)
        .where(NT.c.note_id.in_(ids))
        .order_by(NT.c.note_id, NT.c.tag)
    ):
        tags.setdefault(note_id, []).append(tag)
    return [
        {
            "note_id": note_id,
            "title": about[note_id].title,
            "posted_at": about[note_id].posted_at,
            "products": int(products[note_id]),
            "views": views,
            "viewers": viewers,
            "tags": " · ".join(tags.get(note_id, [])),
        }
        for note_id, (views, viewers) in shown.items()
    ]


def _view_totals(covered, scope: Scope, period: TimeRange) -> sa.Select:
    """(notes_viewed, note_views, note_viewers) of the scope's notes in P."""
    if covered is not None and not covered.live:
        return rolled_view_totals(covered, vendor_id=scope.vendor_id)
    rows = _view_rows(covered, scope, period).subquery("view_rows")
    return sa.select(
        sa.func.count(sa.distinct(rows.c.note_id)).label("notes_viewed"),
        sa.func.coalesce(sa.func.sum(rows.c.views), 0).label("note_views"),
        sa.func.count(sa.distinct(rows.c.member_id)).label("note_viewers"),
    )


def _notes_posted(conn: sa.Connection, scope: Scope, period: TimeRange) -> int:
    """How many notes mentioning the scope's products were posted in P."""
    posted = sa.select(sa.func.count()).where(
        NOTE.c.note_id.in_(_scope_notes(scope)),
        NOTE.c.posted_at >= period.start,
        NOTE.c.posted_at < period.end,
    )
    return int(conn.execute(posted).scalar_one())


def summary(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str | None = None
) -> dict[str, int]:
    """Notes mentioning the scope's products: posted in P, viewed in P, views and viewers in P.

    With `tz`, the views of whole days may come from the content rollups.
    """
    return _summary(conn, scope, period, _covered(conn, scope, period, tz))


def _summary(conn: sa.Connection, scope: Scope, period: TimeRange, covered) -> dict[str, int]:
    row = conn.execute(_view_totals(covered, scope, period)).mappings().one()
    return {
        "notes_posted": _notes_posted(conn, scope, period),
        **{k: int(v) for k, v in row.items()},
    }


def _ranking(covered, scope: Scope, period: TimeRange, limit: int) -> sa.Select:
    """`rolled_note_ranking`'s rows from the period's view rows (a live rest, or all live):
    one read of them for the list and the totals (without a viewed_at index, each read of
    the live views scans the table)."""
    rows = _view_rows(covered, scope, period).cte("view_rows")  # read twice: materialised
    viewers = sa.select(sa.func.count(sa.distinct(rows.c.member_id))).scalar_subquery()
    return ranked_with_totals(_per_note(rows, "per_note"), viewers, limit=limit)


def summary_and_notes(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    limit: int = 100,
    tz: str | None = None,
) -> tuple[dict[str, int], pd.DataFrame]:
    """`summary(...)` and `notes(...)` together, from one read of the period's views."""
    if limit < 1:  # the totals ride on the listed rows: a list of none would lose them
        raise ValueError("limit must be at least 1")
    covered = _covered(conn, scope, period, tz)
    if covered is None or covered.live:
        ranking = _ranking(covered, scope, period, limit)
    else:
        ranking = rolled_note_ranking(covered, vendor_id=scope.vendor_id, limit=limit)
    ranked = conn.execute(ranking).all()
    first = ranked[0] if ranked else None
    totals = {
        "notes_posted": _notes_posted(conn, scope, period),
        "notes_viewed": int(first.notes_viewed) if first else 0,
        "note_views": int(first.note_views) if first else 0,
        "note_viewers": int(first.note_viewers) if first else 0,
    }
    return totals, _listed_notes(conn, scope, period, ranked, limit)
