"""What generators may know about the whole bank: related articles for key trade-off distractors.

A distractor is only worth its slot if a learner who does not know the answer could believe it.
So the other choices of "What is the key trade-off of X?" come from articles *related* to X (the
same part of the series, shared tags, shared words), never from a trade-off that means about the
same as X's (a near-synonym, or one that shares a side with it), and a trade-off already used as
a distractor many times is passed over for a fresher one, so no answer can be spotted by having
seen it everywhere. Everything is deterministic: the same bank always gives the same choices.

Relatedness is found through an inverted index (part, tag, word -> articles), ignoring entries
too common to mean anything, so building the context stays near-linear for thousands of articles.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.banks.generators.spec import MAX_CHOICES, stable_hash
from app.domain.banks.model import Article
from app.domain.banks.text import normalize_words, tradeoff_sides, tradeoff_signature
from app.domain.banks.wording import (
    conspicuously_longest,
    content_words,
    near_synonym_tradeoffs,
)

_COMMON = 64  # an index entry shared by more articles than this says nothing about relatedness
_SPARES = 16  # candidates kept to swap in when the right choice would stand out by length
_USAGE_PENALTY = 0.5  # per time a trade-off would be picked elsewhere


@dataclass(frozen=True)
class Relation:
    """Another article offered as a distractor: its title and its key trade-off."""

    key: str
    title: str
    tradeoff: str


def _too_close(ours: str, theirs: str) -> bool:
    """Whether two trade-offs cannot both stand as choices: the same, sharing a side
    ("Consistency vs Availability" and "Consistency vs Latency"), or meaning about the same, side
    for side ("Simplicity vs Performance" and "Speed vs Features")."""
    if tradeoff_signature(ours) == tradeoff_signature(theirs):
        return True
    a, b = tradeoff_sides(ours), tradeoff_sides(theirs)
    return bool(set(a) & set(b)) or near_synonym_tradeoffs(a, b)


def _features(article: Article) -> set[str]:
    features = {f"tag:{normalize_words(tag)}" for tag in article.tags}
    if article.series is not None and article.part is not None:
        features.add(f"part:{article.series}:{article.part}")
    if article.series is not None:
        features.add(f"series:{article.series}")
    words = content_words(article.title) | content_words(article.key_tradeoff or "")
    features |= {f"word:{word}" for word in words}
    return features


# How much sharing each kind of feature says about two articles being related.
_WEIGHTS = {"part": 4.0, "series": 1.0, "tag": 1.5, "word": 1.0}


def _weight(feature: str) -> float:
    return _WEIGHTS[feature.split(":", 1)[0]]


@dataclass
class GenerationContext:
    """Distractors for every article with a key trade-off, worked out once per bank."""

    forward: dict[str, tuple[Relation, ...]] = field(default_factory=dict)

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> GenerationContext:
        with_tradeoff = sorted(
            (article for article in articles if article.key_tradeoff), key=lambda a: a.key
        )
        features = {article.key: _features(article) for article in with_tradeoff}
        index: dict[str, list[int]] = defaultdict(list)
        for i, article in enumerate(with_tradeoff):
            for feature in features[article.key]:
                index[feature].append(i)
        ring = sorted(range(len(with_tradeoff)), key=lambda i: stable_hash(with_tradeoff[i].key))
        ring_hashes = [stable_hash(with_tradeoff[i].key) for i in ring]

        context = cls()
        position = {article.key: i for i, article in enumerate(with_tradeoff)}
        candidates: dict[str, list[Article]] = {}
        scores: dict[str, dict[int, float]] = {}
        for article in with_tradeoff:
            found: dict[int, float] = defaultdict(float)
            for feature in features[article.key]:
                posting = index[feature]
                if len(posting) > _COMMON:
                    continue
                for other in posting:
                    found[other] += _weight(feature)
            # Fill up from a hash ring so small or unrelated banks still get choices.
            start = bisect_left(ring_hashes, stable_hash("ring:" + article.key))
            for step in range(min(len(ring), 4 * MAX_CHOICES + 8)):
                found.setdefault(ring[(start + step) % len(ring)], 0.0)
            scores[article.key] = found
            candidates[article.key] = [
                with_tradeoff[i] for i in found if with_tradeoff[i].key != article.key
            ]
        # How often each article would be picked on relatedness alone: a popular one is passed
        # over for a fresher one. Counted over the whole bank, so the choices depend only on the
        # set of articles, never on the order they are read in.
        popular: dict[str, int] = defaultdict(int)
        for article in with_tradeoff:
            first = _pick(article, candidates[article.key], scores[article.key], position, {})
            for relation in first:
                popular[tradeoff_signature(relation.tradeoff)] += 1
        for article in with_tradeoff:
            context.forward[article.key] = _pick(
                article, candidates[article.key], scores[article.key], position, popular
            )
        return context

    def tradeoff_distractors(self, article: Article) -> tuple[Relation, ...]:
        """Other articles whose trade-offs stand beside `article`'s as wrong choices."""
        return self.forward.get(article.key, ())


def _pick(
    article: Article,
    candidates: list[Article],
    scores: dict[int, float],
    position: dict[str, int],
    popular: dict[str, int],
) -> tuple[Relation, ...]:
    """The best `MAX_CHOICES - 1` candidates: most related, least popular, none too close to
    the article's trade-off or to each other, no two with the same name."""
    ours = article.key_tradeoff or ""

    def rank(other: Article) -> tuple[float, int]:
        usage = tradeoff_signature(other.key_tradeoff or "")
        value = scores[position[other.key]] - _USAGE_PENALTY * popular.get(usage, 0)
        return -value, stable_hash(f"{article.key}\x00{other.key}")

    def text(item: Article) -> str:
        return item.key_tradeoff or ""

    picked: list[Article] = []
    spare: list[Article] = []
    titles = {normalize_words(article.tradeoff_name)}
    for other in sorted(candidates, key=rank):
        theirs = other.key_tradeoff or ""
        if _too_close(ours, theirs):
            continue
        if any(_too_close(theirs, chosen.key_tradeoff or "") for chosen in picked):
            continue
        title = normalize_words(other.tradeoff_name)
        if title in titles:
            continue
        if len(picked) == MAX_CHOICES - 1:
            spare.append(other)
            if len(spare) == _SPARES:
                break
            continue
        titles.add(title)
        picked.append(other)
    # "Pick the longest" must not find the answer: swap in a fitting spare if it would.
    if picked and conspicuously_longest(text(article), [text(o) for o in picked]):
        for other in spare:
            candidate = [*picked[:-1], other]
            if not conspicuously_longest(text(article), [text(o) for o in candidate]) and not any(
                _too_close(other.key_tradeoff or "", c.key_tradeoff or "") for c in picked[:-1]
            ):
                picked = candidate
                break
    return tuple(Relation(o.key, o.tradeoff_name, o.key_tradeoff or "") for o in picked)
