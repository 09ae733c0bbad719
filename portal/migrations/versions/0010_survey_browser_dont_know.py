"""surveys: one response per browser (browser_hash, unique per survey period) and
不了解/说不清 answers counted apart from the scores (survey_dont_know)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite copies the table to add the constraint (env.py turns foreign keys
    # off meanwhile, so the copy does not cascade into the score tables).
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('browser_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_survey_responses_one_per_browser',
                                          ['survey_key', 'browser_hash'])

    op.create_table('survey_dont_know',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=30), nullable=False),
    sa.Column('survey_key', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_dont_know_response_id_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_survey_dont_know'))
    )
    with op.batch_alter_table('survey_dont_know', schema=None) as batch_op:
        batch_op.create_index('ix_survey_dont_know_key', ['survey_key', 'question_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('survey_dont_know', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_dont_know_key')
    op.drop_table('survey_dont_know')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint('uq_survey_responses_one_per_browser', type_='unique')
        batch_op.drop_column('browser_hash')
