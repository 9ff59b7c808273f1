"""reconciliation: 财政's and 人社's monthly lists, the comparisons with the roster and their findings;
a 周转池 loan told ahead that it falls due

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pool_loans') as batch:
        batch.add_column(sa.Column('due_soon_told_on', sa.Date(), nullable=True))
    op.create_table(
        'staff_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=100), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_staff_lists_period', 'staff_lists', ['period'])
    op.create_table(
        'staff_list_rows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.ForeignKeyConstraint(['list_id'], ['staff_lists.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_staff_list_rows_list_id', 'staff_list_rows', ['list_id'])
    op.create_table(
        'reconciliation_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('payroll_list_id', sa.Integer(), nullable=False),
        sa.Column('hr_list_id', sa.Integer(), nullable=True),
        sa.Column('run_by', sa.String(length=100), nullable=False),
        sa.Column('run_on', sa.Date(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['payroll_list_id'], ['staff_lists.id']),
        sa.ForeignKeyConstraint(['hr_list_id'], ['staff_lists.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'reconciliation_findings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('detail', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=True),
        sa.Column('resolved_on', sa.Date(), nullable=True),
        sa.Column('resolution', sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['reconciliation_runs.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reconciliation_findings_run_id', 'reconciliation_findings', ['run_id'])
    op.create_index('ix_reconciliation_findings_unit_id', 'reconciliation_findings', ['unit_id'])


def downgrade() -> None:
    op.drop_index('ix_reconciliation_findings_unit_id', table_name='reconciliation_findings')
    op.drop_index('ix_reconciliation_findings_run_id', table_name='reconciliation_findings')
    op.drop_table('reconciliation_findings')
    op.drop_table('reconciliation_runs')
    op.drop_index('ix_staff_list_rows_list_id', table_name='staff_list_rows')
    op.drop_table('staff_list_rows')
    op.drop_index('ix_staff_lists_period', table_name='staff_lists')
    op.drop_table('staff_lists')
    with op.batch_alter_table('pool_loans') as batch:
        batch.drop_column('due_soon_told_on')
