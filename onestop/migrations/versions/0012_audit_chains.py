"""audit chains per matter and per actor, their heads, and chained checkpoints

Events written before this revision become the chain "" with their hashes
unchanged (their canonical form has no chain field); its head is recorded so
``audit verify`` still checks them end to end.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.String(length=120), nullable=False, server_default=''))
        batch_op.drop_constraint('uq_audit_events_seq', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_chain'), ['chain', 'seq'])
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('chain', server_default=None)
    op.create_table('audit_heads',
    sa.Column('chain', sa.String(length=120), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_heads'))
    )
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.Column('root', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    op.create_table('audit_sealed',
    sa.Column('chain', sa.String(length=120), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_sealed'))
    )
    op.execute(
        "INSERT INTO audit_heads (chain, seq, prev_hash, hash) "
        "SELECT '', seq, prev_hash, hash FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)"
    )


def downgrade() -> None:
    op.drop_table('audit_sealed')
    op.drop_table('audit_checkpoints')
    op.drop_table('audit_heads')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_chain'), type_='unique')
        batch_op.create_unique_constraint('uq_audit_events_seq', ['seq'])
        batch_op.drop_column('chain')
