"""legal persons: the 事业单位法人 registration items recorded on the unit

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'legal_persons',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('representative', sa.String(length=30), nullable=False),
        sa.Column('representative_id', sa.String(length=18), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('purpose', sa.String(length=2000), nullable=False),
        sa.Column('start_fund', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('sponsor', sa.String(length=200), nullable=False),
        sa.Column('registered_on', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('unit_id'),
    )


def downgrade() -> None:
    op.drop_table('legal_persons')
