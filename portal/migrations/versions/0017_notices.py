"""notices: contacts (encrypted), follows, the outbox of events and their deliveries

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notice_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('address_enc', sa.Text(), nullable=False),
    sa.Column('link_key', sa.String(length=32), nullable=False),
    sa.Column('bounces', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_contacts')),
    sa.UniqueConstraint('channel', 'address_hash', name=op.f('uq_notice_contacts_channel'))
    )
    op.create_table('notice_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('detail', sa.String(length=64), nullable=True),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('fan_upto', sa.Integer(), nullable=True),
    sa.Column('fan_cursor', sa.Integer(), nullable=False),
    sa.Column('fanned_out_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_events'))
    )
    with op.batch_alter_table('notice_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_events_fanned_out_at'), ['fanned_out_at'], unique=False)

    op.create_table('notice_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_deliveries')),
    sa.UniqueConstraint('contact_id', 'event_id', name=op.f('uq_notice_deliveries_contact_id'))
    )
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_notice_deliveries_status_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('notice_event_subjects',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['notice_events.id'], name=op.f('fk_notice_event_subjects_event_id_notice_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'topic', 'subject', name=op.f('pk_notice_event_subjects'))
    )
    op.create_table('notice_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['notice_contacts.id'], name=op.f('fk_notice_follows_contact_id_notice_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_follows')),
    sa.UniqueConstraint('contact_id', 'topic', 'subject', name=op.f('uq_notice_follows_contact_id'))
    )
    with op.batch_alter_table('notice_follows', schema=None) as batch_op:
        batch_op.create_index('ix_notice_follows_topic_subject', ['topic', 'subject', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notice_follows', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_follows_topic_subject')

    op.drop_table('notice_follows')
    op.drop_table('notice_event_subjects')
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_deliveries_status_due')

    op.drop_table('notice_deliveries')
    with op.batch_alter_table('notice_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_events_fanned_out_at'))

    op.drop_table('notice_events')
    op.drop_table('notice_contacts')
