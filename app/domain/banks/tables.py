"""Reading a table: a comparison of options, a two-column list of terms, or a checklist.

markdown-it quietly pads short rows and drops surplus cells, which would hide an author's
mistake; so the source line of every row is split again here to count the cells really written.
A table that cannot become questions is reported as a warning: it never blocks the other files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from app.domain.banks.markdown import inline_markdown, plain_text
from app.domain.banks.model import Problem, Severity
from app.domain.banks.parsed import (
    Cell,
    Label,
    Orientation,
    RecallItem,
    RecallKind,
    TermTable,
    TradeoffTable,
)
from app.domain.banks.text import slugify

# First header cells that say the rows are aspects, so the options are the columns.
ASPECT_WORDS = frozenset(
    {
        "aspect",
        "aspects",
        "dimension",
        "dimensions",
        "criterion",
        "criteria",
        "property",
        "properties",
        "feature",
        "features",
        "factor",
        "factors",
        "characteristic",
        "characteristics",
        "attribute",
        "attributes",
        "metric",
        "metrics",
        "concern",
        "concerns",
        "category",
        "categories",
        "trait",
        "traits",
        "quality",
        "qualities",
        "parameter",
        "parameters",
        "consideration",
        "considerations",
        "area",
        "areas",
    }
)
# Last words of first header cells that name what the rows are, so the options are the rows.
OPTION_WORDS = frozenset(
    {
        "option",
        "options",
        "approach",
        "approaches",
        "strategy",
        "strategies",
        "technique",
        "techniques",
        "pattern",
        "patterns",
        "choice",
        "choices",
        "alternative",
        "alternatives",
        "tool",
        "tools",
        "method",
        "methods",
        "protocol",
        "protocols",
        "algorithm",
        "algorithms",
        "type",
        "types",
        "level",
        "levels",
        "mode",
        "modes",
        "model",
        "models",
        "system",
        "systems",
        "database",
        "databases",
        "engine",
        "engines",
        "solution",
        "solutions",
        "technology",
        "technologies",
        "framework",
        "frameworks",
        "scheme",
        "schemes",
        "variant",
        "variants",
        "kind",
        "kinds",
        "style",
        "styles",
        "policy",
        "policies",
        "implementation",
        "implementations",
    }
)


# First cells of a checklist written as a table: an empty ballot box, ticked or not.
BALLOT_BOXES = frozenset({"", "\u2610", "\u2611", "\u2612", "[ ]", "[x]", "[X]", "\u25a1"})


@dataclass(frozen=True)
class _Row:
    cells: tuple[Token, ...]  # inline tokens, padded/truncated to the header width by markdown-it
    written: int  # how many cells the source line really has
    line: int


@dataclass(frozen=True)
class _Grid:
    """A table's header and body rows, with the file line of the table."""

    header: list[Token]
    rows: list[_Row]
    line: int

    @property
    def width(self) -> int:
        return len(self.header)


def count_cells(line: str) -> int:
    """Cells on a table row's source line, splitting on unescaped pipes like markdown-it does."""
    text = line.strip()
    while text.startswith(">"):  # a table quoted in a blockquote
        text = text[1:].strip()
    cells: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if char == "|" and not escaped:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        escaped = char == "\\" and not escaped
    cells.append("".join(current))
    if cells and not cells[0].strip():
        cells.pop(0)
    if cells and not cells[-1].strip():
        cells.pop()
    return len(cells)


def _orientation(corner: str, option_columns: int, body_rows: int) -> Orientation:
    words = corner.lower().replace("/", " ").split()
    if not words or any(word in ASPECT_WORDS for word in words):
        return Orientation.COLUMNS
    if words[-1] in OPTION_WORDS:
        return Orientation.ROWS
    return Orientation.COLUMNS if option_columns <= body_rows else Orientation.ROWS


def _singular(noun: str) -> str:
    words = noun.split()
    last = words[-1]
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith(("ches", "shes", "sses", "xes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        last = last[:-1]
    return " ".join([*words[:-1], last])


def _noun(corner: str, orientation: Orientation) -> str | None:
    """What the options are called, when the corner cell names the rows ("Isolation level")."""
    words = corner.lower().replace("/", " ").split()
    if orientation is not Orientation.ROWS or not words or len(words) > 3:
        return None
    if any(word in ASPECT_WORDS for word in words) or not corner.replace(" ", "").isalpha():
        return None
    return _singular(" ".join(words))


def _label(token: Token, line: int) -> Label:
    plain = plain_text(token)
    return Label(inline_markdown(token), plain, slugify(plain), line)


def _cell(row: _Row, index: int) -> Cell | None:
    if index >= row.written or index >= len(row.cells):
        return None
    token = row.cells[index]
    return Cell(inline_markdown(token), plain_text(token), row.line)


def _grid(tokens: Sequence[Token], source_lines: Sequence[str], line_offset: int) -> _Grid:
    table_line = line_offset + (tokens[0].map[0] if tokens[0].map else 0) + 1
    header: list[Token] = []
    rows: list[_Row] = []
    in_head = False
    current: list[Token] | None = None
    current_line = table_line
    for token in tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            current = []
            current_line = line_offset + (token.map[0] if token.map else 0) + 1
        elif token.type == "inline" and current is not None:
            current.append(token)
        elif token.type == "tr_close" and current is not None:
            if in_head:
                header = current
            else:
                source = source_lines[current_line - line_offset - 1]
                rows.append(_Row(tuple(current), count_cells(source), current_line))
            current = None
    return _Grid(header, rows, table_line)


def _ragged_rows(grid: _Grid, path: str) -> list[Problem]:
    problems: list[Problem] = []
    for row in grid.rows:
        row_label = plain_text(row.cells[0]) if row.cells else ""
        name = f"row '{row_label}'" if row_label else "row"
        if row.written > grid.width:
            message = (
                f"{name} has {row.written} cells, header has {grid.width}; "
                "the extra cells are left out of the questions"
            )
            problems.append(Problem(path, row.line, message, Severity.WARNING))
        elif row.written < grid.width:
            message = (
                f"{name} has {row.written} cells, header has {grid.width}; "
                "the missing cells are left out of the questions"
            )
            problems.append(Problem(path, row.line, message, Severity.WARNING))
    return problems


def _is_checklist(grid: _Grid) -> bool:
    """A checklist written as a table: every body row starts with a ballot box (☐, [ ])."""
    if grid.width < 2 or not grid.rows:
        return False
    first = [plain_text(row.cells[0]) if row.cells else "" for row in grid.rows]
    boxed = [text for text in first if text in BALLOT_BOXES - {""}]
    return bool(boxed) and all(text in BALLOT_BOXES for text in first)


TableRead = TradeoffTable | TermTable | tuple[RecallItem, ...] | None


def read_table(
    tokens: Sequence[Token],
    source_lines: Sequence[str],
    line_offset: int,
    caption: str,
    path: str,
    *,
    skipped: frozenset[str] = frozenset(),
    asked: frozenset[str] = frozenset(),
) -> tuple[TableRead, list[Problem]]:
    """Turn the tokens of one table (table_open .. table_close) into what it can be quizzed as.

    `line_offset` is the file line (0-based) of body line 0; `skipped` and `asked` are aspect
    slugs from the author's directives. A comparison of two or more options becomes a
    TradeoffTable; a two-column table a TermTable; a checklist table its rows as recall items.
    Returns None, with a warning saying why, for a table that can become no question.
    """
    grid = _grid(tokens, source_lines, line_offset)
    problems = _ragged_rows(grid, path)
    if _is_checklist(grid):
        items, found = _checklist_rows(grid, caption, path)
        return items, problems + found
    corner = set(plain_text(grid.header[0]).lower().split()) if grid.header else set()
    if grid.width == 2 and not corner & ASPECT_WORDS:
        terms, found = _term_table(grid, caption, path, skipped)
        return terms, problems + found
    table, found = _comparison(grid, caption, path, skipped, asked)
    return table, problems + found


def _comparison(
    grid: _Grid, caption: str, path: str, skipped: frozenset[str], asked: frozenset[str]
) -> tuple[TradeoffTable | None, list[Problem]]:
    problems: list[Problem] = []
    header, rows, table_line = grid.header, grid.rows, grid.line
    corner = plain_text(header[0]) if header else ""
    orientation = _orientation(corner, grid.width - 1, len(rows))
    options: list[tuple[Label, int]] = []  # label and its index in the source layout
    aspects: list[tuple[Label, int]] = []
    if orientation is Orientation.COLUMNS:
        for index, token in enumerate(header[1:], start=1):
            options.append((_label(token, table_line), index))
        for index, row in enumerate(rows):
            aspects.append((_label(row.cells[0], row.line), index))
    else:
        for index, row in enumerate(rows):
            options.append((_label(row.cells[0], row.line), index))
        for index, token in enumerate(header[1:], start=1):
            aspects.append((_label(token, table_line), index))

    kept_options = [(label, i) for label, i in options if label.slug]
    kept_aspects = [(label, i) for label, i in aspects if label.slug]
    side = "column" if orientation is Orientation.COLUMNS else "row"
    other = "row" if orientation is Orientation.COLUMNS else "column"
    for label, _ in options:
        if not label.slug:
            message = f"an option {side} has no name; it is skipped"
            problems.append(Problem(path, label.line, message, Severity.WARNING))
    for label, _ in aspects:
        if not label.slug:
            message = f"an aspect {other} has no name; it is skipped"
            problems.append(Problem(path, label.line, message, Severity.WARNING))

    if len(kept_options) < 2 or not kept_aspects:
        message = (
            f"table '{caption}' needs at least 2 options and 1 aspect to become questions; "
            f"found {len(kept_options)} option(s) as {side}s and {len(kept_aspects)} aspect(s)"
        )
        problems.append(Problem(path, table_line, message, Severity.WARNING))
        return None, problems

    cells: list[tuple[Cell | None, ...]] = []
    for _, aspect_index in kept_aspects:
        if orientation is Orientation.COLUMNS:
            row = rows[aspect_index]
            cells.append(tuple(_cell(row, option_index) for _, option_index in kept_options))
        else:
            cells.append(
                tuple(_cell(rows[option_index], aspect_index) for _, option_index in kept_options)
            )
    table = TradeoffTable(
        caption=caption,
        caption_slug=slugify(caption),
        line=table_line,
        orientation=orientation,
        options=tuple(label for label, _ in kept_options),
        aspects=tuple(label for label, _ in kept_aspects),
        cells=tuple(cells),
        noun=_noun(corner, orientation),
        skipped=skipped,
        asked=asked,
    )
    return table, problems


def _term_table(
    grid: _Grid, caption: str, path: str, skipped: frozenset[str]
) -> tuple[TermTable | None, list[Problem]]:
    """A two-column table: each row a term and its meaning (or a recommendation and its benefit)."""
    problems: list[Problem] = []
    term_header = _label(grid.header[0], grid.line)
    value_header = _label(grid.header[1], grid.line)
    rows: list[tuple[Label, Cell]] = []
    for row in grid.rows:
        term = _label(row.cells[0], row.line)
        value = _cell(row, 1)
        if not term.slug or value is None or not value.plain:
            message = "row has no term or no text beside it; it is left out of the questions"
            problems.append(Problem(path, row.line, message, Severity.WARNING))
            continue
        rows.append((term, value))
    if not rows:
        message = f"table '{caption}' has no row with both a term and its text"
        problems.append(Problem(path, grid.line, message, Severity.WARNING))
        return None, problems
    table = TermTable(
        caption=caption,
        caption_slug=slugify(caption),
        line=grid.line,
        term_header=term_header,
        value_header=value_header,
        rows=tuple(rows),
        skipped=skipped,
    )
    return table, problems


def _checklist_rows(
    grid: _Grid, caption: str, path: str
) -> tuple[tuple[RecallItem, ...], list[Problem]]:
    """A checklist table's rows: the bold lead of the row's text is the question, the rest the
    answer ("**Design for failure**: deploy across zones …"); a code cell such as `RE:01` gives
    the row its identity, else its position."""
    problems: list[Problem] = []
    items: list[RecallItem] = []
    for number, row in enumerate(grid.rows, start=1):
        texts = [_cell(row, index) for index in range(1, grid.width)]
        present = [cell for cell in texts if cell is not None and cell.plain]
        if not present:
            continue
        code = present[0].plain if len(present) > 1 and len(present[0].plain) <= 12 else None
        body = present[1:] if code else present
        text = " ".join(cell.markdown for cell in body)
        lead, rest = split_lead(text)
        if not lead or not rest:
            message = (
                "checklist row has no bold lead and explanation to ask about; "
                "it is left out of the questions"
            )
            problems.append(Problem(path, row.line, message, Severity.WARNING))
            continue
        ident = slugify(code) if code else str(number)
        prompt = f"What does the checklist item *{lead}* ask of you, and why?"
        if code:
            prompt = f"{code}: what does the checklist item *{lead}* ask of you, and why?"
        items.append(
            RecallItem(
                RecallKind.RECALL, f"checklist:{slugify(caption)}:{ident}", prompt, rest, row.line
            )
        )
    return tuple(items), problems


_LEAD = re.compile(r"^\s*(\*\*|__)(?P<lead>.+?)\1\s*[:.\u2014-]?\s*(?P<rest>.*)$", re.DOTALL)


def split_lead(markdown: str) -> tuple[str, str]:
    """A text's bold lead and the rest: "**Use zones.** Spread replicas" -> ("Use zones", ...)."""
    match = _LEAD.match(markdown)
    if match is None:
        return "", markdown.strip()
    lead = match.group("lead").strip().rstrip(".:")
    return lead, match.group("rest").strip()
