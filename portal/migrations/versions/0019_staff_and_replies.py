"""registry: the business's 食品安全员 / 食品安全总监 and its 包保责任人 with a work phone;
ratings: the business's moderated reply on its grade; sampling: 复检 / 异议 on failed batches

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

COLUMNS = (("safety_officer", 40), ("safety_director", 40), ("responsible_official", 40),
           ("responsible_phone", 30))


def upgrade() -> None:
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.create_table('grade_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('moderation_note', sa.String(length=300), nullable=True),
    sa.Column('entered_by', sa.String(length=64), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'],
                            name=op.f('fk_grade_replies_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_replies'))
    )
    with op.batch_alter_table('grade_replies', schema=None) as batch_op:
        batch_op.create_index('ix_grade_replies_business_status', ['business_id', 'status'], unique=False)
    op.create_table('sampling_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('entered_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['sampling_batches.id'],
                            name=op.f('fk_sampling_reviews_batch_id_sampling_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_reviews'))
    )
    with op.batch_alter_table('sampling_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sampling_reviews_batch_id'), ['batch_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sampling_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sampling_reviews_batch_id'))
    op.drop_table('sampling_reviews')
    with op.batch_alter_table('grade_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_grade_replies_business_status')
    op.drop_table('grade_replies')
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
