"""acceptance numbers: every matter gets its 受理编号 (per year, gap-free)

Matters started before this revision are numbered in the order they were
started, year by year (China time), and the acceptance sequence continues
from there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:00:00
"""
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

CHINA = timezone(timedelta(hours=8))


def _china_year(value: object) -> int:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(CHINA).year


def upgrade() -> None:
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('number', sa.String(length=20), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, created_at FROM instances ORDER BY created_at, id")).all()
    last: dict[int, int] = defaultdict(int)
    for instance_id, created_at in rows:
        year = _china_year(created_at)
        last[year] += 1
        connection.execute(
            sa.text("UPDATE instances SET number = :number WHERE id = :id"),
            {"number": f"{year}-{last[year]:06d}", "id": instance_id},
        )
    for year, serial in last.items():
        connection.execute(
            sa.text("INSERT INTO sequences (name, year, last) VALUES ('acceptance', :year, :last)"),
            {"year": year, "last": serial},
        )
    with op.batch_alter_table('instances') as batch:
        batch.alter_column('number', existing_type=sa.String(length=20), nullable=False)
        batch.create_unique_constraint(op.f('uq_instances_number'), ['number'])


def downgrade() -> None:
    with op.batch_alter_table('instances') as batch:
        batch.drop_constraint(op.f('uq_instances_number'), type_='unique')
        batch.drop_column('number')
    op.execute("DELETE FROM sequences WHERE name = 'acceptance'")
