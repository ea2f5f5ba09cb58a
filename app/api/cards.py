"""API: the card browser — the caller's cards found a page at a time, and a selection changed."""

from __future__ import annotations

from flask import g

from app.api import bp
from app.api.schemas.cards import BrowsedCard, CardList, CardSearch, CardSelection, ChangedCards
from app.api.schemas.study import ArticleRef, CardStateName, KindName
from app.api.spec import responses, spec
from app.api.study import card_reply
from app.clock import now
from app.services import study


@bp.get("/cards")
@spec.validate(
    query=CardSearch,
    resp=responses({200: (CardList, "One page of cards")}, 404, 422),
    operation_id="listCards",
)
def list_cards(query: CardSearch) -> CardList:
    """The caller's cards, found and sorted, a page at a time

    Every question in the caller's tracks, with its card; a question not answered yet is new.
    Pages are keyset-paginated: pass the `after` of one page to get the next.
    """
    search = study.CardSearch(
        text=query.q,
        track=query.track,
        article=query.article,
        question=query.question,
        state=query.state,
        due_by=query.due_by,
        min_lapses=query.min_lapses,
        sort=query.sort,
    )
    page = study.browse(g.api_user.id, search, now=now(), limit=query.limit, after=query.after)
    return CardList(
        cards=[
            BrowsedCard(
                question_id=c.question_id,
                prompt=c.prompt,
                kind=KindName(c.kind),
                article=ArticleRef(key=c.article_key, title=c.article_title),
                state=CardStateName(c.state.name.lower()),
                due=c.due,
                suspended=c.suspended,
                buried=c.buried,
                leech=c.leech,
                flagged=c.flagged,
                lapses=c.lapses,
                reps=c.reps,
                version=c.version,
            )
            for c in page.cards
        ],
        total=page.total,
        after=page.after,
    )


@bp.post("/cards/<any(suspend, unsuspend, bury, unbury, flag, unflag, forget):action>")
@spec.validate(
    json=CardSelection,
    resp=responses({200: (ChangedCards, "The cards now")}, 404, 409, 422),
    operation_id="changeCards",
    path_parameter_descriptions={
        "action": "suspend: out of every queue until unsuspended; unsuspend: back, and no "
        "longer a leech; bury: until the caller's next study day; unbury: back today; flag / "
        "unflag: mark a card to find again; forget: back to new, its memory reset (the "
        "review history is kept)."
    },
)
def change_cards(action: str, json: CardSelection) -> ChangedCards:
    """Suspend, unsuspend, bury, unbury, flag, unflag or forget several cards at once

    All or none: a question outside the caller's tracks is a 404 and a card changed meanwhile a
    409, and then no card is changed.
    """
    cards = study.change_cards(
        g.api_user.id, json.question_ids, study.CardAction(action), now=now()
    )
    return ChangedCards(cards=[card_reply(card) for card in cards])
