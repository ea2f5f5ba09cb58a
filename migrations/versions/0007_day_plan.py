"""study_days: keep the day's queue plan

Revision ID: 0007_day_plan
Revises: 0006_soft_leave


"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_day_plan'
down_revision = '0006_soft_leave'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('study_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('queue_progress', sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column('queue_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('study_days', schema=None) as batch_op:
        batch_op.drop_column('queue_version')
        batch_op.drop_column('queue_progress')
        batch_op.drop_column('queue')
