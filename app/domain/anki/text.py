"""Anki's text format (as Anki exports "Notes in Plain Text") and plain CSV with a header row.

Anki's file starts with ``#key:value`` header lines: ``#separator`` (``tab``, ``comma``,
``semicolon``, ``pipe``, ``space``, ``colon`` or the character), ``#html:true|false``,
``#columns:`` (the column names, split by the separator), and ``#guid column``, ``#notetype
column``, ``#deck column`` and ``#tags column`` (1-based). Without ``#columns``, the columns that
are not guid, note type, deck or tags are the note's fields in order. A plain CSV's first row names
its columns: ``front``/``question``, ``back``/``answer``, and optionally ``deck``, ``tags``,
``guid`` and ``notetype``.

Note types by name: one containing "cloze" asks each cloze of its first field; one containing
"reversed" asks front→back and back→front; any other asks front→back.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re

from app.domain.anki.incoming import DEFAULT_DECK, Incoming, IncomingCard, IncomingNote
from app.domain.anki.notes import Problems, clean_html, cloze_numbers, cloze_sides

_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
_HEADER = re.compile(r"^#([a-z ]+):(.*)$")
_ALIASES = {"question": "front", "answer": "back", "note type": "notetype", "tag": "tags"}


class TextError(ValueError):
    pass


def _guid(*parts: str) -> str:
    return "t" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:15]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TextError(f"line {line}: the file is not UTF-8 text") from None


def parse_text(data: bytes) -> Incoming:
    text = _decode(data)
    lines = text.splitlines(keepends=True)
    headers: dict[str, str] = {}
    while lines and (found := _HEADER.match(lines[0].rstrip("\r\n"))):
        headers[found.group(1).strip()] = found.group(2)
        lines.pop(0)
    first_line = len(text.splitlines()) - len(lines) + 1
    body = "".join(lines)
    if not body.strip():
        raise TextError("the file holds no notes")
    separator = headers.get("separator")
    if separator is not None:
        separator = _SEPARATORS.get(separator.lower(), separator)
        if len(separator) != 1:
            raise TextError(f"line 1: unknown #separator {headers['separator']!r}")
    else:
        sample = body[:4096]
        separator = "\t" if "\t" in sample else max(",;|", key=sample.count)
    rows = list(csv.reader(io.StringIO(body), delimiter=separator))
    is_html = headers.get("html", "false").strip().lower() == "true"
    columns = _columns(headers, rows, separator)
    if not headers:
        first_line += 1  # the header row of a plain CSV
        rows = rows[1:]
    return _notes(rows, columns, is_html, first_line)


def _columns(headers: dict[str, str], rows: list[list[str]], separator: str) -> dict[str, object]:
    if headers:
        named: dict[str, object] = {}
        for name in ("guid", "notetype", "deck", "tags"):
            raw = headers.get(f"{name} column")
            if raw is not None:
                if not raw.strip().isdigit() or int(raw) < 1:
                    raise TextError(f"#{name} column must be a column number, not {raw!r}")
                named[name] = int(raw) - 1
        if "columns" in headers:
            names = [n.strip().lower() for n in headers["columns"].split(separator)]
            named["fields"] = [
                i for i, n in enumerate(names) if i not in named.values() and n != "tags"
            ]
            if "tags" in names and "tags" not in named:
                named["tags"] = names.index("tags")
        return named
    if not rows:
        raise TextError("the file holds no header row")
    names = [_ALIASES.get(n.strip().lower(), n.strip().lower()) for n in rows[0]]
    if "front" not in names:
        raise TextError(
            "line 1: a CSV file needs a header row naming a 'front' (or 'question') column"
        )
    named = {n: names.index(n) for n in ("guid", "notetype", "deck", "tags") if n in names}
    named["fields"] = [names.index("front")] + ([names.index("back")] if "back" in names else [])
    return named


def _notes(
    rows: list[list[str]], columns: dict[str, object], is_html: bool, first: int
) -> Incoming:
    problems = Problems()
    found: list[IncomingNote] = []
    field_columns = columns.get("fields")

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if isinstance(index, int) and index < len(row) else ""

    for offset, row in enumerate(rows):
        line = first + offset
        if not any(c.strip() for c in row):
            continue
        if isinstance(field_columns, list):
            fields = [row[i] if i < len(row) else "" for i in field_columns]
        else:
            taken = {v for k, v in columns.items() if k != "fields"}
            fields = [c for i, c in enumerate(row) if i not in taken]
        fields = [f if is_html else html.escape(f) for f in fields]
        notetype = cell(row, "notetype") or "Basic"
        deck = cell(row, "deck") or DEFAULT_DECK
        guid = cell(row, "guid") or _guid(notetype, deck, fields[0] if fields else "")
        note = IncomingNote(guid, notetype, 0, tuple(cell(row, "tags").split()), f"line {line}")
        front = clean_html(fields[0]) if fields else ""
        back = clean_html(fields[1]) if len(fields) > 1 else ""
        if not front:
            problems.errors.append(f"line {line}: the first field is empty")
            continue
        kind = notetype.lower()
        if "cloze" in kind:
            numbers = cloze_numbers(fields[0])
            if not numbers:
                problems.errors.append(f"line {line}: a cloze note without {{{{c1::…}}}}")
                continue
            note.cards = [_cloze_card(fields[0], n, back, deck) for n in numbers]
        else:
            if not back:
                problems.errors.append(f"line {line}: the second field (the answer) is empty")
                continue
            note.cards = [IncomingCard(0, deck, front, back)]
            if "revers" in kind:
                note.cards.append(IncomingCard(1, deck, back, front))
        found.append(note)
    return Incoming("text", found, problems)


def _cloze_card(text: str, number: int, extra: str, deck: str) -> IncomingCard:
    hidden, shown = cloze_sides(text, number)
    answer = clean_html(shown)
    if extra:
        answer = f"{answer}<br><br>{extra}"
    return IncomingCard(number - 1, deck, clean_html(hidden), answer)
