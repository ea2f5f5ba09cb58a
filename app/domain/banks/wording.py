"""Word-level judgements about question text: giveaways, look-alike cells, near-synonym trade-offs.

The generators use these to avoid asking unfair questions, and the lint uses the same functions to
flag what an author wrote by hand, so a rule is stated once. Words are compared after a light
normalisation (casefolded, accents folded, a plural "s" dropped) that is crude on purpose: it is
predictable, and an author can always see why two texts were judged alike.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
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

# Trade-off words on one axis: near-synonyms, and the two ends of one scale (simplicity and
# complexity, a feature set and its simplicity), so "Durability vs Performance" and "Safety vs
# Speed" are not offered side by side, nor "Simplicity vs Performance" and "Speed vs Features".
_AXES = (
    {"performance", "speed", "fast", "efficiency", "efficient", "throughput", "velocity"},
    {"safety", "safe", "durability", "durable", "reliability", "reliable", "robustness"},
    {"simplicity", "simple", "ease", "easy", "convenience", "usability", "complexity"},
    {"complication", "features", "feature", "functionality", "capability", "abstraction"},
    {"consistency", "consistent", "correctness", "correct", "accuracy", "accurate"},
    {"flexibility", "flexible", "adaptability", "extensibility", "freedom"},
    {"control", "customization", "customisation", "ownership"},
    {"cost", "price", "expense", "spend", "overhead"},
    {"scalability", "scale", "scalable", "elasticity"},
    {"availability", "available", "uptime"},
    {"latency", "responsiveness", "delay"},
    {"isolation", "separation", "containment"},
    {"autonomy", "independence", "decoupling", "coupling"},
    {"visibility", "observability", "insight", "transparency", "coverage"},
)
_JOINED_AXES = {2: 3}  # simplicity and complication-like words are one scale


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()


_SUFFIXES = ("ing", "ed", "es", "s", "e")


_STEM_LENGTH = 6


def _stem(word: str) -> str:
    """A crude stem: "hinted", "hints" and "hint" meet; so do "caching", "cached" and "cache",
    and, cut to six letters, "starters" and "startup" or "consistent" and "consistency"."""
    if word.endswith("ies") and len(word) > 4:
        return (word[:-3] + "y")[:_STEM_LENGTH]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            return word[: -len(suffix)][:_STEM_LENGTH]
    return word[:_STEM_LENGTH]


_AXIS = {
    _stem(word): _JOINED_AXES.get(index, index) for index, axis in enumerate(_AXES) for word in axis
}


def words(text: str) -> list[str]:
    """Every word of `text`, normalised (HTTP/2 and fsync() stay one word each)."""
    return [_stem(word) for word in _WORD.findall(_fold(text))]


def _meaningful(word: str) -> bool:
    return word not in STOPWORDS and (len(word) > 1 or word.isdigit())


def content_words(text: str) -> set[str]:
    """The words of `text` that carry meaning: no stopwords, no single letters (numbers stay:
    "7" tells "4 of 7" apart from "3 of 5")."""
    return {word for word in words(text) if _meaningful(word)}


def distinctive_words(label: str, others: Iterable[str]) -> set[str]:
    """Content words of `label` that none of `others` has: the words that would give it away."""
    shared: set[str] = set()
    for other in others:
        shared |= content_words(other)
    return content_words(label) - shared


def giveaway(stem: str, answer: str, others: Sequence[str]) -> set[str]:
    """Words of the right answer that stand in the stem but in no other choice.

    Such a word lets a learner pick the answer by matching text instead of knowing it:
    "Which option has *fsync = off*?" with the choice "fsync = off". When a wrong choice echoes
    the stem too ("6 partitions and 10 consumers": 6 or 10?), or the stem names every choice
    alike ("which of TCP, UDP or QUIC …"), matching words singles out nothing.
    """
    stem_words = content_words(stem)
    own = distinctive_words(answer, others)
    if all(content_words(choice) <= stem_words for choice in (answer, *others)):
        # The stem lists every choice, which favours none, unless a word of the answer stands
        # in it again ("… or 7 servers has *4 of 7*?").
        counts = Counter(word for word in words(stem) if _meaningful(word))
        return {word for word in own if counts[word] > 1}
    hits = own & stem_words
    if not hits:
        return set()
    rivals = [
        distinctive_words(other, [answer, *others[:i], *others[i + 1 :]]) & stem_words
        for i, other in enumerate(others)
    ]
    # A wrong choice that also echoes the stem leaves word-matching without a single pick.
    return set() if any(rivals) else hits


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


@functools.lru_cache(maxsize=4096)
def _side_meaning(side: str) -> frozenset[object]:
    """A side's words, each as its axis where it has one."""
    return frozenset(
        ("axis", _AXIS[word]) if word in _AXIS else ("word", word) for word in content_words(side)
    )


def near_synonym_tradeoffs(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether two trade-offs (their sides, see `text.tradeoff_sides`) mean about the same.

    True when every side of one matches a side of the other by a shared word or a word on the
    same axis, in either order: "Durability vs Performance" and "Safety vs Speed".
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
