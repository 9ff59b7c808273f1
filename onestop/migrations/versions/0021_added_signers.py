"""added signers (加签): a signer's task names its host task and position; the host waits for them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 22:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('host_task_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('sign_position', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('awaiting', sa.String(length=10), nullable=True))
        batch.create_index(batch.f('ix_tasks_host_task_id'), ['host_task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.drop_index(batch.f('ix_tasks_host_task_id'))
        batch.drop_column('awaiting')
        batch.drop_column('sign_position')
        batch.drop_column('host_task_id')
