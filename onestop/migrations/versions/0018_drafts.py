"""drafts: a form saved before it is submitted, with the files already chosen

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 16:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=150), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_drafts_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
    sa.UniqueConstraint('owner_id', 'subject', name=op.f('uq_drafts_owner_id'))
    )
    op.create_index(op.f('ix_drafts_owner_id'), 'drafts', ['owner_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_drafts_owner_id'), table_name='drafts')
    op.drop_table('drafts')
