"""questions: pinned choice order and accepted typed answers; review_logs: overruled grades

Revision ID: 0008_fair_questions
Revises: 0007_day_plan


"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_fair_questions'
down_revision = '0007_day_plan'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('fixed_order', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column('accepted', sa.JSON(), nullable=True))
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('overruled', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.drop_column('overruled')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('accepted')
        batch_op.drop_column('fixed_order')
