"""The importer on Markdown written by other people, not in the series' own format.

Each fixture under tests/fixtures/foreign/ is a realistic page built around one structure the
importer reads outside the series' sections (trade-off callouts, Pros/Cons lists, comparison and
two-column tables, checklist tables, quiz headings, <details> pairs, question headings); these
tests pin the questions made from each, and that what cannot be asked is a warning, never an
error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.banks import Bank, QuestionSpec, Severity, build_bank, read_sources

FOREIGN = Path(__file__).resolve().parents[1] / "fixtures" / "foreign"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return build_bank(read_sources(FOREIGN))


def of(bank: Bank, article: str, kind: str | None = None) -> dict[str, QuestionSpec]:
    """The article's questions by key suffix (the part after `<article-key>:`)."""
    prefix = f"{article}:"
    return {
        q.key.removeprefix(prefix): q
        for q in bank.questions
        if q.article_key == article and (kind is None or q.kind == kind)
    }


def line_of(relative: str, needle: str, *, whole: bool = False) -> int:
    """The 1-based line of the fixture that holds `needle` (or is `needle`, when `whole`); the
    needle must stand on one line only."""
    lines = (FOREIGN / relative).read_text("utf-8").split("\n")
    found = [
        number
        for number, line in enumerate(lines, start=1)
        if (line == needle if whole else needle in line)
    ]
    assert len(found) == 1, f"{needle!r} is on lines {found} of {relative}"
    return found[0]


def _line(relative: str, number: int) -> str:
    return (FOREIGN / relative).read_text("utf-8").split("\n")[number - 1]


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces collapsed, to compare wrapped paragraphs."""
    return " ".join(text.split())


def answer_choice(question: QuestionSpec) -> str:
    assert question.correct is not None
    return question.choices[question.correct]


# --- the whole folder ----------------------------------------------------------------------------

ARTICLES = {
    "tradeoff-callouts.md": "tradeoff-callouts",
    "pros-cons-headings.md": "pros-cons-headings",
    "pros-cons-paragraphs.md": "pros-cons-paragraphs",
    "comparison-rows.md": "comparison-rows",
    "two-column-terms.md": "two-column-terms",
    "checklist-table.md": "checklist-table",
    "quiz.md": "quiz",
    "details-faq.md": "details-faq",
    "question-headings.md": "question-headings",
    "unaskable.md": "unaskable",
    "networking/README.md": "networking",
    "networking/notes.md": "networking-notes",
    "storage/notes.md": "storage-notes",
}


def test_every_fixture_is_read_with_a_key_from_its_path(bank: Bank) -> None:
    on_disk = sorted(path.relative_to(FOREIGN).as_posix() for path in FOREIGN.rglob("*.md"))
    assert on_disk == sorted(ARTICLES)
    keys = {article.path: article.key for article in bank.articles}
    assert keys == {f"foreign/{relative}": key for relative, key in ARTICLES.items()}


def test_the_folder_has_no_errors(bank: Bank) -> None:
    assert bank.errors == ()


def test_every_fixture_but_unaskable_makes_questions(bank: Bank) -> None:
    counts = {key: len(of(bank, key)) for key in ARTICLES.values()}
    assert counts["unaskable"] == 0
    assert [key for key, count in counts.items() if count == 0] == ["unaskable"]


def test_only_the_unaskable_shapes_are_reported(bank: Bank) -> None:
    located = sorted((p.path, p.line) for p in bank.problems)
    # unaskable.md may also say on line 1 that it has no questions at all.
    located = [place for place in located if place != ("foreign/unaskable.md", 1)]
    assert located == [
        ("foreign/quiz.md", line_of("quiz.md", "Which settings make COMMIT wait")),
        ("foreign/unaskable.md", line_of("unaskable.md", "| Metric |")),
        ("foreign/unaskable.md", line_of("unaskable.md", "<details>")),
        ("foreign/unaskable.md", line_of("unaskable.md", "Which of these should we scale")),
    ]
    assert all(p.severity is Severity.WARNING for p in bank.problems)


def test_question_keys_are_prefixed_by_their_article_and_unique(bank: Bank) -> None:
    keys = [q.key for q in bank.questions]
    assert len(keys) == len(set(keys))
    for question in bank.questions:
        assert question.key.startswith(f"{question.article_key}:")
        assert question.path == f"foreign/{_relative(question.article_key)}"
    assert bank.duplicates == ()


def _relative(article_key: str) -> str:
    return next(relative for relative, key in ARTICLES.items() if key == article_key)


# --- 1. **Tradeoff:** callouts -------------------------------------------------------------------

CALLOUTS = "tradeoff-callouts.md"


def test_tradeoff_callouts_become_tradeoff_notes(bank: Bank) -> None:
    notes = of(bank, "tradeoff-callouts")
    assert {q.kind for q in notes.values()} == {"tradeoff_note"}
    expected = {
        "tradeoff_note:replicate-data-across-availability-zones": (
            "Replicate data across availability zones",
            "**Tradeoff:** Every commit waits",
            "Every commit waits for the replica in the other zone to confirm, so write latency "
            "grows by the inter-zone round trip, and some providers bill the data sent between "
            "zones.",
        ),
        # Two callouts under one heading make one card, one bullet each: the question "What
        # trade-off comes with …?" must have one answer.
        "tradeoff_note:use-read-replicas-to-scale-reads": (
            "Use read replicas to scale reads",
            "**Tradeoff**: Replicas lag",
            "- Replicas lag behind the primary, so a read sent to a replica can miss a write that "
            "was just acknowledged. Flows that must read their own writes have to query the "
            "primary. - Each replica holds a full copy of the data, so storage and compute costs "
            "grow with every replica you add.",
        ),
        "tradeoff_note:choose-a-backup-frequency": (
            "Choose a backup frequency",
            "**Trade-off:** A shorter RPO",
            "A shorter RPO means more frequent backups or continuous log archiving, which costs "
            "storage and adds I/O load on the primary while backups run.",
        ),
        "tradeoff_note:store-backups-in-another-region": (
            "Store backups in another region",
            "> [!NOTE]",  # the quoted paragraph starts on the admonition line
            "Cross-region copies are billed for transfer and storage, and restoring from the "
            "other region takes longer than restoring from a local copy.",
        ),
    }
    assert sorted(notes) == sorted(expected)
    for suffix, (heading, line_text, answer) in expected.items():
        note = notes[suffix]
        assert note.prompt == f"What trade-off comes with *{heading}*?"
        assert words(note.answer) == answer
        assert note.line == line_of(CALLOUTS, line_text)
        assert note.choices == ()
        assert note.correct is None


def test_quoted_callout_loses_its_admonition_marks(bank: Bank) -> None:
    note = of(bank, "tradeoff-callouts")["tradeoff_note:store-backups-in-another-region"]
    assert "[!NOTE]" not in note.answer
    assert ">" not in note.answer
    assert "Tradeoff" not in note.answer


def test_other_callouts_and_plain_sections_are_not_tradeoffs(bank: Bank) -> None:
    notes = of(bank, "tradeoff-callouts")
    # "**Risk:**" is a callout too, but not a trade-off; "Rehearse restores" has none.
    assert not any("restarts empty" in q.answer for q in notes.values())
    assert not any("cache" in q.key or "rehearse" in q.key for q in notes.values())
    assert not any(q.answer.startswith(("**", "Tradeoff", "Trade-off")) for q in notes.values())


# --- 2. Pros / Cons headings ---------------------------------------------------------------------

HEADINGS = "pros-cons-headings.md"


def test_pros_cons_headings_make_one_card_per_list(bank: Bank) -> None:
    cards = of(bank, "pros-cons-headings")
    assert {q.kind for q in cards.values()} == {"pros_cons"}
    expected = {
        # key suffix: (prompt, heading line, bullets)
        "pros_cons:master-slave-replication:pros": (
            "What are the advantages of *Master-slave replication*?",
            "#### Pros",
            3,
        ),
        "pros_cons:master-slave-replication:cons": (
            "What are the disadvantages of *master-slave replication*?",
            "##### Disadvantage(s): master-slave replication",
            3,
        ),
        "pros_cons:master-master-replication:pros": (
            "What are the advantages of *Master-master replication*?",
            "#### Advantages",
            2,
        ),
        "pros_cons:master-master-replication:cons": (
            "What are the disadvantages of *Master-master replication*?",
            "#### Disadvantages",
            3,
        ),
        "pros_cons:federation:pros": (
            "What are the advantages of *federation*?",
            "#### Advantages of federation",
            3,
        ),
        "pros_cons:federation:cons": (
            "What are the disadvantages of *federation*?",
            "#### Disadvantages of federation",
            3,
        ),
        "pros_cons:sharding:pros": ("What are the advantages of *Sharding*?", "#### Pros", 3),
        "pros_cons:sharding:cons": ("What are the disadvantages of *Sharding*?", "#### Cons", 3),
    }
    assert sorted(cards) == sorted(expected)
    pros_lines = [
        number
        for number, line in enumerate((FOREIGN / HEADINGS).read_text().split("\n"), start=1)
        if line == "#### Pros"
    ]
    for suffix, (prompt, heading, count) in expected.items():
        card = cards[suffix]
        assert card.prompt == prompt
        bullets = [line for line in card.answer.split("\n") if line.startswith("* ")]
        assert len(bullets) == count, suffix
        if heading == "#### Pros":
            assert card.line == pros_lines[0 if "master" in suffix else 1]
        else:
            assert card.line == line_of(HEADINGS, heading, whole=True)


def test_pros_cons_answers_are_the_lists_as_written(bank: Bank) -> None:
    cards = of(bank, "pros-cons-headings")
    assert cards["pros_cons:master-slave-replication:pros"].answer == (
        "* Read capacity grows by adding slaves.\n"
        "* Backups and heavy analytical queries can run on a slave without slowing the master.\n"
        "* A warm copy of the data is ready to take over when the master fails."
    )
    cons = cards["pros_cons:master-slave-replication:cons"].answer
    assert cons.startswith("* All writes still go through one server")
    # A bullet wrapped onto a second line stays part of the answer.
    assert words(cons).endswith(
        "writes not yet replicated are lost when replication is asynchronous."
    )
    # The prose under the option heading is not part of any list's answer.
    assert not any("streams its changes" in q.answer for q in cards.values())


def test_pros_and_cons_of_one_option_are_siblings(bank: Bank) -> None:
    cards = of(bank, "pros-cons-headings")
    for option in (
        "master-slave-replication",
        "master-master-replication",
        "federation",
        "sharding",
    ):
        pros, cons = cards[f"pros_cons:{option}:pros"], cards[f"pros_cons:{option}:cons"]
        assert pros.sibling_group == cons.sibling_group
        assert pros.sibling_group == f"pros-cons-headings:pros_cons:{option}"
    groups = {q.sibling_group for q in cards.values()}
    assert len(groups) == 4


# --- 3. Pros / Cons paragraphs -------------------------------------------------------------------

PARAGRAPHS = "pros-cons-paragraphs.md"


def test_pros_label_paragraph_takes_the_list_below(bank: Bank) -> None:
    cards = of(bank, "pros-cons-paragraphs")
    pros = cards["pros_cons:secondary-b-tree-index-on-customer-id:pros"]
    assert pros.kind == "pros_cons"
    assert pros.prompt == "What are the advantages of *Secondary B-tree index on customer_id*?"
    assert pros.answer == (
        "- Lookups by `customer_id` take logarithmic time instead of a full table scan.\n"
        "- The same index serves range conditions and `ORDER BY customer_id`.\n"
        "- It is a one-line change that every engineer on the team understands."
    )
    first_pros = [
        number
        for number, line in enumerate((FOREIGN / PARAGRAPHS).read_text().split("\n"), start=1)
        if line == "**Pros:**"
    ]
    assert pros.line == first_pros[0]
    covering = cards["pros_cons:covering-index:pros"]
    assert covering.prompt == "What are the advantages of *Covering index*?"
    assert covering.line == first_pros[1]
    assert covering.answer.count("\n- ") == 1


def test_inline_cons_paragraph_is_its_own_answer(bank: Bank) -> None:
    cards = of(bank, "pros-cons-paragraphs")
    cons = cards["pros_cons:secondary-b-tree-index-on-customer-id:cons"]
    assert cons.prompt == "What are the disadvantages of *Secondary B-tree index on customer_id*?"
    assert cons.answer == "slower writes, more storage"
    assert cons.line == line_of(PARAGRAPHS, "**Cons:** slower writes")
    assert (
        cons.sibling_group
        == cards["pros_cons:secondary-b-tree-index-on-customer-id:pros"].sibling_group
    )


def test_cons_label_paragraph_takes_the_list_below(bank: Bank) -> None:
    cons = of(bank, "pros-cons-paragraphs")["pros_cons:covering-index:cons"]
    assert cons.prompt == "What are the disadvantages of *Covering index*?"
    assert cons.answer.startswith("- The index is wider")
    assert cons.answer.count("\n- ") == 2


def test_inline_pros_paragraph_wrapped_over_two_lines(bank: Bank) -> None:
    pros = of(bank, "pros-cons-paragraphs")["pros_cons:partial-index:pros"]
    assert pros.prompt == "What are the advantages of *Partial index*?"
    assert words(pros.answer) == (
        "a small index that is cheap to keep up to date, because rows outside the predicate "
        "never touch it"
    )
    assert pros.line == line_of(PARAGRAPHS, "**Pros:** a small index")


def test_cons_label_with_the_colon_outside_the_bold(bank: Bank) -> None:
    # "**Cons**: …" is as common as "**Cons:** …" (and is accepted for **Tradeoff**:).
    cards = of(bank, "pros-cons-paragraphs")
    assert "pros_cons:partial-index:cons" in cards
    cons = cards["pros_cons:partial-index:cons"]
    assert cons.prompt == "What are the disadvantages of *Partial index*?"
    assert words(cons.answer) == (
        "the planner uses it only when the query's own `WHERE` clause implies the index "
        "predicate, so a query written slightly differently falls back to a scan"
    )
    assert cons.line == line_of(PARAGRAPHS, "**Cons**: the planner")
    assert cons.sibling_group == cards["pros_cons:partial-index:pros"].sibling_group


def test_prose_paragraphs_are_not_pros_or_cons(bank: Bank) -> None:
    cards = of(bank, "pros-cons-paragraphs")
    assert {q.kind for q in cards.values()} == {"pros_cons"}
    assert not any("doing-nothing" in key for key in cards)
    assert not any("We went with" in q.answer for q in cards.values())


# --- 4. Comparison tables ------------------------------------------------------------------------

ROWS = "comparison-rows.md"
STRATEGIES = ("Write-through", "Write-back", "Write-around")
WRITES = "table:choosing-a-write-strategy"
STANDBY = "table:protecting-write-back-data-with-a-standby"
# The 2-option table, cell by cell: aspect -> (synchronous, asynchronous).
REPLICATION = {
    "Acknowledgement": (
        "Sent after the standby confirms the write",
        "Sent as soon as the primary has the write",
    ),
    "Write latency": ("Adds a network round trip to the standby", "Unchanged"),
    "Writes lost on failover": (
        "None that were acknowledged",
        "The most recent ones, not yet copied",
    ),
    "Standby slow or unreachable": (
        "Writes stall until it answers or is dropped",
        "The copy falls behind; writes carry on",
    ),
}


def test_rows_table_asks_which_strategy_for_telling_cells_only(bank: Bank) -> None:
    which = of(bank, "comparison-rows", "table_which")
    assert sorted(which) == sorted(
        [
            f"{WRITES}:write-path:which:write-through",
            f"{WRITES}:write-path:which:write-back",
            # Write-around's write path names it ("go around the cache"): not asked.
            f"{WRITES}:write-latency:which:write-through",
            f"{WRITES}:write-latency:which:write-back",
            f"{WRITES}:write-latency:which:write-around",
            # Write-around's data-loss cell is blank ("—"), so it may not stand as a wrong
            # choice, and a question between the two others would be a coin flip: none asked.
            # "Hit" reads like "Hit: the cache already holds the new value": neither asked.
            f"{WRITES}:first-read-after-a-write:which:write-around",
        ]
    )
    for question in which.values():
        assert set(question.choices) == set(STRATEGIES)
        assert len(question.choices) == 3


def test_which_question_wording_answer_and_line(bank: Bank) -> None:
    which = of(bank, "comparison-rows", "table_which")
    latency = which[f"{WRITES}:write-latency:which:write-back"]
    assert latency.prompt == (
        "Write latency: *Lowest: a single in-memory write*. Which strategy is this?"
    )
    assert answer_choice(latency) == "Write-back"
    assert latency.answer == "**Write-back** — Write latency: Lowest: a single in-memory write"
    assert latency.line == line_of(ROWS, "| Write-back |")
    assert latency.sibling_group == f"comparison-rows:{WRITES}:write-latency"
    assert "- **Write-around**: Same as writing to the database alone" in latency.explanation

    assert not any("Every write not yet flushed" in q.prompt for q in which.values())

    first_read = which[f"{WRITES}:first-read-after-a-write:which:write-around"]
    assert answer_choice(first_read) == "Write-around"
    assert first_read.line == line_of(ROWS, "| Write-around |")


def test_example_and_used_by_rows_are_not_quizzed(bank: Bank) -> None:
    keys = of(bank, "comparison-rows")
    assert not any(":example:" in key or ":used-by:" in key for key in keys)
    assert not any("audit log" in q.prompt or "Redis replicas" in q.prompt for q in keys.values())


def test_compare_questions_cover_every_quizzed_row(bank: Bank) -> None:
    compare = of(bank, "comparison-rows", "table_compare")
    assert sorted(compare) == sorted(
        [
            f"{WRITES}:write-path:compare",
            f"{WRITES}:write-latency:compare",
            f"{WRITES}:data-lost-if-a-cache-node-dies:compare",
            f"{WRITES}:first-read-after-a-write:compare",
            f"{STANDBY}:acknowledgement:compare",
            f"{STANDBY}:write-latency:compare",
            f"{STANDBY}:writes-lost-on-failover:compare",
            f"{STANDBY}:standby-slow-or-unreachable:compare",
        ]
    )
    card = compare[f"{WRITES}:write-latency:compare"]
    assert (
        card.prompt == "Compare *Write-through*, *Write-back* and *Write-around* on *Write latency*"
    )
    assert card.answer == (
        "Write latency:\n\n"
        "- **Write-through**: Highest: the request waits for both stores\n"
        "- **Write-back**: Lowest: a single in-memory write\n"
        "- **Write-around**: Same as writing to the database alone"
    )
    # The blank cell is listed as a dash, never asked about.
    lost = compare[f"{WRITES}:data-lost-if-a-cache-node-dies:compare"]
    assert lost.answer.endswith(
        "- **Write-back**: Every write not yet flushed\n- **Write-around**: —"
    )
    standby = compare[f"{STANDBY}:write-latency:compare"]
    assert standby.prompt == (
        "Compare *Synchronous replication* and *Asynchronous replication* on *Write latency*"
    )
    assert standby.line == line_of(ROWS, "| Write latency | Adds a network round trip")


def test_two_option_table_asks_which_side(bank: Bank) -> None:
    side = of(bank, "comparison-rows", "table_side")
    assert of(bank, "comparison-rows", "table_which").keys().isdisjoint(side)
    names = ("Synchronous replication", "Asynchronous replication")
    expected = {
        f"{STANDBY}:{aspect.lower().replace(' ', '-')}:which:{name.lower().replace(' ', '-')}"
        for aspect in REPLICATION
        for name in names
    }
    assert set(side) <= expected and side
    for key, question in side.items():
        ours = 0 if key.endswith(":which:synchronous-replication") else 1
        option, other = names[ours], names[1 - ours]
        assert question.prompt == f"Which of these is true of *{option}*, not *{other}*?"
        assert len(question.choices) in (3, 4)
        aspect = next(a for a in REPLICATION if f":{a.lower().replace(' ', '-')}:" in key)
        assert answer_choice(question) == f"**{aspect}:** {REPLICATION[aspect][ours]}"
        assert question.line == line_of(ROWS, f"| {aspect} | {REPLICATION[aspect][0]} |")
        # Every wrong choice is true of the other option, each from another row: two choices
        # under one row label would tell the learner the answer is one of those two.
        theirs = {f"**{a}:** {cells[1 - ours]}" for a, cells in REPLICATION.items()}
        wrong = [c for i, c in enumerate(question.choices) if i != question.correct]
        assert set(wrong) <= theirs, key
        labels = [choice.split(":**")[0] for choice in question.choices]
        assert len(set(labels)) == len(labels)


# --- 5. Two-column tables ------------------------------------------------------------------------

TERMS = "two-column-terms.md"
GLOSSARY = {
    "Quorum": "quorum",
    "Fencing token": "fencing-token",
    "Split brain": "split-brain",
    "Tombstone": "tombstone",
    "Write-ahead log": "write-ahead-log",
    "Hinted handoff": "hinted-handoff",
}
BREAKER = "Put a circuit breaker around flaky dependencies"
ADVICE = {
    "Set a timeout on every remote call": "set-a-timeout-on-every-remote-call",
    "Retry with exponential backoff and jitter": "retry-with-exponential-backoff-and-jitter",
    "Put a circuit breaker around flaky dependencies": (
        "put-a-circuit-breaker-around-flaky-dependencies"
    ),
    "Send an idempotency key with each write": "send-an-idempotency-key-with-each-write",
}


def test_every_row_is_a_term_card(bank: Bank) -> None:
    terms = of(bank, "two-column-terms", "term")
    expected = {f"table:glossary:{slug}:term": term for term, slug in GLOSSARY.items()} | {
        f"table:client-recommendations:{slug}:term": term for term, slug in ADVICE.items()
    }
    assert sorted(terms) == sorted(expected)
    for suffix, term in expected.items():
        card = terms[suffix]
        if term in GLOSSARY:
            assert card.prompt == f"What is *{term}*?"
        else:
            assert card.prompt == f"What is the benefit of *{term}*?"
        assert card.answer.startswith(f"**{term}** — ")
        assert card.line == line_of(TERMS, f"| {term} |")
    split = terms["table:glossary:split-brain:term"]
    assert split.answer == (
        "**Split brain** — Two nodes both believing they are the leader and accepting writes, "
        "usually after a network partition"
    )


def test_term_which_asks_for_the_term_of_a_definition(bank: Bank) -> None:
    which = of(bank, "two-column-terms", "term_which")
    tombstone = which["table:glossary:tombstone:which"]
    assert tombstone.prompt == (
        "Which term matches this definition: *A marker written in place of deleted data, so "
        "that replicas and compaction learn of the deletion instead of bringing the old value "
        "back*?"
    )
    assert answer_choice(tombstone) == "Tombstone"
    assert tombstone.line == line_of(TERMS, "| Tombstone |")
    for suffix, question in which.items():
        table = GLOSSARY if ":glossary:" in suffix else ADVICE
        assert len(question.choices) == 4
        assert len(set(question.choices)) == 4
        assert set(question.choices) <= set(table)
        assert table[answer_choice(question)] == suffix.split(":")[2]
        assert question.sibling_group == f"two-column-terms:{suffix.removesuffix(':which')}"


def test_term_which_for_recommendations_names_the_benefit(bank: Bank) -> None:
    which = of(bank, "two-column-terms", "term_which")
    for term, slug in ADVICE.items():
        question = which[f"table:client-recommendations:{slug}:which"]
        assert question.prompt.startswith("Which recommendation matches this benefit: *")
        assert answer_choice(question) == term
    breaker = which[f"table:client-recommendations:{ADVICE[BREAKER]}:which"]
    assert breaker.prompt == (
        "Which recommendation matches this benefit: *Calls fail fast while the downstream "
        "service is down, saving threads and giving it room to recover*?"
    )


def test_term_which_skips_a_definition_that_names_its_term(bank: Bank) -> None:
    which = of(bank, "two-column-terms", "term_which")
    # "An append-only log of changes …" says "log": the stem would give "Write-ahead log" away.
    assert "table:glossary:write-ahead-log:which" not in which
    for slug in ("quorum", "fencing-token", "split-brain", "tombstone"):
        assert f"table:glossary:{slug}:which" in which


def test_term_which_skips_a_definition_that_names_its_term_in_another_form(bank: Bank) -> None:
    which = of(bank, "two-column-terms", "term_which")
    # "… keeps a hint, and forwards them …": "hint" points straight at "Hinted handoff".
    assert "table:glossary:hinted-handoff:which" not in which


# --- 6. Checklist written as a table -------------------------------------------------------------

CHECKLIST = "checklist-table.md"
CHECKLIST_ITEMS = {
    "RE:01": ("design-checklist", "Define availability and recovery targets"),
    "RE:02": ("design-checklist", "Identify and rank critical flows"),
    "RE:03": ("design-checklist", "Perform failure mode analysis"),
    "RE:04": ("design-checklist", "Add redundancy at every tier"),
    "RE:05": ("design-checklist", "Handle transient faults"),
    "RE:06": ("design-checklist", "Test with fault injection"),
    "RE:07": ("design-checklist", "Rehearse disaster recovery"),
    "RE:08": ("monitoring-checklist", "Alert on symptoms that users feel"),
    "RE:09": ("monitoring-checklist", "Model the health of each flow"),
    "RE:10": ("monitoring-checklist", "Link a runbook to every alert"),
}


def test_checklist_rows_become_recall_cards(bank: Bank) -> None:
    cards = of(bank, "checklist-table")
    expected = {
        f"checklist:{caption}:{code.lower().replace(':', '-')}": (code, lead)
        for code, (caption, lead) in CHECKLIST_ITEMS.items()
    }
    assert sorted(cards) == sorted(expected)
    for suffix, (code, lead) in expected.items():
        card = cards[suffix]
        assert card.kind == "recall"
        assert card.prompt == (
            f"{code}: what does the checklist item *{lead}* ask of you, and why?"
        )
        assert card.line == line_of(CHECKLIST, f"| {code} |")
        assert lead not in card.answer
        assert not card.answer.startswith(("**", ".", ":"))
        assert "&#9744;" not in card.answer and "\u2610" not in card.answer
        assert code not in card.answer


def test_checklist_answer_is_the_explanation(bank: Bank) -> None:
    card = of(bank, "checklist-table")["checklist:design-checklist:re-04"]
    assert card.answer == (
        "Run at least two instances of each component, spread across availability zones, so "
        "that losing one instance or one zone does not take a critical flow down."
    )


# --- 7. Files of one name in two folders ---------------------------------------------------------


def test_same_file_names_in_two_folders_get_distinct_keys(bank: Bank) -> None:
    articles = {article.key: article for article in bank.articles}
    assert articles["networking"].path == "foreign/networking/README.md"
    assert articles["networking-notes"].path == "foreign/networking/notes.md"
    assert articles["storage-notes"].path == "foreign/storage/notes.md"
    # Both notes pages are titled "Notes"; their keys still differ.
    assert articles["networking-notes"].title == articles["storage-notes"].title == "Notes"


def test_readme_stands_for_its_folder(bank: Bank) -> None:
    notes = of(bank, "networking")
    assert sorted(notes) == ["tradeoff_note:connection-reuse", "tradeoff_note:health-checks"]
    reuse = notes["tradeoff_note:connection-reuse"]
    assert reuse.key == "networking:tradeoff_note:connection-reuse"
    assert reuse.prompt == "What trade-off comes with *Connection reuse*?"
    assert words(reuse.answer).startswith(
        "Idle pooled connections hold memory and file descriptors"
    )
    assert reuse.line == line_of("networking/README.md", "**Tradeoff:** Idle pooled")


def test_networking_notes_questions(bank: Bank) -> None:
    faq = of(bank, "networking-notes")
    assert {q.kind for q in faq.values()} == {"recall"}
    assert sorted(faq) == sorted(
        [
            "faq:why-does-tcp-open-a-connection-with-a-three-way-handshake",
            "faq:what-is-the-time-wait-state-for",
            "faq:why-do-we-see-thousands-of-sockets-in-time-wait-on-our-proxies",
            "faq:what-does-nagle-s-algorithm-do",
            "faq:what-does-a-connection-reset-mean",
            "faq:why-does-a-new-connection-start-slowly",
        ]
    )
    time_wait = faq["faq:what-is-the-time-wait-state-for"]
    assert time_wait.prompt == "What is the TIME_WAIT state for?"
    assert time_wait.key == "networking-notes:faq:what-is-the-time-wait-state-for"


def test_storage_notes_questions(bank: Bank) -> None:
    cards = of(bank, "storage-notes")
    assert sorted(cards) == sorted(
        [
            "pros_cons:block-storage:pros",
            "pros_cons:block-storage:cons",
            "pros_cons:object-storage:pros",
            "pros_cons:object-storage:cons",
        ]
    )
    assert cards["pros_cons:object-storage:cons"].prompt == (
        "What are the disadvantages of *Object storage*?"
    )
    assert cards["pros_cons:block-storage:pros"].sibling_group == (
        "storage-notes:pros_cons:block-storage"
    )


# --- 8. Quiz headings ----------------------------------------------------------------------------

QUIZ = "quiz.md"


def test_quiz_headings_become_authored_multiple_choice(bank: Bank) -> None:
    quiz = of(bank, "quiz")
    assert {q.kind for q in quiz.values()} == {"authored"}
    # The third question ticks two boxes: it is numbered but left out.
    assert sorted(quiz) == ["authored:1", "authored:2", "authored:4", "authored:5"]
    expected = {
        "authored:1": (
            "Which anomaly does REPEATABLE READ prevent in PostgreSQL that READ COMMITTED allows?",
            "A row read twice gives two values",
            {"Dirty reads", "Write skew", "Committed rows lost after a crash"},
        ),
        "authored:2": (
            "A transaction runs SELECT ... FOR UPDATE on a row that another open transaction has "
            "locked. What happens by default?",
            "It waits until the lock holder commits or rolls back",
            {
                "It reads the last committed version and carries on",
                "It fails at once with a lock error",
                "It skips the locked row and returns the others",
            },
        ),
        "authored:4": (
            "Two clients read a row at version 7 and both send `UPDATE ... SET version = 8 WHERE "
            "id = 42 AND version = 7`. What happens?",
            "One succeeds; the other updates zero rows and must start over",
            {
                "Both updates succeed and the later one silently wins",
                "Both updates fail and both clients must retry",
                "The database merges the two changes into one row version",
            },
        ),
        "authored:5": (
            "What is the classic weakness of two-phase commit?",
            "Participants that voted yes stay blocked if the coordinator fails",
            {
                "It cannot commit atomically across more than two databases",
                "It lets one participant commit while another one aborts",
                "It needs every participant to run the same database engine",
            },
        ),
    }
    for suffix, (prompt, right, wrong) in expected.items():
        question = quiz[suffix]
        assert question.prompt == prompt
        assert answer_choice(question) == right
        assert question.answer == right
        assert set(question.choices) == {right, *wrong}
        assert question.line == line_of(QUIZ, f"## {prompt}", whole=True)


def test_quiz_explanations(bank: Bank) -> None:
    quiz = of(bank, "quiz")
    assert words(quiz["authored:1"].explanation).startswith(
        "Under READ COMMITTED every statement takes a fresh snapshot"
    )
    assert words(quiz["authored:1"].explanation).endswith("only prevented by SERIALIZABLE.")
    # A bold "**Explanation:**" label is dropped like a plain one.
    assert quiz["authored:2"].explanation.startswith("Without `NOWAIT` or `SKIP LOCKED`")
    assert "Explanation" not in quiz["authored:2"].explanation
    assert "optimistic concurrency control" in words(quiz["authored:4"].explanation)
    assert quiz["authored:5"].explanation == ""


def test_quiz_question_with_two_ticks_is_a_located_warning(bank: Bank) -> None:
    line = line_of(QUIZ, "Which settings make COMMIT wait")
    [problem] = [p for p in bank.problems if p.path == "foreign/quiz.md"]
    assert problem.severity is Severity.WARNING
    assert problem.line == line
    assert "2 choices are marked [x]" in problem.message
    assert str(problem).startswith(f"foreign/quiz.md:{line}: warning: ")
    assert not any("COMMIT wait" in q.prompt for q in bank.questions)


def test_quiz_is_not_self_assessment(bank: Bank) -> None:
    assert not any(q.kind == "self_assessment" for q in bank.questions)


# --- 9. <details> pairs --------------------------------------------------------------------------

DETAILS = "details-faq.md"


def test_details_pairs_become_recall_cards(bank: Bank) -> None:
    cards = of(bank, "details-faq")
    assert {q.kind for q in cards.values()} == {"recall"}
    expected = {
        "details:1": (
            "What is the difference between `no-cache` and `no-store`?",
            "What is the difference between",
        ),
        "details:2": ("What does an ETag let a client do?", "What does an ETag"),
        "details:3": ("What does `Cache-Control: max-age=600` mean?", "max-age=600"),
        "details:4": ("Which caches obey `s-maxage`?", "Which caches obey"),
        "details:5": (
            "Why do our responses send `Vary: Accept-Encoding`?",
            "Why do our responses",
        ),
        "details:6": ("When is `stale-while-revalidate` useful?", "When is <code>stale"),
    }
    assert sorted(cards) == sorted(expected)
    for suffix, (prompt, needle) in expected.items():
        card = cards[suffix]
        assert card.prompt == prompt
        summary = line_of(DETAILS, needle)
        # A <details> opened on a line of its own is located there, the line above its summary.
        opener = summary if "<details><summary>" in _line(DETAILS, summary) else summary - 1
        assert _line(DETAILS, opener).startswith("<details>")
        assert card.line == opener
        for tag in ("<details", "</details>", "<summary", "</summary>"):
            assert tag not in card.answer


def test_compact_details_answers(bank: Bank) -> None:
    cards = of(bank, "details-faq")
    assert words(cards["details:2"].answer) == (
        "Send the tag back in an `If-None-Match` header. If the resource has not "
        "changed, the server answers `304 Not Modified` with no body, which saves "
        "bandwidth but not the round trip."
    )
    # All on one line: summary, answer and closing tag.
    assert cards["details:6"].answer == (
        "When a slightly stale answer is acceptable: the cache serves the stale response "
        "immediately and revalidates it in the background, so users do not wait for the origin."
    )


def test_spaced_details_answers_keep_their_paragraphs(bank: Bank) -> None:
    cards = of(bank, "details-faq")
    max_age = cards["details:3"].answer
    assert max_age.split("\n\n") == [
        "The response stays fresh for 600 seconds after the origin generated it. While it is "
        "fresh, a\ncache may serve it without contacting the origin at all.",
        "Once it is stale, the cache must revalidate it before reuse, unless a directive such "
        "as\n`stale-while-revalidate` allows otherwise.",
    ]
    assert words(cards["details:4"].answer) == (
        "Only shared caches, such as CDNs and reverse proxies. For them it overrides `max-age` "
        "and `Expires`; a browser's private cache ignores it."
    )


# --- 10. Question headings -----------------------------------------------------------------------

FAQ = "question-headings.md"


def test_question_headings_become_recall_cards(bank: Bank) -> None:
    cards = of(bank, "question-headings")
    assert {q.kind for q in cards.values()} == {"recall"}
    headings = [
        "What does at-least-once delivery mean?",
        "Is exactly-once delivery possible?",
        "How does a Kafka consumer group share the work?",
        "Why is ordering only guaranteed within a partition?",
        "What is a dead-letter queue for?",
        "What happens when an SQS consumer does not delete a message in time?",
    ]
    assert sorted(cards) == sorted(
        [
            "faq:what-does-at-least-once-delivery-mean",
            "faq:is-exactly-once-delivery-possible",
            "faq:how-does-a-kafka-consumer-group-share-the-work",
            "faq:why-is-ordering-only-guaranteed-within-a-partition",
            "faq:what-is-a-dead-letter-queue-for",
            "faq:what-happens-when-an-sqs-consumer-does-not-delete-a-message-in-time",
        ]
    )
    by_prompt = {q.prompt: q for q in cards.values()}
    assert sorted(by_prompt) == sorted(headings)
    for heading in headings:
        assert by_prompt[heading].line == line_of(FAQ, f"### {heading}")


def test_question_heading_answer_takes_both_paragraphs(bank: Bank) -> None:
    cards = of(bank, "question-headings")
    paragraphs = cards["faq:what-does-at-least-once-delivery-mean"].answer.split("\n\n")
    assert len(paragraphs) == 2
    assert words(paragraphs[0]).startswith("The broker keeps delivering a message")
    assert words(paragraphs[1]) == (
        "The usual remedy is an idempotent consumer: record the IDs of processed messages, or "
        "make the side effect itself safe to repeat."
    )
    sqs = cards["faq:what-happens-when-an-sqs-consumer-does-not-delete-a-message-in-time"]
    assert words(sqs.answer) == (
        "A received message is hidden from other consumers for the visibility timeout, 30 "
        "seconds unless configured otherwise. If the consumer does not delete it before the "
        "timeout ends, the message becomes visible again and another consumer receives it."
    )
    # The answer stops at the next heading, whatever its level.
    dead_letter = cards["faq:what-is-a-dead-letter-queue-for"].answer
    assert "SQS" not in dead_letter and "#" not in dead_letter


def test_headings_that_ask_nothing_are_not_questions(bank: Bank) -> None:
    prompts = {q.prompt for q in of(bank, "question-headings").values()}
    for heading in ("Delivery guarantees", "Ordering and parallelism", "Failures"):
        assert heading not in prompts
    assert not any("Further reading" in p for p in prompts)


# --- 11. What cannot be asked --------------------------------------------------------------------

UNASKABLE = "unaskable.md"


def test_unaskable_shapes_are_located_warnings(bank: Bank) -> None:
    problems = [p for p in bank.problems if p.path == "foreign/unaskable.md"]
    assert all(p.severity is Severity.WARNING for p in problems)
    by_line = {p.line: p for p in problems if p.line != 1}
    table = line_of(UNASKABLE, "| Metric |")
    details = line_of(UNASKABLE, "<details>")
    quiz = line_of(UNASKABLE, "## Which of these should we scale")
    assert sorted(by_line) == [table, details, quiz]
    assert "needs at least 2 options" in by_line[table].message
    assert "<summary>" in by_line[details].message
    assert "2 choices are marked [x]" in by_line[quiz].message
    for line in (table, details, quiz):
        assert str(by_line[line]).startswith(f"foreign/unaskable.md:{line}: warning: ")
    assert of(bank, "unaskable") == {}


def test_unaskable_file_does_not_stop_the_others() -> None:
    sources = [
        source
        for source in read_sources(FOREIGN)
        if source.path in ("foreign/unaskable.md", "foreign/question-headings.md")
    ]
    assert [source.path for source in sources] == [
        "foreign/question-headings.md",
        "foreign/unaskable.md",
    ]
    alone = build_bank([sources[0]])
    together = build_bank(sources)
    assert together.errors == ()
    assert together.questions == alone.questions
    assert len(together.questions) == 6
    # Listed first, the unaskable file still holds nothing back.
    reordered = build_bank([sources[1], sources[0]])
    assert [q.key for q in reordered.questions] == [q.key for q in alone.questions]
