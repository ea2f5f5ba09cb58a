"""interview prep: drills, rapid-fire rounds, mock interviews and article rubrics

Revision ID: 0014_interview_prep
Revises: 0013_extra_new_cards
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_interview_prep'
down_revision = '0013_extra_new_cards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('order', sa.String(length=16), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('counts', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_drills_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drills'))
    )
    with op.batch_alter_table('drills', schema=None) as batch_op:
        batch_op.create_index('ix_drills_user_started_at', ['user_id', 'started_at'], unique=False)

    op.create_table('mock_interviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('points', sa.JSON(), nullable=False),
    sa.Column('covered', sa.JSON(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_mock_interviews_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mock_interviews_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mock_interviews'))
    )
    with op.batch_alter_table('mock_interviews', schema=None) as batch_op:
        batch_op.create_index('ix_mock_interviews_user_started_at', ['user_id', 'started_at'], unique=False)

    op.create_table('rapid_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scope_key', sa.String(length=200), nullable=False),
    sa.Column('scope_title', sa.String(length=200), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('correct_ms', sa.Integer(), nullable=False),
    sa.Column('share_code', sa.String(length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rapid_rounds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rapid_rounds')),
    sa.UniqueConstraint('share_code', name=op.f('uq_rapid_rounds_share_code'))
    )
    with op.batch_alter_table('rapid_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_rapid_rounds_user_scope', ['user_id', 'scope_key'], unique=False)

    op.create_table('drill_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['drill_id'], ['drills.id'], name=op.f('fk_drill_answers_drill_id_drills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_drill_answers_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_answers')),
    sa.UniqueConstraint('drill_id', 'position', name=op.f('uq_drill_answers_drill_id_position'))
    )
    with op.batch_alter_table('drill_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_answers_question_id'), ['question_id'], unique=False)

    op.create_table('rapid_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_rapid_answers_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rapid_rounds.id'], name=op.f('fk_rapid_answers_round_id_rapid_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rapid_answers')),
    sa.UniqueConstraint('round_id', 'position', name=op.f('uq_rapid_answers_round_id_position'))
    )
    # Plain ALTERs: a batch copy of articles on SQLite would cascade into questions and cards.
    op.add_column('articles', sa.Column('interview_prompt', sa.Text(), nullable=True))
    op.add_column('articles', sa.Column('rubric', sa.JSON(), nullable=False, server_default='[]'))



def downgrade():
    op.drop_column('articles', 'rubric')
    op.drop_column('articles', 'interview_prompt')

    op.drop_table('rapid_answers')
    with op.batch_alter_table('drill_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_answers_question_id'))

    op.drop_table('drill_answers')
    with op.batch_alter_table('rapid_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_rapid_rounds_user_scope')

    op.drop_table('rapid_rounds')
    with op.batch_alter_table('mock_interviews', schema=None) as batch_op:
        batch_op.drop_index('ix_mock_interviews_user_started_at')

    op.drop_table('mock_interviews')
    with op.batch_alter_table('drills', schema=None) as batch_op:
        batch_op.drop_index('ix_drills_user_started_at')

    op.drop_table('drills')
