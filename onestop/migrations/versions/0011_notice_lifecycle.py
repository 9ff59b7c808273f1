"""notice lifecycle: validity, end and the leadership posts a notice holds

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
    """Notices issued before this revision get their China issue date and the default six months' validity."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from engine.calendar import add_months

    bind = op.get_bind()
    china = ZoneInfo("Asia/Shanghai")
    for row_id, issued_at in bind.execute(sa.text("SELECT id, issued_at FROM reservations")).all():
        moment = issued_at if isinstance(issued_at, datetime) else datetime.fromisoformat(str(issued_at))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        day = moment.astimezone(china).date()
        bind.execute(
            sa.text("UPDATE reservations SET issued_on = :day, expires_on = :until WHERE id = :id"),
            {"day": day, "until": add_months(day, 6), "id": row_id},
        )


def downgrade() -> None:
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
