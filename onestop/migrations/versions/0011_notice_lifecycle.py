"""notice lifecycle (validity, end, the leadership posts a notice holds) and unit events with their basis

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('before', sa.String(length=200), nullable=False),
    sa.Column('after', sa.String(length=200), nullable=False),
    sa.Column('basis_doc_no', sa.String(length=60), nullable=False),
    sa.Column('basis_source', sa.String(length=10), nullable=False),
    sa.Column('basis_file', sa.String(length=200), nullable=False),
    sa.Column('basis_sha256', sa.String(length=64), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_events_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_events'))
    )
    with op.batch_alter_table('unit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_events_unit_id'), ['unit_id'], unique=False)
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('principal_posts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('deputy_posts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=100), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_reservations_instance_id'), ['instance_id'], unique=False)
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.alter_column('principal_posts', server_default=None)
        batch_op.alter_column('deputy_posts', server_default=None)
        batch_op.alter_column('end_reason', server_default=None)
    _date_open_notices()
    # Earlier names of the ends: consumed is used, cancelled is released.
    op.execute("UPDATE reservations SET status = 'used', end_reason = '已入编' WHERE status = 'consumed'")
    op.execute("UPDATE reservations SET status = 'released', end_reason = '事项结束未入编' WHERE status = 'cancelled'")


def _date_open_notices() -> None:
    """Notices issued before this revision get their business issue date and the default six months' validity."""
    from datetime import datetime

    from kernel import clock
    from kernel.calendar import add_months

    bind = op.get_bind()
    for row_id, issued_at in bind.execute(sa.text("SELECT id, issued_at FROM reservations")).all():
        moment = issued_at if isinstance(issued_at, datetime) else datetime.fromisoformat(str(issued_at))
        day = clock.business_day(moment)
        bind.execute(
            sa.text("UPDATE reservations SET issued_on = :day, expires_on = :until WHERE id = :id"),
            {"day": day, "until": add_months(day, 6), "id": row_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('unit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_events_unit_id'))
    op.drop_table('unit_events')
    op.execute("UPDATE reservations SET status = 'consumed' WHERE status = 'used'")
    op.execute("UPDATE reservations SET status = 'cancelled' WHERE status IN ('released', 'expired')")
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservations_instance_id'))
        batch_op.drop_column('end_reason')
        batch_op.drop_column('ended_on')
        batch_op.drop_column('expires_on')
        batch_op.drop_column('issued_on')
        batch_op.drop_column('deputy_posts')
        batch_op.drop_column('principal_posts')
