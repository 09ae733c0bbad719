"""demo test values written as announcements write them (3.9×10⁵CFU/g, never 3.93e+05CFU/g)

The demo generator used to write its failed items' 检验结果 and 标准值 with Python's `.3g` and
`:g`, which switch to exponent notation (3.93e+05CFU/g, 5.75e+03μg/kg). The values are text
(no float column to add): this rewrites the exponent numbers of demo batches' failed items.
Imported values are left as they were imported, since they are the announcement's own text.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""
import re

from alembic import op
import sqlalchemy as sa

from portal.numbers import plain, times_ten

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

EXPONENT = re.compile(r"(\d+(?:\.\d+)?[eE][+-]?\d+)(\S*)")


def rewrite(text: str | None) -> str | None:
    """3.93e+05CFU/g -> 3.9×10⁵CFU/g; 5.75e+03μg/kg -> 5750μg/kg (as the generator now does)."""
    if not text:
        return text

    def one(match: re.Match) -> str:
        value, unit = float(match[1]), match[2]
        if unit.startswith("CFU") and value >= 10_000:
            return times_ten(value) + unit
        return plain(value, 3) + unit
    return EXPONENT.sub(one, text)


def upgrade() -> None:
    items = sa.table("sampling_failed_items", sa.column("id", sa.Integer),
                     sa.column("batch_id", sa.Integer), sa.column("result_value", sa.String),
                     sa.column("standard_value", sa.String))
    batches = sa.table("sampling_batches", sa.column("id", sa.Integer),
                       sa.column("is_demo", sa.Boolean))
    conn = op.get_bind()
    exponent = sa.or_(items.c.result_value.like("%e+%"), items.c.result_value.like("%e-%"),
                      items.c.standard_value.like("%e+%"), items.c.standard_value.like("%e-%"))
    rows = conn.execute(sa.select(items.c.id, items.c.result_value, items.c.standard_value)
                        .join(batches, batches.c.id == items.c.batch_id)
                        .where(batches.c.is_demo.is_(True), exponent)).all()
    changes = [{"item_id": i, "result": rewrite(r), "standard": rewrite(s)} for i, r, s in rows]
    changes = [c for c, (_, r, s) in zip(changes, rows) if (c["result"], c["standard"]) != (r, s)]
    if changes:
        conn.execute(items.update().where(items.c.id == sa.bindparam("item_id"))
                     .values(result_value=sa.bindparam("result"),
                             standard_value=sa.bindparam("standard")), changes)


def downgrade() -> None:
    pass  # the old form was a formatting fault; nothing to restore
