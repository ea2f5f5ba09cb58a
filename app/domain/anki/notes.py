"""Anki notes as Rehearse questions: what each card of a note asks and answers, in clean HTML.

* A note type with ordinary templates (Basic, Basic and reversed, Basic with an optional reverse,
  and any like them): each card becomes a recall question whose prompt is the fields its front
  template shows and whose answer is the fields its back template adds.
* A cloze note type: card *n* becomes a recall question showing the text with cloze *n* hidden
  (its hint, if any, in the gap) and the others filled in; the answer shows it filled in, then the
  note's other fields (Back Extra).
* A template that shows no field on one side cannot be mapped: its cards are reported and skipped.

Field HTML is sanitised to a small allowlist; images and sounds are dropped, each with a warning,
since Rehearse stores no media.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import nh3

from app.domain.anki.package import CardRow, Note, NoteType, Template

_SPECIAL = frozenset({"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type", "CardID"})
_REFERENCE = re.compile(r"\{\{([#^/]?)([^{}]+?)\}\}")
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_MEDIA_TAG = re.compile(r"<(img|audio|video|source)\b[^>]*>", re.I)
_BLOCK = re.compile(r"</?(div|p)\b[^>]*>|<br\s*/?>", re.I)
_TAGS = {"b", "strong", "i", "em", "u", "s", "sub", "sup", "code", "pre", "ul", "ol", "li", "br",
         "table", "thead", "tbody", "tr", "td", "th", "a"}  # fmt: skip
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


@dataclass
class Problems:
    """What could not be imported, each with the note it concerns."""

    errors: list[str] = field(default_factory=list)  # skipped
    warnings: list[str] = field(default_factory=list)  # imported, with a loss

    def skip(self, note: Note | None, message: str) -> None:
        self.errors.append(f"note {note.id}: {message}" if note else message)

    def warn(self, note: Note | None, message: str) -> None:
        self.warnings.append(f"note {note.id}: {message}" if note else message)


@dataclass(frozen=True)
class Draft:
    """One question a card of a note becomes."""

    note: Note
    card: CardRow
    prompt: str
    answer: str


def clean_html(html: str, note: Note | None = None, problems: Problems | None = None) -> str:
    """Field HTML as safe inline HTML on one Markdown paragraph; media dropped with a warning."""
    dropped = len(_MEDIA_TAG.findall(html)) + len(_SOUND.findall(html))
    if dropped and problems is not None:
        problems.warn(note, f"{dropped} image(s) or sound(s) dropped: Rehearse stores no media")
    html = _SOUND.sub("", _MEDIA_TAG.sub("", html))
    html = _BLOCK.sub("<br>", html.replace("\r", "").replace("\n", " "))
    html = _CLEANER.clean(html)
    html = re.sub(r"(<br>\s*)+", "<br>", html).strip()
    html = re.sub(r"^(<br>)+|(<br>)+$", "", html).strip()
    return html.replace("\\", "\\\\")


def _referenced(template_side: str) -> list[str]:
    names = []
    for marker, inner in _REFERENCE.findall(template_side):
        if marker:
            continue  # a conditional section: not itself shown
        name = inner.split(":")[-1].strip()
        if name and name not in _SPECIAL and name not in names:
            names.append(name)
    return names


def _sides(notetype: NoteType, template: Template) -> tuple[list[str], list[str]]:
    front = [n for n in _referenced(template.front) if n in notetype.fields]
    back = [n for n in _referenced(template.back) if n in notetype.fields and n not in front]
    return front, back


def unmappable(notetype: NoteType) -> str | None:
    """Why the note type's cards cannot become questions, or None."""
    if notetype.is_cloze:
        if not any("cloze:" in t.front for t in notetype.templates):
            return "its cloze template shows no cloze field"
        return None
    for template in notetype.templates:
        front, back = _sides(notetype, template)
        if not front or not back:
            return (
                f"template {template.name!r} shows {', '.join(front) or 'no field'} on the front "
                f"and {', '.join(back) or 'no other field'} on the back"
            )
    return None


def _joined(values: Iterable[str]) -> str:
    return "<br><br>".join(v for v in values if v)


def _cloze_field(notetype: NoteType) -> str:
    for template in notetype.templates:
        for marker, inner in _REFERENCE.findall(template.front):
            if not marker and inner.strip().startswith("cloze:"):
                return inner.split(":")[-1].strip()
    return notetype.fields[0]


def cloze_numbers(text: str) -> list[int]:
    """The cloze numbers a text holds, in order: ``{{c1::…}}``, ``{{c2::…}}``."""
    return sorted({int(n) for n, _, _ in _CLOZE.findall(text)})


def cloze_sides(text: str, number: int) -> tuple[str, str]:
    """Cloze ``number`` hidden (its hint, if any, in the gap) and shown in bold; the others read
    as plain text on both sides."""

    def hide(found: re.Match[str]) -> str:
        return f"[{found.group(3) or '…'}]" if int(found.group(1)) == number else found.group(2)

    def show(found: re.Match[str]) -> str:
        return f"<b>{found.group(2)}</b>" if int(found.group(1)) == number else found.group(2)

    return _CLOZE.sub(hide, text), _CLOZE.sub(show, text)


def draft(note: Note, card: CardRow, notetype: NoteType, problems: Problems) -> Draft | None:
    values = dict(zip(notetype.fields, note.fields, strict=False))
    if notetype.is_cloze:
        name = _cloze_field(notetype)
        text = values.get(name, "")
        number = card.ord + 1
        if number not in cloze_numbers(text):
            problems.skip(note, f"card {card.id} asks cloze {number}, which the text does not hold")
            return None

        hidden, shown = cloze_sides(text, number)
        prompt = clean_html(hidden, note, problems)
        extra = [clean_html(v) for k, v in values.items() if k != name]
        answer = _joined([clean_html(shown), *extra])
    else:
        template = next((t for t in notetype.templates if t.ord == card.ord), None)
        if template is None:
            problems.skip(note, f"card {card.id} uses template {card.ord}, which its type lacks")
            return None
        front, back = _sides(notetype, template)
        prompt = _joined(clean_html(values.get(n, ""), note, problems) for n in front)
        answer = _joined(clean_html(values.get(n, ""), note, problems) for n in back)
    if not prompt:
        problems.skip(note, f"card {card.id} would ask nothing (its front fields are empty)")
        return None
    return Draft(note, card, prompt, answer or "(no answer in the note)")
