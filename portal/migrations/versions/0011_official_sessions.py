"""officials' sign-in sessions that survive a reload, a new tab and a restart
(official_sessions; the browser keeps a signed cookie, the table only its keyed hash)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'official_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('official_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('handoff_hash', sa.String(length=64), nullable=True),
        sa.Column('handoff_expires_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('ended_reason', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['official_id'], ['officials.id'],
                                name=op.f('fk_official_sessions_official_id_officials'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_official_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_official_sessions_token_hash')),
        sa.UniqueConstraint('handoff_hash', name=op.f('uq_official_sessions_handoff_hash')),
    )
    with op.batch_alter_table('official_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_sessions_official_id'), ['official_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('official_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_sessions_official_id'))
    op.drop_table('official_sessions')
