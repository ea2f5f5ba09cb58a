"""API: importing Anki packages and text files, and exporting to Anki."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, g, request

from app.api import bp
from app.api.schemas.interop import DeckReport, ExportQuery, ImportQuery, ImportResult
from app.api.spec import responses, spec
from app.clock import now
from app.extensions import db
from app.services import reports
from app.services.errors import ValidationError
from app.services.interop import anki_import, exports
from app.services.interop.owners import Owner


@bp.post("/imports")
@spec.validate(
    query=ImportQuery,
    resp=responses(
        {200: (ImportResult, "What the file would do"), 201: (ImportResult, "What was imported")},
        413,
        422,
    ),
    operation_id="importAnki",
)
def import_anki(query: ImportQuery) -> tuple[ImportResult, int]:
    """Preview or import an Anki package or text file

    Send the file as `multipart/form-data` in a field named `file`: an Anki package (`.apkg`,
    any of Anki's three collection formats) or Anki's text export or a CSV with a header row
    (`.txt`, `.csv`, `.tsv`). Without `apply=true` nothing changes and the reply says what would;
    with it, everything is applied in one transaction. Bodies over 100 MiB are refused (413)
    before they are read.
    """
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError({"file": "Send the file as multipart/form-data, in a field 'file'."})
    if query.shared and not reports.is_admin(g.api_user.email, current_app.config["ADMIN_EMAILS"]):
        raise ValidationError({"shared": "Only administrators import into the shared banks."})
    incoming = anki_import.read_upload(upload.stream, upload.filename)
    if not query.history:
        incoming = anki_import.without_history(incoming)
    owner = Owner(g.api_user.id, shared=query.shared)
    report = anki_import.plan_import(incoming, owner, now=now(), apply=query.apply)
    if query.apply:
        db.session.commit()
    result = ImportResult(
        format=report.format,
        applied=report.applied,
        notes=report.notes,
        decks=[DeckReport(**vars(deck)) for deck in report.decks],
        questions_added=report.questions_added,
        questions_updated=report.questions_updated,
        questions_unchanged=report.questions_unchanged,
        cards_with_history=report.cards_with_history,
        reviews=report.reviews,
        errors=report.errors,
        warnings=report.warnings,
        track_keys=report.track_keys,
    )
    return result, 201 if query.apply else 200


@bp.get("/exports")
@spec.validate(
    query=ExportQuery,
    resp=responses({200: (None, "The file, as an attachment")}, 404, 422),
    operation_id="exportAnki",
)
def export_anki(query: ExportQuery) -> Response:
    """Export a track, an article or my cards for Anki

    Name exactly one of `track`, `article` or `mine=true`. `apkg` is a package Anki opens, whose
    notes keep their GUIDs across exports (a later export updates them in Anki); `history=true`
    adds my scheduling and review log. `anki-text` is Anki's plain-text format, `csv` a CSV with a
    header row, and `markdown` a track's article files as a zip.
    """
    chosen = [bool(query.track), bool(query.article), query.mine]
    if sum(chosen) != 1:
        raise ValidationError({"scope": "Name exactly one of track, article or mine=true."})
    scope = exports.ExportScope(track=query.track, article=query.article, mine=query.mine)
    data = exports.export_file(
        g.api_user.id,
        scope,
        query.format,
        with_history=query.history,
        banks_path=Path(current_app.config["BANKS_PATH"]),
        now=now(),
    )
    # A plain response, not send_file's passthrough: spectree reads what a view returns.
    mimetype, suffix = exports.FORMATS[query.format]
    name = f"{scope.name}.{suffix}"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
