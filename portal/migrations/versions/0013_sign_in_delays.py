"""accounts: growing sign-in delays per (username, address) and per address, replacing the
per-username lock-out (sign_in_delays)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_delays',
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.BigInteger(), nullable=False),
    sa.Column('next_try_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key_hash', name=op.f('pk_sign_in_delays'))
    )
    with op.batch_alter_table('sign_in_delays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_delays_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_delays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_delays_username'))
    op.drop_table('sign_in_delays')
