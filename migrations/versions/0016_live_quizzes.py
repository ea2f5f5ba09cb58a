"""live quizzes: the quiz's state, players' seats and answers

Revision ID: 0016_live_quizzes
Revises: 0015_reading_groups
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_live_quizzes'
down_revision = '0015_reading_groups'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_quizzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('guests_allowed', sa.Boolean(), nullable=False),
    sa.Column('timer_seconds', sa.Integer(), nullable=True),
    sa.Column('phase', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('group_quiz_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['reading_groups.id'], name=op.f('fk_live_quizzes_group_id_reading_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_quiz_id'], ['group_quizzes.id'], name=op.f('fk_live_quizzes_group_quiz_id_group_quizzes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_id'], ['users.id'], name=op.f('fk_live_quizzes_host_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_quizzes')),
    sa.UniqueConstraint('code', name=op.f('uq_live_quizzes_code'))
    )
    with op.batch_alter_table('live_quizzes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_quizzes_host_id'), ['host_id'], unique=False)

    op.create_table('live_players',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('nickname', sa.String(length=40), nullable=False),
    sa.Column('nickname_key', sa.String(length=40), nullable=False),
    sa.Column('seat', sa.String(length=64), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kicked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['live_quizzes.id'], name=op.f('fk_live_players_quiz_id_live_quizzes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_players_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_players')),
    sa.UniqueConstraint('quiz_id', 'nickname_key', name=op.f('uq_live_players_quiz_id_nickname_key')),
    sa.UniqueConstraint('quiz_id', 'user_id', name=op.f('uq_live_players_quiz_id_user_id')),
    sa.UniqueConstraint('seat', name=op.f('uq_live_players_seat'))
    )
    op.create_table('live_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('player_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=20), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('ms', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['live_players.id'], name=op.f('fk_live_answers_player_id_live_players'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_live_answers_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['live_quizzes.id'], name=op.f('fk_live_answers_quiz_id_live_quizzes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_answers')),
    sa.UniqueConstraint('player_id', 'position', name=op.f('uq_live_answers_player_id_position'))
    )
    with op.batch_alter_table('live_answers', schema=None) as batch_op:
        batch_op.create_index('ix_live_answers_quiz_position', ['quiz_id', 'position'], unique=False)



def downgrade():
    with op.batch_alter_table('live_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_live_answers_quiz_position')

    op.drop_table('live_answers')
    op.drop_table('live_players')
    with op.batch_alter_table('live_quizzes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_quizzes_host_id'))

    op.drop_table('live_quizzes')
