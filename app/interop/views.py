"""The Anki page: upload a package or text file, see what it would do, then import it; and
download a track, an article or one's cards for Anki."""

from __future__ import annotations

import io
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from app.admin.views import is_admin
from app.clock import now
from app.extensions import db
from app.forms import show_errors
from app.interop import uploads
from app.interop.forms import ApplyImportForm, ExportForm, ImportForm
from app.services import catalog
from app.services.errors import NotFound, ValidationError
from app.services.interop import anki_import, exports
from app.services.interop.owners import Owner

bp = Blueprint("interop", __name__, url_prefix="/anki")


def _export_form() -> ExportForm:
    form = ExportForm(request.args, meta={"csrf": False})
    choices = [("mine", "All my cards")]
    choices += [
        (f"track:{s.track.key}", f"Track: {s.track.title}")
        for s in catalog.list_tracks(current_user.id)
    ]
    choices += [
        (f"article:{a.key}", f"Article: {a.title}") for a in catalog.list_articles(current_user.id)
    ]
    form.what.choices = choices
    return form


def _page(import_form: ImportForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "interop/anki.html", import_form=import_form, export_form=_export_form(), admin=is_admin()
    ), status


@bp.get("/")
@login_required
def page() -> tuple[str, int]:
    return _page(ImportForm())


def _owner(shared: bool) -> Owner:
    if shared and not is_admin():
        raise ValidationError({"shared": "Only administrators import into the shared banks."})
    return Owner(current_user.id, shared=shared)


@bp.post("/import")
@login_required
def preview() -> tuple[str, int]:
    form = ImportForm()
    if not form.validate_on_submit():
        show_errors(form)
        return _page(form, 422)
    upload = form.file.data
    token, path = uploads.keep(current_user.id, upload)
    try:
        owner = _owner(form.shared.data)
        with path.open("rb") as file:
            incoming = anki_import.read_upload(file, uploads.original_name(path))
        report = anki_import.plan_import(incoming, owner, now=now(), apply=False)
    except ValidationError as error:
        path.unlink(missing_ok=True)
        for message in error.errors.values():
            flash(message, "error")
        return _page(form, 422)
    apply_form = ApplyImportForm(
        token=token, history="1" if form.history.data else "", shared="1" if owner.shared else ""
    )
    return render_template(
        "interop/preview.html",
        report=report,
        filename=uploads.original_name(path),
        form=apply_form,
        history=form.history.data,
    ), 200


@bp.post("/import/apply")
@login_required
def apply() -> BaseResponse | tuple[str, int]:
    form = ApplyImportForm()
    path = (
        uploads.find(current_user.id, form.token.data or "") if form.validate_on_submit() else None
    )
    if path is None:
        flash("That upload is gone (uploads are kept for an hour): upload the file again.", "error")
        return redirect(url_for("interop.page"))
    try:
        owner = _owner(bool(form.shared.data))
        with path.open("rb") as file:
            incoming = anki_import.read_upload(file, uploads.original_name(path))
        if not form.history.data:
            incoming = anki_import.without_history(incoming)
        report = anki_import.plan_import(incoming, owner, now=now(), apply=True)
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        for message in error.errors.values():
            flash(message, "error")
        return redirect(url_for("interop.page"))
    path.unlink(missing_ok=True)
    flash(
        f"Imported {report.notes} notes: {report.questions_added} questions added, "
        f"{report.questions_updated} updated, {report.questions_unchanged} unchanged; "
        f"{report.reviews} reviews replayed into {report.cards_with_history} cards.",
        "ok",
    )
    return redirect(url_for("study.overview"))


@bp.get("/export")
@login_required
def export() -> Response | tuple[str, int]:
    form = _export_form()
    if not form.validate():
        show_errors(form)
        return _page(ImportForm(), 422)
    what, fmt = form.what.data, form.format.data
    kind, _, key = what.partition(":")
    scope = exports.ExportScope(
        track=key if kind == "track" else None,
        article=key if kind == "article" else None,
        mine=kind == "mine",
    )
    # The form offers a package with the learner's history as a format of its own.
    fmt, with_history = ("apkg", True) if fmt == "apkg-history" else (fmt, False)
    try:
        body = exports.export_file(
            current_user.id,
            scope,
            fmt,
            with_history=with_history,
            banks_path=Path(current_app.config["BANKS_PATH"]),
            now=now(),
        )
    except (NotFound, ValidationError) as error:
        flash(
            error.message if isinstance(error, NotFound) else "; ".join(error.errors.values()),
            "error",
        )
        return _page(ImportForm(), 404 if isinstance(error, NotFound) else 422)
    mimetype, suffix = exports.FORMATS[fmt]
    return send_file(
        io.BytesIO(body),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{scope.name}.{suffix}",
    )
