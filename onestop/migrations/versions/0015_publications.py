"""publications: the public notice board (公示), one notice per matter

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('process_key', sa.String(length=100), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_publications_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_publications_instance_id'))
    )
    op.create_index(op.f('ix_publications_published_on'), 'publications', ['published_on'], unique=False)
    op.create_index(op.f('ix_publications_unit_code'), 'publications', ['unit_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_publications_unit_code'), table_name='publications')
    op.drop_index(op.f('ix_publications_published_on'), table_name='publications')
    op.drop_table('publications')
