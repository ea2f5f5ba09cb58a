"""cards.flagged: a learner marks a card in the card browser to find it again

Revision ID: 0012_card_flags
Revises: 0011_question_reports
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_card_flags'
down_revision = '0011_question_reports'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, never a batch copy: on SQLite a copy drops the old cards table, and the
    # drop's cascade would delete every review log and card change.
    op.add_column('cards', sa.Column('flagged', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('cards', 'flagged')  # a plain DROP COLUMN too (SQLite 3.35+), for the same reason
