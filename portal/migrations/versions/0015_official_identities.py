"""accounts: single sign-on identities (OpenID Connect issuer + subject) linked to accounts,
and the identity a session began with

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('official_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.Column('linked_by', sa.String(length=64), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
    sa.Column('last_token_issued_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'],
                            name=op.f('fk_official_identities_official_id_officials'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_identities')),
    sa.UniqueConstraint('issuer', 'subject', name='uq_official_identities_issuer_subject')
    )
    with op.batch_alter_table('official_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_identities_official_id'), ['official_id'], unique=False)
    with op.batch_alter_table('official_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_official_sessions_identity_id'), ['identity_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_official_sessions_identity_id_official_identities'),
                                    'official_identities', ['identity_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('official_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_official_sessions_identity_id_official_identities'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_official_sessions_identity_id'))
        batch_op.drop_column('identity_id')
    with op.batch_alter_table('official_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_identities_official_id'))
    op.drop_table('official_identities')
