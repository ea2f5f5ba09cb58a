"""card_changes: suspends, unsuspends, buries and unburies, kept so undo can take them back

Revision ID: 0010_card_changes
Revises: 0009_study_days_on_reviews
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_card_changes'
down_revision = '0009_study_days_on_reviews'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_changes_card_id_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_card_changes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_changes'))
    )
    with op.batch_alter_table('card_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_changes_batch'), ['batch'], unique=False)
        batch_op.create_index('ix_card_changes_user_changed_at', ['user_id', 'changed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('card_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_card_changes_user_changed_at')
        batch_op.drop_index(batch_op.f('ix_card_changes_batch'))
    op.drop_table('card_changes')
