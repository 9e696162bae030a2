"""messages: the outbox, and what messages need to know of their recipients

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 00:00:00

The outbox (`message`) holds each message from the transaction that causes it until
the worker has sent it. Sign-ups keep the interface language they were made in, the
nonce their personal link is derived from, and whether they want a reminder;
organisations the language their messages are written in and whether they want a
daily digest of new sign-ups; accounts the language their holder last used.
"""
import sqlalchemy as sa
from alembic import op

from directory.common.types import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('locked_until', UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=80), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('signup_id', sa.Integer(), nullable=True),
        sa.Column('occurrence_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')",
                           name=op.f('ck_message_status')),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_message_channel')),
        sa.ForeignKeyConstraint(['signup_id'], ['signup.id'], ondelete='SET NULL',
                                name=op.f('fk_message_signup_id_signup')),
        sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], ondelete='SET NULL',
                                name=op.f('fk_message_occurrence_id_occurrence')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                ondelete='SET NULL',
                                name=op.f('fk_message_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL',
                                name=op.f('fk_message_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    )
    op.create_index('ix_message_due', 'message', ['status', 'next_attempt_at'])
    op.create_index(op.f('ix_message_signup_id'), 'message', ['signup_id'])
    # Plain ALTER TABLE ADD COLUMN on both databases: never a table rebuild, which on
    # SQLite would drop the table and so cascade-delete the rows that refer to it.
    op.add_column('signup', sa.Column('interface_language', sa.String(length=8)))
    op.add_column('signup', sa.Column('link_nonce', sa.String(length=32)))
    op.add_column('signup', sa.Column('reminders', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.add_column('signup', sa.Column('reminded_at', UTCDateTime(timezone=True)))
    op.add_column('organisation', sa.Column('preferred_language', sa.String(length=8)))
    op.add_column('organisation', sa.Column('signup_digest', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    op.add_column('user', sa.Column('language', sa.String(length=8)))


def downgrade():
    for table, columns in (('user', ('language',)),
                           ('organisation', ('signup_digest', 'preferred_language')),
                           ('signup', ('reminded_at', 'reminders', 'link_nonce',
                                       'interface_language'))):
        for column in columns:
            op.drop_column(table, column)
    op.drop_index(op.f('ix_message_signup_id'), table_name='message')
    op.drop_index('ix_message_due', table_name='message')
    op.drop_table('message')
