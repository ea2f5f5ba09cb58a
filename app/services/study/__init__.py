"""Studying: enrolments and presets, today's queue, answering, undo, card actions, the card
browser and leeches.

A question becomes a card for a learner the first time they answer it. Cards are addressed by
question id within one learner's account, so no request can name another learner's card. One
module per use case; callers keep writing `study.answer(...)`.
"""

from app.services.study.answers import REVIEW_ID_MAX, AnswerResult, answer
from app.services.study.card_actions import (
    CardAction,
    Undone,
    bury,
    card_of,
    change_cards,
    leeches,
    suspend,
    undo,
    undo_last,
    unsuspend,
)
from app.services.study.card_browser import (
    BrowsedCard,
    CardFilter,
    CardPage,
    CardSearch,
    CardSort,
    browse,
)
from app.services.study.cards import (
    card_memory,
    check_answer,
    fuzz_seed,
    get_question,
    grading_spec,
    home_enrolment,
    next_intervals,
    presented_choices,
)
from app.services.study.custom_sessions import (
    CustomSession,
    parse_session,
    session_item,
    session_size,
)
from app.services.study.custom_study import extra_new_today, study_more_new
from app.services.study.day_summary import DaySummary, Miss, day_summary
from app.services.study.enrolments import (
    enrol,
    enrolment_for_track,
    get_enrolment,
    leave,
    list_enrolments,
    update_preset,
)
from app.services.study.learners import forget_plans
from app.services.study.prepare import PrepareRun, prepare_plans
from app.services.study.presets import (
    add_preset_version,
    current_preset_row,
    domain_preset,
    preset_from_values,
    stored_values,
)
from app.services.study.queue import Counts, StudyItem, Today, today
from app.services.study.streaks import current_streak

__all__ = [
    "REVIEW_ID_MAX",
    "AnswerResult",
    "BrowsedCard",
    "CardAction",
    "CardFilter",
    "CardPage",
    "CardSearch",
    "CardSort",
    "Counts",
    "CustomSession",
    "DaySummary",
    "Miss",
    "PrepareRun",
    "StudyItem",
    "Today",
    "Undone",
    "add_preset_version",
    "answer",
    "browse",
    "bury",
    "card_memory",
    "card_of",
    "change_cards",
    "check_answer",
    "current_preset_row",
    "current_streak",
    "day_summary",
    "domain_preset",
    "enrol",
    "enrolment_for_track",
    "extra_new_today",
    "forget_plans",
    "fuzz_seed",
    "get_enrolment",
    "get_question",
    "grading_spec",
    "home_enrolment",
    "leave",
    "leeches",
    "list_enrolments",
    "next_intervals",
    "parse_session",
    "prepare_plans",
    "presented_choices",
    "preset_from_values",
    "session_item",
    "session_size",
    "stored_values",
    "study_more_new",
    "suspend",
    "today",
    "undo",
    "undo_last",
    "unsuspend",
    "update_preset",
]
