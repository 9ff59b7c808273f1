"""region totals: a region's 编制总量 by type with its 周转池, and the pool's loans to units

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'region_totals',
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('est_type', sa.String(length=30), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('pool', sa.Integer(), nullable=False),
        sa.Column('basis', sa.String(length=100), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('region_code', 'est_type'),
    )
    op.create_table(
        'pool_loans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('est_type', sa.String(length=30), nullable=False),
        sa.Column('places', sa.Integer(), nullable=False),
        sa.Column('lent_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('returned_on', sa.Date(), nullable=True),
        sa.Column('overdue_told_on', sa.Date(), nullable=True),
        sa.Column('instance_id', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )
    op.create_index('ix_pool_loans_region_code', 'pool_loans', ['region_code'])
    op.create_index('ix_pool_loans_unit_id', 'pool_loans', ['unit_id'])


def downgrade() -> None:
    op.drop_index('ix_pool_loans_unit_id', table_name='pool_loans')
    op.drop_index('ix_pool_loans_region_code', table_name='pool_loans')
    op.drop_table('pool_loans')
    op.drop_table('region_totals')
