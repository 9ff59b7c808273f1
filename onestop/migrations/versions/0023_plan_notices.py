"""plan notices: a 核准使用编制通知单 issued for a 用编计划 outlives its matter

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reservations') as batch:
        batch.add_column(sa.Column('purpose', sa.String(length=10), nullable=False, server_default='hire'))


def downgrade() -> None:
    with op.batch_alter_table('reservations') as batch:
        batch.drop_column('purpose')
