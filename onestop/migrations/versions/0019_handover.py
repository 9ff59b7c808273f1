"""handover: a delegated task's owner (委派) and the people or departments a matter is copied to (抄送)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 19:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_tasks_owner_id_users'), 'users', ['owner_id'], ['id'])
    op.create_table('carbon_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('recipient', sa.String(length=60), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('copied_by', sa.Integer(), nullable=False),
    sa.Column('copied_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_carbon_copies_instance_id_instances'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['copied_by'], ['users.id'], name=op.f('fk_carbon_copies_copied_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carbon_copies')),
    sa.UniqueConstraint('instance_id', 'recipient', name=op.f('uq_carbon_copies_instance_id'))
    )
    op.create_index(op.f('ix_carbon_copies_instance_id'), 'carbon_copies', ['instance_id'], unique=False)
    op.create_index(op.f('ix_carbon_copies_recipient'), 'carbon_copies', ['recipient'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_carbon_copies_recipient'), table_name='carbon_copies')
    op.drop_index(op.f('ix_carbon_copies_instance_id'), table_name='carbon_copies')
    op.drop_table('carbon_copies')
    with op.batch_alter_table('tasks') as batch:
        batch.drop_constraint(op.f('fk_tasks_owner_id_users'), type_='foreignkey')
        batch.drop_column('owner_id')
