"""The hand-built content mall of tests/test_content.py and tests/test_content_rollups.py.

Period P = November 2026, Shanghai. Vendor A sells pa1, pa2; vendor B sells pb.
Notes: n1 mentions pa1, tags 平价好物 + 通勤穿搭 (posted 10-01); n2 mentions pa2 and pb,
tag 平价好物 (posted 11-02); n3 mentions pb, tag 护肤 (10-01); n4 mentions nothing,
tag 通勤穿搭 (10-01).

Orders (paid, Shanghai) and the views that matter:
- o1 A m1 11-10 12:00, pa1 ¥100. m1 viewed n1 at 11-03 13:00 (6d23h before: counts)
  and 11-10 11:00 (again; the item still counts once per tag).
- o4 A m1 11-11 12:00, pa1 ¥50. m1 viewed n1 at 11-11 11:00: counts.
- o2 A m2 11-12 12:00, pa1 ¥200. m2 viewed n1 at 11-05 12:00: exactly 7d00h, does not count.
- o3 A m3 11-15 12:00, pa1 ¥300 + pa2 ¥400. m3 viewed n1 at 11-15 13:00 (after buying:
  does not count), n2 at 11-14 12:00 → pa2 is attributed to 平价好物.
- o5 A m4 11-20 12:00, pa1 ¥10. m4 viewed n1 at 11-20 12:00 (view_at = paid_at: counts).
- o6 B m2 11-12 12:00, pb ¥500. m2 viewed n3 at 11-11 12:00 → 护肤 for B.
- o7 B m6 11-13 12:00, pb ¥20. m6 viewed n4 (no product) at 11-13 10:00.
- m5 viewed n1 at 10-31 23:59 (before P) and never bought.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.core import schema as s
from tests.builders import Item, MallBuilder, local


def note(conn, author, posted, title, tags, products) -> int:
    note_id = conn.execute(
        s.notes.insert().values(author_member_id=author, posted_at=local(posted), title=title)
    ).inserted_primary_key[0]
    for tag in tags:
        conn.execute(s.note_tags.insert().values(note_id=note_id, tag=tag))
    for product in products:
        conn.execute(s.note_products.insert().values(note_id=note_id, product_id=product))
    return note_id


def view(conn, member, note, when) -> None:
    conn.execute(
        s.note_views.insert().values(member_id=member, note_id=note, viewed_at=local(when))
    )


def build_content_mall(engine: sa.Engine) -> tuple[sa.Engine, int, int, tuple[int, ...]]:
    """Write the mall above; (engine, vendor A, vendor B, (n1, n2, n3, n4))."""
    with engine.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        a, vb = b.vendor("A"), b.vendor("B")
        pa1, pa2, pb = b.product(a, cat), b.product(a, cat), b.product(vb, cat)
        m1, m2, m3, m4, m5, m6 = (b.member() for _ in range(6))
        n1 = note(conn, m5, "2026-10-01 10:00", "n1", ["平价好物", "通勤穿搭"], [pa1])
        n2 = note(conn, m5, "2026-11-02 10:00", "n2", ["平价好物"], [pa2, pb])
        n3 = note(conn, m5, "2026-10-01 10:00", "n3", ["护肤"], [pb])
        n4 = note(conn, m5, "2026-10-01 10:00", "n4", ["通勤穿搭"], [])

        def buy(vendor, member, when, *lines):
            items = [Item(p, unit_price_cents=yuan * 100) for p, yuan in lines]
            b.order(vendor, member, items, paid_at=local(when))

        buy(a, m1, "2026-11-10 12:00", (pa1, 100))  # o1
        buy(a, m1, "2026-11-11 12:00", (pa1, 50))  # o4
        buy(a, m2, "2026-11-12 12:00", (pa1, 200))  # o2
        buy(a, m3, "2026-11-15 12:00", (pa1, 300), (pa2, 400))  # o3
        buy(a, m4, "2026-11-20 12:00", (pa1, 10))  # o5
        buy(vb, m2, "2026-11-12 12:00", (pb, 500))  # o6
        buy(vb, m6, "2026-11-13 12:00", (pb, 20))  # o7
        view(conn, m1, n1, "2026-11-03 13:00")
        view(conn, m1, n1, "2026-11-10 11:00")
        view(conn, m1, n1, "2026-11-11 11:00")
        view(conn, m2, n1, "2026-11-05 12:00")
        view(conn, m3, n1, "2026-11-15 13:00")
        view(conn, m3, n2, "2026-11-14 12:00")
        view(conn, m4, n1, "2026-11-20 12:00")
        view(conn, m2, n3, "2026-11-11 12:00")
        view(conn, m6, n4, "2026-11-13 10:00")
        view(conn, m5, n1, "2026-10-31 23:59")
    return engine, a, vb, (n1, n2, n3, n4)
