"""test rooms (快检室) and citizens' bookings; the 快检室检测 role

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'test_rooms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('district_adcode', sa.String(length=6), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lng', sa.Float(), nullable=False),
        sa.Column('hours', sa.String(length=200), nullable=False),
        sa.Column('tests', sa.Text(), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('weekdays', sa.String(length=7), nullable=False),
        sa.Column('slots', sa.String(length=300), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('is_demo', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['district_adcode'], ['districts.adcode'],
                                name=op.f('fk_test_rooms_district_adcode_districts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_test_rooms')),
        sa.UniqueConstraint('name', name=op.f('uq_test_rooms_name')),
    )
    with op.batch_alter_table('test_rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_rooms_district_adcode'), ['district_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_rooms_is_demo'), ['is_demo'], unique=False)
    op.create_table(
        'room_bookings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('slot', sa.String(length=11), nullable=False),
        sa.Column('seat', sa.Integer(), nullable=True),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('food', sa.String(length=60), nullable=False),
        sa.Column('phone_hash', sa.String(length=64), nullable=True),
        sa.Column('phone_masked', sa.String(length=16), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('result', sa.String(length=10), nullable=True),
        sa.Column('items', sa.String(length=200), nullable=True),
        sa.Column('result_note', sa.Text(), nullable=True),
        sa.Column('tested_at', sa.DateTime(), nullable=True),
        sa.Column('tested_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('personal_erased_at', sa.DateTime(), nullable=True),
        sa.Column('is_demo', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['test_rooms.id'],
                                name=op.f('fk_room_bookings_room_id_test_rooms'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_room_bookings')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_room_bookings_code_hash')),
        sa.UniqueConstraint('room_id', 'day', 'slot', 'seat', name='uq_room_bookings_seat'),
    )
    with op.batch_alter_table('room_bookings', schema=None) as batch_op:
        batch_op.create_index('ix_room_bookings_room_day', ['room_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_room_bookings_phone_hash'), ['phone_hash'], unique=False)
    op.create_table(
        'test_room_staff',
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('official_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['test_rooms.id'],
                                name=op.f('fk_test_room_staff_room_id_test_rooms'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['official_id'], ['officials.id'],
                                name=op.f('fk_test_room_staff_official_id_officials'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('room_id', 'official_id', name=op.f('pk_test_room_staff')),
    )
    with op.batch_alter_table('test_room_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_room_staff_official_id'), ['official_id'], unique=False)
    roles = sa.table("roles", sa.column("name"), sa.column("label"), sa.column("description"))
    op.bulk_insert(roles, [{"name": "tester", "label": "快检室检测",
                            "description": "快检室工作人员：查看预约，登记送检结果"}])


def downgrade() -> None:
    op.execute("DELETE FROM official_roles WHERE role = 'tester'")
    op.execute("DELETE FROM roles WHERE name = 'tester'")
    op.drop_table('test_room_staff')
    op.drop_table('room_bookings')
    op.drop_table('test_rooms')
