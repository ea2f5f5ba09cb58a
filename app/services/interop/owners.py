"""Whose bank an import fills: the learner's personal bank, or (administrators) the shared one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.domain.anki import IMPORTED_SOURCE

__all__ = ["IMPORTED_SOURCE", "Owner"]


@dataclass(frozen=True)
class Owner:
    user_id: int  # who imports: their cards get the history
    shared: bool = False  # into the banks everyone sees (administrators only)

    @property
    def key(self) -> str:
        return "shared" if self.shared else f"user-{self.user_id}"

    @property
    def owner_id(self) -> int | None:
        return None if self.shared else self.user_id

    def deck_key(self, deck: str) -> str:
        """The key of the article and the track a deck becomes."""
        digest = hashlib.sha1(deck.encode()).hexdigest()[:16]
        return f"anki-{self.key}-{digest}"

    def question_key(self, guid: str, ord_: int) -> str:
        """Stable across re-imports: the note's GUID and the card's template or cloze number."""
        digest = hashlib.sha1(guid.encode()).hexdigest()[:20]
        return f"{self.question_prefix}{digest}-{ord_}"

    @property
    def question_prefix(self) -> str:
        return f"anki-{self.key}:"
