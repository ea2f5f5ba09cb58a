"""study at scale: 64-bit review_logs.fuzz_seed

Revision ID: 0005_study_scale
Revises: 0004_daily


"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_study_scale'
down_revision = '0004_daily'
branch_labels = None
depends_on = None


def upgrade():
    # fuzz_seed is card id x 7919 + reps: a 32-bit column overflows once card ids pass 271,180.
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.alter_column('fuzz_seed',
               existing_type=sa.Integer(),
               type_=sa.BigInteger(),
               existing_nullable=True)


def downgrade():
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.alter_column('fuzz_seed',
               existing_type=sa.BigInteger(),
               type_=sa.Integer(),
               existing_nullable=True)
