"""Every model, imported here so the metadata Alembic compares against is complete."""

from app.models.content import (
    Article,
    BankFingerprint,
    Question,
    QuestionReport,
    Track,
    TrackArticle,
)
from app.models.daily import (
    Digest,
    ExtraNewCards,
    OutboxMessage,
    ParameterFit,
    SchedulerLease,
    StudyDay,
)
from app.models.groups import (
    Group,
    GroupInvite,
    GroupMember,
    GroupQuiz,
    GroupQuizAnswer,
    GroupRead,
    GroupWeek,
)
from app.models.interop import AnkiNote
from app.models.interview import Drill, DrillAnswer, MockInterview, RapidAnswer, RapidRound
from app.models.live import LiveAnswer, LivePlayer, LiveQuiz
from app.models.study import Card, CardChange, Enrolment, Preset, ReviewLog
from app.models.users import ApiToken, LoginSession, User

__all__ = [
    "AnkiNote",
    "ApiToken",
    "Article",
    "BankFingerprint",
    "Card",
    "CardChange",
    "Digest",
    "Drill",
    "DrillAnswer",
    "Enrolment",
    "ExtraNewCards",
    "Group",
    "GroupInvite",
    "GroupMember",
    "GroupQuiz",
    "GroupQuizAnswer",
    "GroupRead",
    "GroupWeek",
    "LiveAnswer",
    "LivePlayer",
    "LiveQuiz",
    "LoginSession",
    "MockInterview",
    "OutboxMessage",
    "ParameterFit",
    "Preset",
    "Question",
    "QuestionReport",
    "RapidAnswer",
    "RapidRound",
    "ReviewLog",
    "SchedulerLease",
    "StudyDay",
    "Track",
    "TrackArticle",
    "User",
]
