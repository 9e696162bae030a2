"""series ended before their schedule kept its end: give them their last day

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 22:40:00

Ending a series now ends its schedule on the day of its last begun date, so every feed's
rule carries UNTIL. Series ended before that kept an open rule (no until, or a count):
calendars showed dates that no longer exist. Each gets the end it would get today, from
when it was ended.
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

from directory.activities.editing import ended_schedule_until
from directory.activities.schedule import Schedule
from directory.common.types import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

activity = sa.table(
    'activity', sa.column('id', sa.Integer), sa.column('recurrence', sa.String),
    sa.column('status', sa.String), sa.column('starts_on', sa.Date),
    sa.column('start_time', sa.Time), sa.column('end_time', sa.Time),
    sa.column('interval', sa.Integer), sa.column('weekdays', sa.String),
    sa.column('until', sa.Date), sa.column('count', sa.Integer),
    sa.column('ended_at', UTCDateTime))


def upgrade():
    conn = op.get_bind()
    ended = conn.execute(sa.select(activity).where(
        activity.c.status == 'ended', activity.c.recurrence == 'weekly',
        activity.c.ended_at.is_not(None))).all()
    for row in ended:
        weekdays = tuple(int(d) for d in (row.weekdays or '').split(',') if d != '')
        schedule = Schedule(starts_on=row.starts_on, start_time=row.start_time,
                            end_time=row.end_time, recurrence='weekly',
                            interval=row.interval or 1,
                            weekdays=weekdays or (row.starts_on.weekday(),),
                            until=row.until, count=row.count)
        last = min(row.until or date.max, ended_schedule_until(schedule, row.ended_at))
        if last != row.until or row.count is not None:
            conn.execute(activity.update().where(activity.c.id == row.id)
                         .values(until=last, count=None))


def downgrade():
    pass  # the end is a fact about the series; nothing to undo
