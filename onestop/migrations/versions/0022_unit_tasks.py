"""units' tasks: a task of the applicant department names the unit whose clerks act on it

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('unit_code', sa.String(length=64), nullable=True))
        batch.create_index(batch.f('ix_tasks_unit_code'), ['unit_code'], unique=False)
    # Until now every unit's task was the matter's own unit's submission or correction.
    op.execute(
        "UPDATE tasks SET unit_code = (SELECT instances.unit_code FROM instances WHERE instances.id = tasks.instance_id)"
        " WHERE department = 'applicant'"
    )


def downgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.drop_index(batch.f('ix_tasks_unit_code'))
        batch.drop_column('unit_code')
