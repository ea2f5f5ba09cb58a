"""Word-level judgements about question text: giveaways, look-alike cells, near-synonym trade-offs.

The generators use these to avoid asking unfair questions, and the lint uses the same functions to
flag what an author wrote by hand, so a rule is stated once. Words are compared after a light
normalisation (casefolded, accents folded, a plural "s" dropped) that is crude on purpose: it is
predictable, and an author can always see why two texts were judged alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[a-z0-9]+(?:[./+#][a-z0-9]+)*")

# Words that carry no meaning of their own in a short answer or a stem.
_STOPWORD_TEXT = """
    a an the and or but nor of to in on at by for with from into onto over under per via as is are
    was were be been being it its this that these those there their them they than then so such
    not no yes can may might must should would could will shall do does did done has have had
    which what who whom whose when where why how each every any all some most more less few one
    only also just very much many same other another both either neither own up out off about
    if else while until after before between within without against through during your you
    i we our us he she his her him me my vs versus
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Trade-off words that mean nearly the same thing, so "Durability vs Performance" and "Safety vs
# Speed" are not offered side by side. Each group is one meaning; a word may stand in one group.
_SYNONYM_GROUPS = (
    {"performance", "speed", "fast", "efficiency", "efficient", "throughput", "velocity"},
    {"safety", "safe", "durability", "durable", "reliability", "reliable", "robustness"},
    {"simplicity", "simple", "ease", "easy", "convenience", "usability"},
    {"consistency", "consistent", "correctness", "correct", "accuracy", "accurate"},
    {"flexibility", "flexible", "adaptability", "extensibility", "freedom"},
    {"control", "customization", "customisation", "ownership"},
    {"cost", "price", "expense", "spend"},
    {"scalability", "scale", "scalable", "elasticity"},
    {"availability", "available", "uptime"},
    {"latency", "responsiveness", "delay"},
    {"isolation", "separation", "containment"},
    {"complexity", "complication", "overhead"},
    {"autonomy", "independence", "decoupling"},
    {"visibility", "observability", "insight", "transparency"},
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()


_SUFFIXES = ("ing", "ed", "es", "s", "e")


def _stem(word: str) -> str:
    """A crude stem: "hinted", "hints" and "hint" meet; so do "caching", "cached" and "cache"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            return word[: -len(suffix)]
    return word


_SYNONYM = {_stem(w): index for index, group in enumerate(_SYNONYM_GROUPS) for w in group}


def words(text: str) -> list[str]:
    """Every word of `text`, normalised (HTTP/2 and fsync() stay one word each)."""
    return [_stem(word) for word in _WORD.findall(_fold(text))]


def content_words(text: str) -> set[str]:
    """The words of `text` that carry meaning: no stopwords, no single characters."""
    return {word for word in words(text) if word not in STOPWORDS and len(word) > 1}


def distinctive_words(label: str, others: Iterable[str]) -> set[str]:
    """Content words of `label` that none of `others` has: the words that would give it away."""
    shared: set[str] = set()
    for other in others:
        shared |= content_words(other)
    return content_words(label) - shared


def giveaway(stem: str, answer: str, others: Sequence[str]) -> set[str]:
    """Words of the right answer that stand in the stem but in no other choice.

    Such a word lets a learner pick the answer by matching text instead of knowing it:
    "Which option has *fsync = off*?" with the choice "fsync = off". A stem that names every
    choice alike ("which of TCP, UDP or QUIC …") favours none of them, so gives nothing away.
    """
    stem_words = content_words(stem)
    if all(content_words(choice) <= stem_words for choice in (answer, *others)):
        return set()  # the stem lists every choice
    hits = distinctive_words(answer, others) & stem_words
    if not hits:
        return set()
    rivals = [
        distinctive_words(other, [answer, *others[:i], *others[i + 1 :]]) & stem_words
        for i, other in enumerate(others)
    ]
    return set() if rivals and all(rivals) else hits


def similar(first: str, second: str) -> bool:
    """Whether two cells say so nearly the same thing that either could describe both options.

    Equal words, one's words inside the other's ("Usually one" and "Usually one, able to migrate"),
    or most words shared all count. Two cells that are only blank are not similar: a blank is
    never asked about.
    """
    a, b = content_words(first), content_words(second)
    if not a or not b:
        return words(first) == words(second) and bool(words(first))
    if a <= b or b <= a:
        return True
    return len(a & b) / len(a | b) >= 0.5


def _side_meaning(side: str) -> set[object]:
    meaning: set[object] = set()
    for word in content_words(side):
        meaning.add(("group", _SYNONYM[word]) if word in _SYNONYM else ("word", word))
    return meaning


def near_synonym_tradeoffs(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether two trade-offs (their sides, see `text.tradeoff_sides`) mean about the same.

    True when every side of one matches a side of the other by a shared word or a word of the
    same synonym group, in either order: "Durability vs Performance" and "Safety vs Speed".
    """
    if len(first) < 2 or len(second) < 2:
        return False
    ours = [_side_meaning(side) for side in first]
    theirs = [_side_meaning(side) for side in second]
    return all(any(side & other for other in theirs) for side in ours) and all(
        any(side & other for other in ours) for side in theirs
    )


LONGEST_MARGIN = 1.25  # the right choice stands out when 25 % longer than every wrong one


def visible_length(markdown: str) -> int:
    """Characters a reader sees, markup left out."""
    return len(re.sub(r"[*_`~\\]", "", markdown).strip())


def conspicuously_longest(right: str, wrong: Sequence[str]) -> bool:
    """Whether the right choice is so much longer than every wrong one that "pick the longest"
    would find it."""
    return bool(wrong) and visible_length(right) > LONGEST_MARGIN * max(map(visible_length, wrong))
