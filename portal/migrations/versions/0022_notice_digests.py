"""notices: the daily digest (a follow's choice, held deliveries, one digest event a day),
the handlers' morning digest, and officials' work e-mail addresses

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notice_follows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_event_id', sa.Integer(), nullable=True))
    op.create_index('uq_notice_events_digest_day', 'notice_events', ['detail'], unique=True,
                    sqlite_where=sa.text("kind = 'daily_digest'"),
                    postgresql_where=sa.text("kind = 'daily_digest'"))
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    op.create_table(
        'handler_digests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('official_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('cases', sa.Integer(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['official_id'], ['officials.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('official_id', 'day'),
    )
    op.create_index('ix_handler_digests_status', 'handler_digests', ['status', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_handler_digests_status', table_name='handler_digests')
    op.drop_table('handler_digests')
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.drop_column('email')
    op.drop_index('uq_notice_events_digest_day', table_name='notice_events')
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.drop_column('digest_event_id')
    with op.batch_alter_table('notice_follows', schema=None) as batch_op:
        batch_op.drop_column('digest')
