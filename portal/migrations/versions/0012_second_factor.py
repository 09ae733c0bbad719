"""officials' second factor: an encrypted TOTP secret, its last used time step, and
one-time recovery codes (keyed hashes)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table(
        'official_recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('official_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['official_id'], ['officials.id'],
                                name=op.f('fk_official_recovery_codes_official_id_officials'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_official_recovery_codes')),
    )
    with op.batch_alter_table('official_recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_recovery_codes_official_id'), ['official_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('official_recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_recovery_codes_official_id'))
    op.drop_table('official_recovery_codes')
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
