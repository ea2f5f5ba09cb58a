"""Reading a trade-off table: orientation, labels, cells and ragged rows.

markdown-it quietly pads short rows and drops surplus cells, which would hide an author's
mistake; so the source line of every row is split again here to count the cells really written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from app.domain.banks.markdown import inline_markdown, plain_text
from app.domain.banks.model import Problem, Severity
from app.domain.banks.parsed import Cell, Label, Orientation, TradeoffTable
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


@dataclass(frozen=True)
class _Row:
    cells: tuple[Token, ...]  # inline tokens, padded/truncated to the header width by markdown-it
    written: int  # how many cells the source line really has
    line: int


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


def _label(token: Token, line: int) -> Label:
    plain = plain_text(token)
    return Label(inline_markdown(token), plain, slugify(plain), line)


def _cell(row: _Row, index: int) -> Cell | None:
    if index >= row.written or index >= len(row.cells):
        return None
    token = row.cells[index]
    return Cell(inline_markdown(token), plain_text(token), row.line)


def read_table(
    tokens: Sequence[Token],
    source_lines: Sequence[str],
    line_offset: int,
    caption: str,
    path: str,
) -> tuple[TradeoffTable | None, list[Problem]]:
    """Turn the tokens of one table (table_open .. table_close) into a TradeoffTable.

    `line_offset` is the file line (0-based) of body line 0. Returns None when the table cannot
    yield questions (fewer than two options or no aspect), with the reason as an error.
    """
    problems: list[Problem] = []
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

    width = len(header)
    for row in rows:
        row_label = plain_text(row.cells[0]) if row.cells else ""
        name = f"row '{row_label}'" if row_label else "row"
        if row.written > width:
            message = f"{name} has {row.written} cells, header has {width}"
            problems.append(Problem(path, row.line, message))
        elif row.written < width:
            message = (
                f"{name} has {row.written} cells, header has {width}; "
                "the missing cells are left out of the questions"
            )
            problems.append(Problem(path, row.line, message, Severity.WARNING))

    orientation = _orientation(plain_text(header[0]) if header else "", width - 1, len(rows))
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
    for label, _ in options:
        if not label.slug:
            problems.append(
                Problem(path, label.line, f"an option {side} has no name; it is skipped")
            )
    other = "row" if orientation is Orientation.COLUMNS else "column"
    for label, _ in aspects:
        if not label.slug:
            message = f"an aspect {other} has no name; it is skipped"
            problems.append(Problem(path, label.line, message))

    if len(kept_options) < 2 or not kept_aspects:
        message = (
            f"trade-off table '{caption}' needs at least 2 options and 1 aspect; "
            f"found {len(kept_options)} option(s) as {side}s and {len(kept_aspects)} aspect(s)"
        )
        problems.append(Problem(path, table_line, message))
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
    )
    return table, problems
