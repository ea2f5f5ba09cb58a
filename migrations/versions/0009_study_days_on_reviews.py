"""cards.last_day and review_logs.study_date: the learner's study day decides short-term reviews

Revision ID: 0009_study_days_on_reviews
Revises: 0008_fair_questions

Existing reviews are dated by each learner's current time zone and day-start hour, the best
record there is of the day they were made on.
"""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_study_days_on_reviews'
down_revision = '0008_fair_questions'
branch_labels = None
depends_on = None

BATCH = 5000


def _study_date(moment, zone, hour):
    """The study day an instant belongs to (app.domain.studyday.study_day, written out here so the
    migration keeps working whatever that module becomes)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    day = local.date()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    return day - timedelta(days=1) if local < start else day


def upgrade():
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_day', sa.Date(), nullable=True))
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('study_date', sa.Date(), nullable=True))

    connection = op.get_bind()
    stamp = sa.DateTime(timezone=True)
    users = sa.table(
        'users', sa.column('id', sa.Integer), sa.column('timezone', sa.String),
        sa.column('day_start_hour', sa.Integer),
    )
    logs = sa.table(
        'review_logs', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
        sa.column('reviewed_at', stamp), sa.column('study_date', sa.Date),
    )
    cards = sa.table(
        'cards', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
        sa.column('last_review', stamp), sa.column('last_day', sa.Date),
    )
    for user_id, timezone, hour in connection.execute(sa.select(users)).all():
        zone = ZoneInfo(timezone or 'UTC')
        for table, moment_column, day_column in (
            (logs, 'reviewed_at', 'study_date'),
            (cards, 'last_review', 'last_day'),
        ):
            rows = connection.execute(
                sa.select(table.c.id, table.c[moment_column]).where(
                    table.c.user_id == user_id, table.c[moment_column].is_not(None)
                )
            ).all()
            for start in range(0, len(rows), BATCH):
                chunk = rows[start:start + BATCH]
                connection.execute(
                    sa.update(table)
                    .where(table.c.id == sa.bindparam('row_id'))
                    .values({day_column: sa.bindparam('day')}),
                    [
                        {'row_id': row_id, 'day': _study_date(moment, zone, hour)}
                        for row_id, moment in chunk
                    ],
                )


def downgrade():
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.drop_column('study_date')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('last_day')
