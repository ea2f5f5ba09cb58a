"""extra_new_cards: new cards a learner asks for beyond the daily limit, for one study day

Revision ID: 0013_extra_new_cards
Revises: 0012_card_flags
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_extra_new_cards'
down_revision = '0012_card_flags'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('extra_new_cards',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_extra_new_cards_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_extra_new_cards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'local_date', 'enrolment_id', name=op.f('pk_extra_new_cards'))
    )


def downgrade():
    op.drop_table('extra_new_cards')
