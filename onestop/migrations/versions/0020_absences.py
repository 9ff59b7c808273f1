"""absences: an approver's deputy while away (代理), and the task routed on someone's behalf

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('absences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_absences_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deputy_id'], ['users.id'], name=op.f('fk_absences_deputy_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_absences'))
    )
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('on_behalf_of', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_tasks_on_behalf_of_users'), 'users', ['on_behalf_of'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.drop_constraint(op.f('fk_tasks_on_behalf_of_users'), type_='foreignkey')
        batch.drop_column('on_behalf_of')
    op.drop_table('absences')
