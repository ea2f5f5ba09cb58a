"""Anki's text format (its headers) and plain CSV with a header row: notes, decks, tags and GUIDs
as the file says; every problem with its line; a second import adds nothing."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.domain.anki.text import TextError, parse_text
from app.extensions import db
from app.models import Question, Track
from app.services.errors import ValidationError
from app.services.interop.anki_import import plan_import, read_upload
from app.services.interop.owners import Owner
from tests.factories import NOW, make_user

ANKI_TEXT = (
    "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
    "#tags column:6\n"
    "g1\tBasic\tNet::TCP\tWhat does <b>SYN</b> open?\tA connection\ttcp handshake\n"
    "g2\tBasic (and reversed card)\tNet::TCP\tFIN\tCloses one direction\ttcp\n"
    "g3\tCloze\tNet::QUIC\t{{c1::QUIC}} runs over {{c2::UDP}}\tRFC 9000\tquic\n"
    "g4\tBasic\tNet::TCP\tAn orphan question\t\t\n"
)


def test_anki_text_with_its_headers():
    incoming = parse_text(ANKI_TEXT.encode())
    notes = {n.guid: n for n in incoming.notes}
    assert set(notes) == {"g1", "g2", "g3"}
    assert notes["g1"].tags == ("tcp", "handshake")
    assert notes["g1"].cards[0].prompt == "What does <b>SYN</b> open?"
    assert [c.prompt for c in notes["g2"].cards] == ["FIN", "Closes one direction"]
    assert [c.prompt for c in notes["g3"].cards] == ["[…] runs over UDP", "QUIC runs over […]"]
    assert notes["g3"].cards[0].deck == "Net::QUIC"
    assert incoming.problems.errors == ["line 10: the second field (the answer) is empty"]


def test_plain_csv_with_a_header_row_escapes_html_and_names_lines():
    text = (
        "question,answer,deck,tags\n"
        '"Why is <script> harmless here?","Escaped, since html is off",Web,xss\n'
        "Second,,Web,\n"
    )
    incoming = parse_text(text.encode())
    assert len(incoming.notes) == 1
    assert incoming.notes[0].cards[0].prompt == "Why is &lt;script&gt; harmless here?"
    assert incoming.problems.errors == ["line 3: the second field (the answer) is empty"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"front,back\n\xff\xfe,x\n", "line 2: the file is not UTF-8 text"),
        (b"#separator:weird\nA\tB\n", "unknown #separator"),
        (b"one,two\nA,B\n", "line 1: a CSV file needs a header row naming a 'front'"),
        (b"#separator:tab\n", "the file holds no notes"),
        (b"#separator:tab\n#guid column:x\nA\tB\n", "#guid column must be a column number"),
    ],
)
def test_bad_text_says_where_and_what(data, message):
    with pytest.raises(TextError, match=message):
        parse_text(data)


def test_a_text_import_twice_adds_nothing_the_second_time(app):
    owner = Owner(make_user().id)
    first = plan_import(
        read_upload(io.BytesIO(ANKI_TEXT.encode()), "net.txt"), owner, now=NOW, apply=True
    )
    db.session.commit()
    assert first.questions_added == 5  # 1 + 2 (reversed) + 2 (clozes)
    again = plan_import(
        read_upload(io.BytesIO(ANKI_TEXT.encode()), "net.txt"), owner, now=NOW, apply=True
    )
    db.session.commit()
    assert (again.questions_added, again.questions_unchanged) == (0, 5)
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 5
    titles = set(db.session.scalars(sa.select(Track.title)))
    assert titles == {"Net \u203a TCP", "Net \u203a QUIC"}
    with pytest.raises(ValidationError, match=r"net\.docx: not a file Rehearse imports"):
        read_upload(io.BytesIO(b"x"), "net.docx")
