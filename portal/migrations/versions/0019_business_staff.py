"""registry: the business's 食品安全员 / 食品安全总监 and its 包保责任人 with a work phone

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0015'
branch_labels = None
depends_on = None

COLUMNS = (("safety_officer", 40), ("safety_director", 40), ("responsible_official", 40),
           ("responsible_phone", 30))


def upgrade() -> None:
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
