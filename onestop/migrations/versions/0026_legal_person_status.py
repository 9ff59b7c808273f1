"""legal person status: a 事业单位's registration is registered or cancelled (注销登记)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('legal_persons') as batch:
        batch.add_column(sa.Column('status', sa.String(length=12), server_default='registered', nullable=False))
        batch.add_column(sa.Column('cancelled_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('legal_persons') as batch:
        batch.drop_column('cancelled_on')
        batch.drop_column('status')
