"""reading groups: members, invites, weekly assignments, reads, quizzes and answers

Revision ID: 0015_reading_groups
Revises: 0014_interview_prep
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_reading_groups'
down_revision = '0014_interview_prep'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reading_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('week_day', sa.SmallInteger(), nullable=False),
    sa.Column('week_hour', sa.SmallInteger(), nullable=False),
    sa.Column('week_minute', sa.SmallInteger(), nullable=False),
    sa.Column('article_order', sa.JSON(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_reading_groups_track_id_tracks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_groups'))
    )
    op.create_table('group_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_group_invites_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['reading_groups.id'], name=op.f('fk_group_invites_group_id_reading_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_invites')),
    sa.UniqueConstraint('code', name=op.f('uq_group_invites_code'))
    )
    with op.batch_alter_table('group_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_invites_group_id'), ['group_id'], unique=False)

    op.create_table('group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shows_progress', sa.Boolean(), nullable=False),
    sa.Column('shows_answers', sa.Boolean(), nullable=False),
    sa.Column('counts_quizzes', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['reading_groups.id'], name=op.f('fk_group_members_group_id_reading_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_group_members'))
    )
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.create_index('ix_group_members_user', ['user_id'], unique=False)

    op.create_table('group_weeks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_group_weeks_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['reading_groups.id'], name=op.f('fk_group_weeks_group_id_reading_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_weeks')),
    sa.UniqueConstraint('group_id', 'starts_on', name=op.f('uq_group_weeks_group_id_starts_on'))
    )
    op.create_table('group_quizzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('week_id', sa.Integer(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_group_quizzes_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_group_quizzes_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['reading_groups.id'], name=op.f('fk_group_quizzes_group_id_reading_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['week_id'], ['group_weeks.id'], name=op.f('fk_group_quizzes_week_id_group_weeks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_quizzes'))
    )
    with op.batch_alter_table('group_quizzes', schema=None) as batch_op:
        batch_op.create_index('ix_group_quizzes_group_created', ['group_id', 'created_at'], unique=False)

    op.create_table('group_reads',
    sa.Column('week_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_reads_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['week_id'], ['group_weeks.id'], name=op.f('fk_group_reads_week_id_group_weeks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('week_id', 'user_id', name=op.f('pk_group_reads'))
    )
    op.create_table('group_quiz_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=20), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_group_quiz_answers_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['group_quizzes.id'], name=op.f('fk_group_quiz_answers_quiz_id_group_quizzes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_quiz_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_quiz_answers')),
    sa.UniqueConstraint('quiz_id', 'user_id', 'question_id', name=op.f('uq_group_quiz_answers_quiz_id_user_id_question_id'))
    )


def downgrade():
    op.drop_table('group_quiz_answers')
    op.drop_table('group_reads')
    with op.batch_alter_table('group_quizzes', schema=None) as batch_op:
        batch_op.drop_index('ix_group_quizzes_group_created')

    op.drop_table('group_quizzes')
    op.drop_table('group_weeks')
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.drop_index('ix_group_members_user')

    op.drop_table('group_members')
    with op.batch_alter_table('group_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_invites_group_id'))

    op.drop_table('group_invites')
    op.drop_table('reading_groups')
