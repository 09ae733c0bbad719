"""businesses.sector and sampling_disposals.status: codes instead of Chinese display text

The labels live beside the codes (portal.registry.models.SECTOR_LABELS,
portal.sampling.models.DISPOSAL_STATUS_LABELS); the pairs are written out here so that the
migration keeps meaning the same when those tables change later. Rows holding any other text
are left as they were.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

SECTORS = {"餐饮服务": "catering", "食品销售": "retail", "食品生产": "production"}
DISPOSAL_STATUSES = {"待核查": "pending", "核查中": "checking", "已处置": "done"}


def _recode(table: str, column: str, pairs: dict[str, str]) -> None:
    statement = sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old")
    for old, new in pairs.items():
        op.execute(statement.bindparams(old=old, new=new))


def upgrade() -> None:
    _recode("businesses", "sector", SECTORS)
    _recode("sampling_disposals", "status", DISPOSAL_STATUSES)


def downgrade() -> None:
    _recode("businesses", "sector", {new: old for old, new in SECTORS.items()})
    _recode("sampling_disposals", "status", {new: old for old, new in DISPOSAL_STATUSES.items()})
