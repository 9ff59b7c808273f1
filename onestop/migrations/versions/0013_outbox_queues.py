"""outbox queues per kind, leases for staged handlers, incidents resolved by a successful retry,
the archive's staged bytes, idempotency keys, and credit-code blocks in pieces (overlap checked on adding)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

QUEUES = {
    'documents.requested': 'documents',
    'instance.finished': 'notifications',
    'task.created': 'notifications',
    'archive.export': 'exports',
}


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue', sa.String(length=20), nullable=False, server_default='default'))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('incident_id', sa.Integer(), nullable=True))
        batch_op.drop_index('ix_outbox_pending')
        batch_op.create_index('ix_outbox_due', ['queue', 'status', 'available_at'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('queue', server_default=None)
    for topic, queue in QUEUES.items():
        op.execute(sa.text("UPDATE outbox SET queue = :queue WHERE topic = :topic").bindparams(queue=queue, topic=topic))
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retry_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retry_requested_by', sa.String(length=100), nullable=True))
    op.create_table('archive_staging',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('item', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=True),
    sa.Column('persons', sa.JSON(), nullable=False),
    sa.Column('record_date', sa.Date(), nullable=False),
    sa.Column('retention_class', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_staging')),
    sa.UniqueConstraint('instance_id', 'item', name=op.f('uq_archive_staging_instance_id'))
    )
    op.create_table('idempotency_keys',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username', 'key', name=op.f('pk_idempotency_keys'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('code_blocks', schema=None) as batch_op:
        batch_op.drop_constraint('uq_code_blocks_prefix', type_='unique')
        batch_op.create_index('ix_code_blocks_series', ['authority', 'category', 'region_code', 'prefix'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('code_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_code_blocks_series')
        batch_op.create_unique_constraint('uq_code_blocks_prefix', ['prefix', 'authority', 'category', 'region_code'])
    op.drop_table('idempotency_keys')
    op.drop_table('archive_staging')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('retry_requested_by')
        batch_op.drop_column('retry_requested_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_pending', ['status', 'available_at'], unique=False)
        batch_op.drop_column('incident_id')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('queue')
