"""The Content family of the rollups, optional: read when present, never required.

"Tags read before buying" joins every paid order line of the period to the
buyer's note views of the week before: for the largest shop that is most of its
lines, and a year of them takes seconds (docs/performance.md). An order's
attribution is settled when it is paid (the views it counts are at or before
`paid_at`), so the platform can keep it per day, built by `rollups.build`
up to `rollup_state.complete_before` of `content/4`:

- `rollup_tag_attribution`: per shop (vendor_id −1 = the mall), local day of
  payment, tag and member: the member's attributed orders of that day and their
  attributed item sales, and `previous_on`, the member's previous day with an
  order attributed to the tag in that scope (null: none before);
- `rollup_tag_readers`: per local day, tag and member, that the member viewed a
  note with the tag that day, `previous_on`, the member's previous such day, and
  the member's paid days in the mall nearest to it: `paid_to_on` (the last on or
  before the day) and `paid_from_on` (the first on or after it);
- `rollup_last_paid`: per member and shop (−1: the mall), the member's last paid day
  there before the cut: with the readers' last day of each tag, what the nets to the
  cut count for a shop, and what a period's live tail changes of them;
- `rollup_tag_buyers_to_cut` and `rollup_buyers_to_cut`: per shop (−1: the mall),
  day (and tag), a net count, such that over a period of whole days that runs up to
  the cut (the last N days after a nightly build) the scope's buyers who read the tag,
  and its buyers, are the sums of the nets from the period's first day on;
- `rollup_note_views`: per shop whose products the note mentions (−1: the mall,
  every note mentioning a product), local day, note and member, the member's views
  of the note that day; `previous_on`, the member's previous day viewing the note;
  `member_previous_on`, the day of the member's previous row in that scope (by day,
  then note id), so that only the first row of a day can count a new viewer.

Orders and item sales add up across days (an order has one day). Buyers do not,
so `previous_on` counts them: among a period's rows, a member is counted at the
one row whose previous day lies before the period (or is null). Tag affinity
counts the period's buyers among a tag's readers the same way: at that row, the
member paid in the period if `paid_to_on` is in it or `paid_from_on` is before its
end, which gives the mall's baseline, and a shop's count from its own rows, without
reading orders or joining the buyers (for the largest shop, a year's join of the
mall's reader rows to its buyers took most of the page's time: docs/decisions.md).
The period's buyers themselves come from the sales rollups' `rollup_buyer_days`.
A period that runs to the cut needs neither scan: each such row is counted for the
periods starting after its `previous_on` and at or before its last day `hi` (its own
day if the member paid on or after it, else `paid_to_on`), so the count from day a is
#(hi ≥ a) − #(previous_on ≥ a): sums of per-day nets from a on (14 tags × a few
hundred days per shop instead of a shop's year of reader rows). A
period that is not all whole rolled days (today, a start inside a day) counts its rolled rows'
members together with the live rest's instead. Rolled and live reads agree
(`tests/test_content_rollups.py`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Date, Index, Table, Text

from queries.core.actors import Scope
from queries.core.periods import TimeRange
from queries.rolled.coverage import (
    Coverage,
    coverage,
    new_in_period,
    one_of,
    rollup_metadata,
    rollup_vendor_id,
    scope_days,
)

__all__ = [
    "CONTENT",
    "buyers_to_cut",
    "content_coverage",
    "note_views_days",
    "readers_in_covered_days",
    "rolled_member_rows",
    "rolled_note_ranking",
    "rolled_note_views",
    "rolled_tag_rows",
    "rolled_view_rows",
    "rolled_view_totals",
    "ranked_with_totals",
    "last_paid",
    "mall_buyers_per_tag",
    "tag_attribution_days",
    "tag_buyers_to_cut",
    "tag_buyers_to_cut_counts",
    "tag_readers",
    "tail_counts",
]

# The rollup_state row of this table, with its layout's version.
# 2: with rollup_shop_tag_readers; 3: with the counts to the cut; 4: rollup_last_paid
# instead of the shops' reader rows (a member's rows once per shop: a third of the disk);
# 5: unique keys only where a refresh writes over by key, the day ranges by small indexes.
CONTENT = "content/5"

# One row per (vendor_id, paid_on, tag, member_id). No unique key: a refresh replaces whole
# days and reads scope's day ranges, which a (vendor_id, paid_on) index serves at a tenth
# of a four-column key's size (PostgreSQL keeps one entry per value and its rows' list).
tag_attribution_days = Table(
    "mallboard_rollup_tag_attribution",
    rollup_metadata,
    Column("vendor_id", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=False),  # the local day the orders were paid
    Column("tag", Text, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("previous_on", Date),  # the member's previous paid_on for this tag and scope
    Column("orders", BigInteger, nullable=False),
    Column("item_sales_cents", BigInteger, nullable=False),
    Index("mallboard_rollup_tag_attribution_by_day", "vendor_id", "paid_on"),
)


# Keyed by member first: the refresh writes rows over by key and looks members' days up,
# and so does a period's live tail; the periods' day ranges have a small index of their own.
tag_readers = Table(
    "mallboard_rollup_tag_readers",
    rollup_metadata,
    Column("member_id", BigInteger, primary_key=True),
    Column("tag", Text, primary_key=True),
    Column("viewed_on", Date, primary_key=True),  # the local day of the views
    Column("previous_on", Date),  # the member's previous viewed_on for this tag
    Column("paid_to_on", Date),  # the member's last paid day in the mall up to viewed_on
    Column("paid_from_on", Date),  # and the first from viewed_on on
    Index("mallboard_rollup_tag_readers_by_day", "viewed_on"),
)


# Per member and scope (a shop, or −1: the mall): the last local day they paid there
# before the cut. The shops' nets to the cut count (tag, member) at the earlier of this
# and the member's last reading day of the tag; keyed by member first, as both the
# refresh and a period's live tail look members up.
last_paid = Table(
    "mallboard_rollup_last_paid",
    rollup_metadata,
    Column("member_id", BigInteger, primary_key=True),
    Column("vendor_id", BigInteger, primary_key=True),
    Column("last_on", Date, nullable=False),
)


# Per scope, day and tag: #(reader rows whose last counted day is this day) − #(those
# whose previous_on is): the scope's buyers who read the tag in [a, cut) = Σ net, day ≥ a.
tag_buyers_to_cut = Table(
    "mallboard_rollup_tag_buyers_to_cut",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("tag", Text, primary_key=True),
    Column("net", BigInteger, nullable=False),
)

# The same for the buyer days: the scope's buyers in [a, cut) = Σ net, day ≥ a.
buyers_to_cut = Table(
    "mallboard_rollup_buyers_to_cut",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("net", BigInteger, nullable=False),
)


# One row per (vendor_id, viewed_on, note_id, member_id); no unique key, as the
# attribution's: whole days are replaced and read by the scope's day range.
note_views_days = Table(
    "mallboard_rollup_note_views",
    rollup_metadata,
    Column("vendor_id", BigInteger, nullable=False),
    Column("viewed_on", Date, nullable=False),
    Column("note_id", BigInteger, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("previous_on", Date),  # the member's previous viewed_on of this note
    # The member's previous row in the scope, by (day, note): of an earlier day on the
    # day's first row, of the same day on the others.
    Column("member_previous_on", Date),
    Index("mallboard_rollup_note_views_by_day", "vendor_id", "viewed_on"),
)


def content_coverage(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str
) -> Coverage | None:
    """The whole local days of the period the content rollups hold (and the rest), or None."""
    return coverage(conn, scope=scope, period=period, tz=tz, rollup=CONTENT)


def rolled_tag_rows(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """Per tag over the covered days alone: (tag, buyers, orders, item_sales_cents)."""
    r = tag_attribution_days
    first_in_period = new_in_period(r.c.previous_on, covered)
    return (
        sa.select(
            r.c.tag,
            sa.func.sum(sa.case((first_in_period, 1), else_=0)).label("buyers"),
            sa.func.sum(r.c.orders).label("orders"),
            sa.func.sum(r.c.item_sales_cents).label("item_sales_cents"),
        )
        .where(scope_days(r, "paid_on", covered, vendor_id))
        .group_by(r.c.tag)
    )


def rolled_member_rows(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """The covered days' rows as (tag, member_id, orders, item_sales_cents), to join a live rest."""
    r = tag_attribution_days
    return sa.select(
        r.c.tag,
        r.c.member_id,
        r.c.orders.label("orders"),
        r.c.item_sales_cents.label("item_sales_cents"),
    ).where(scope_days(r, "paid_on", covered, vendor_id))


def readers_in_covered_days(covered: Coverage, *, once: bool) -> sa.Select:
    """(tag, member_id) of the covered days' tag readers; with `once`, each (tag, member)
    once: at their first day in the covered days (for a period with no live rest)."""
    r = tag_readers
    query = sa.select(r.c.tag, r.c.member_id).where(covered.holds(r.c.viewed_on))
    if once:
        query = query.where(new_in_period(r.c.previous_on, covered))
    return query


def mall_buyers_per_tag(covered: Coverage) -> sa.Select:
    """(tag, viewers): the mall's buyers of the covered days who read the tag in them.
    Only for a period of covered days alone.

    Each (tag, member) counts once, at their first day in the covered days, whose
    nearest paid days in the mall say whether the member paid in them.
    """
    r = tag_readers
    return (
        sa.select(r.c.tag, sa.func.count().label("viewers"))
        .where(
            covered.holds(r.c.viewed_on),
            new_in_period(r.c.previous_on, covered),
            sa.or_(r.c.paid_to_on >= covered.first, r.c.paid_from_on < covered.end),
        )
        .group_by(r.c.tag)
    )


def tag_buyers_to_cut_counts(
    covered: Coverage, *, vendor_id: int | None
) -> tuple[sa.Select, sa.Select]:
    """(buyers,) and (tag, viewers) of the scope, for covered days that run to the cut.

    The figures of the buyer days and reader rows of the covered days, read from the
    nets of the same build: a few thousand rows for the largest shop's year.
    """
    b, r, scope = buyers_to_cut, tag_buyers_to_cut, rollup_vendor_id(vendor_id)
    buyers = sa.select(sa.func.coalesce(sa.func.sum(b.c.net), 0)).where(
        b.c.vendor_id == scope, b.c.day >= covered.first
    )
    viewers = sa.func.sum(r.c.net)
    per_tag = (
        sa.select(r.c.tag, viewers.label("viewers"))
        .where(r.c.vendor_id == scope, r.c.day >= covered.first)
        .group_by(r.c.tag)
        .having(viewers > 0)  # only the tags some buyer read
    )
    return buyers, per_tag


def tail_counts(
    covered: Coverage, *, vendor_id: int | None, tail_buyers: sa.Select, tail_readers: sa.Select
) -> tuple[sa.Select, sa.Select]:
    """(buyers,) and (tag, viewers) of the scope over covered days that run to the cut
    and a live tail after them (today): the nets to the cut, and what the tail changes.

    `tail_buyers` selects the member ids of the scope's orders paid in the tail,
    `tail_readers` the (tag, member_id) of its views of tagged notes. Only those members
    can count differently with the tail: a buyer is new if they had not paid in the
    scope from the period's first day to the cut (`rollup_last_paid`); a (tag, member)
    counts if the member paid in the period and read the tag in it, and the nets already
    count it if both happened before the cut.
    """
    a, scope = covered.first, rollup_vendor_id(vendor_id)
    # Each read once (CTEs named twice are computed once): the tail's views are a scan
    # of note_views, whose contract index is by member alone.
    buyers_live = tail_buyers.cte("tail_buyers")
    read_live = tail_readers.cte("tail_readers")

    def paid_to_cut(member_id) -> sa.Exists:
        """The member paid in the scope from the period's first day to the cut."""
        p = last_paid.alias()
        return (
            sa.select(p.c.member_id)
            .where(p.c.member_id == member_id, p.c.vendor_id == scope, p.c.last_on >= a)
            .exists()
        )

    to_cut, per_tag_to_cut = tag_buyers_to_cut_counts(covered, vendor_id=vendor_id)
    new_buyers = (
        sa.select(sa.func.count(sa.distinct(buyers_live.c.member_id)))
        .select_from(buyers_live)
        .where(~paid_to_cut(buyers_live.c.member_id))
    )
    buyers = sa.select(to_cut.scalar_subquery() + new_buyers.scalar_subquery())
    # The tail's members, and each (tag, member) they read in the period: in the rolled
    # days (their reader rows, looked up by member) or in the tail. A tail reader who did
    # not pay in the scope, in the tail or from the first day to the cut, counts neither
    # now nor in the nets: only the others are looked up.
    members = sa.union(
        sa.select(buyers_live.c.member_id),
        sa.select(read_live.c.member_id).where(paid_to_cut(read_live.c.member_id)),
    ).cte("tail_members")
    r = tag_readers
    reads = sa.union_all(
        # Looked up by member (a few thousand): a semi-join reads the period's rows.
        sa.select(r.c.tag, r.c.member_id, sa.literal(1).label("rolled")).where(
            one_of(r.c.member_id, sa.select(members.c.member_id)), r.c.viewed_on >= a
        ),
        sa.select(read_live.c.tag, read_live.c.member_id, sa.literal(0)),
    ).subquery("tail_reads")
    pairs = (
        sa.select(reads.c.tag, reads.c.member_id, sa.func.max(reads.c.rolled).label("rolled"))
        .group_by(reads.c.tag, reads.c.member_id)
        .subquery("tail_pairs")
    )
    # Per member, once: paid in the scope from the period's first day to the cut, and
    # in the tail.
    in_tail = sa.select(buyers_live.c.member_id).where(
        buyers_live.c.member_id == members.c.member_id
    )
    flags = sa.select(
        members.c.member_id,
        sa.case((paid_to_cut(members.c.member_id), 1), else_=0).label("paid_to_cut"),
        sa.case((in_tail.exists(), 1), else_=0).label("paid_in_tail"),
    ).subquery("tail_flags")
    # Counted now: paid in the period (it read the tag in it: it is a pair). Counted by
    # the nets: paid and read before the cut.
    change = sa.case((flags.c.paid_to_cut + flags.c.paid_in_tail > 0, 1), else_=0) - sa.case(
        (sa.and_(flags.c.paid_to_cut == 1, pairs.c.rolled == 1), 1), else_=0
    )
    changes = (
        sa.select(pairs.c.tag, sa.func.sum(change).label("change"))
        .join_from(pairs, flags, flags.c.member_id == pairs.c.member_id)
        .group_by(pairs.c.tag)
        .subquery("tail_changes")
    )
    nets = per_tag_to_cut.subquery("to_cut")
    both = sa.union_all(
        sa.select(nets.c.tag, nets.c.viewers.label("n")),
        sa.select(changes.c.tag, changes.c.change),
    ).subquery("both")
    viewers = sa.func.sum(both.c.n)
    per_tag = (
        sa.select(both.c.tag, viewers.label("viewers")).group_by(both.c.tag).having(viewers > 0)
    )
    return buyers, per_tag


def rolled_note_views(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """Per note over the covered days alone: (note_id, views, viewers)."""
    r = note_views_days
    new_viewer = new_in_period(r.c.previous_on, covered)
    return (
        sa.select(
            r.c.note_id,
            sa.func.sum(r.c.views).label("views"),
            sa.func.sum(sa.case((new_viewer, 1), else_=0)).label("viewers"),
        )
        .where(scope_days(r, "viewed_on", covered, vendor_id))
        .group_by(r.c.note_id)
    )


def rolled_view_totals(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """(notes_viewed, note_views, note_viewers) of the scope over the covered days alone."""
    r = note_views_days
    new_viewer = new_in_period(r.c.member_previous_on, covered)
    return sa.select(
        sa.func.count(sa.distinct(r.c.note_id)).label("notes_viewed"),
        sa.func.coalesce(sa.func.sum(r.c.views), 0).label("note_views"),
        sa.func.coalesce(sa.func.sum(sa.case((new_viewer, 1), else_=0)), 0).label("note_viewers"),
    ).where(scope_days(r, "viewed_on", covered, vendor_id))


def rolled_view_rows(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """The covered days' (note_id, member_id, views), to join a live rest."""
    r = note_views_days
    return sa.select(r.c.note_id, r.c.member_id, r.c.views.label("views")).where(
        scope_days(r, "viewed_on", covered, vendor_id)
    )


def rolled_note_ranking(covered: Coverage, *, vendor_id: int | None, limit: int) -> sa.Select:
    """The scope's `limit` most viewed notes of the covered days, (note_id, views, viewers),
    each row carrying the totals of all the viewed notes: notes_viewed, note_views, note_viewers.

    One read of the period's rows for both the summary and the list: each note's rows
    are summed once, and the totals are sums over the notes (a member is a new viewer
    of the scope at one row only, so the notes' new-member counts add up).
    """
    r = note_views_days
    per_note = (
        sa.select(
            r.c.note_id,
            sa.func.sum(r.c.views).label("views"),
            sa.func.sum(sa.case((new_in_period(r.c.previous_on, covered), 1), else_=0)).label(
                "viewers"
            ),
            sa.func.sum(
                sa.case((new_in_period(r.c.member_previous_on, covered), 1), else_=0)
            ).label("new_members"),
        )
        .where(scope_days(r, "viewed_on", covered, vendor_id))
        .group_by(r.c.note_id)
        .subquery("per_note")
    )
    return ranked_with_totals(per_note, sa.func.sum(per_note.c.new_members).over(), limit=limit)


def ranked_with_totals(per_note: sa.Subquery, note_viewers, *, limit: int) -> sa.Select:
    """The `limit` most viewed of `per_note`'s (note_id, views, viewers), each row carrying
    the totals of all of them: notes_viewed, note_views and `note_viewers` (an expression:
    distinct viewers do not add up over notes)."""
    return (
        sa.select(
            per_note.c.note_id,
            per_note.c.views,
            per_note.c.viewers,
            sa.func.count().over().label("notes_viewed"),
            sa.func.sum(per_note.c.views).over().label("note_views"),
            note_viewers.label("note_viewers"),
        )
        .order_by(per_note.c.views.desc(), per_note.c.note_id)
        .limit(limit)
    )
