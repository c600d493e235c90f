"""Refuse requests whose form or query text, or an upload's file name, holds a NUL character,
and bodies larger than the route allows (413).

No form field or file name of Lentera can legitimately contain NUL; PostgreSQL cannot store or
even compare it in text (psycopg raises DataError, which would be a 500: the unit import writes
the file name to the audit log).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from ..i18n import current_lang
from .errors import error_page

View = TypeVar("View", bound=Callable[..., Any])

MESSAGE = {
    "id": "Formulir berisi karakter yang tidak sah (NUL). Tidak ada yang disimpan; periksa "
          "isian Anda dan kirim lagi.",
    "en": "The form contains an invalid character (NUL). Nothing was stored; check what you "
          "entered and send it again.",
}
# Bahasa Indonesia first, then English: the name comes from the uploader's own computer.
FILENAME_MESSAGE = ("Nama berkas berisi karakter yang tidak sah (NUL). Tidak ada yang disimpan; "
                    "ganti nama berkas lalu unggah lagi. / The file name contains an invalid "
                    "character (NUL). Nothing was stored; rename the file and upload it again.")


def has_nul() -> bool:
    """True when any query or form key or value contains a NUL character."""
    sources = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    # One join and one search per source: this runs before every request, and a survey POST
    # carries one field per item.
    return any("\x00" in "".join(chain(source.keys(), chain.from_iterable(source.listvalues())))
               for source in sources)


def filename_has_nul() -> bool:
    """True when an uploaded file's name contains a NUL character."""
    if request.mimetype != "multipart/form-data":
        return False
    return any("\x00" in (upload.filename or "")
               for upload in chain.from_iterable(request.files.listvalues()))


def refuse_nul() -> None:
    """before_request hook: 400 (the error page with the message) when the request carries a
    NUL."""
    if filename_has_nul():
        raise BadRequest(description=FILENAME_MESSAGE)
    if has_nul():
        raise BadRequest(description=MESSAGE["en"] if current_lang() == "en" else MESSAGE["id"])


TOO_LARGE_MESSAGE = ("Formulir atau berkas terlalu besar. Tidak ada yang disimpan; kirim "
                     "formulir dari halaman Lentera, atau unggah berkas yang lebih kecil. / "
                     "The form or file is too large. Nothing was stored; send the form from "
                     "the Lentera page, or upload a smaller file.")


def accepts_upload(view: View) -> View:
    """Declare that `view` takes a file: its body may reach LENTERA_UPLOAD_MAX_BYTES instead
    of MAX_CONTENT_LENGTH. Put it above the other decorators so the route registers it."""
    view.lentera_accepts_upload = True  # type: ignore[attr-defined]
    return view


def apply_body_limit() -> None:
    """before_request hook: raise the body limit for multipart posts to views that declared
    an upload (a urlencoded body keeps the small limit: it is parsed all at once, while a
    multipart one is streamed and bounded by MAX_FORM_PARTS and MAX_FORM_MEMORY_SIZE).

    Runs first, before anything reads the form, because the limit applies when it is read.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "lentera_accepts_upload", False) \
            and request.mimetype == "multipart/form-data":
        request.max_content_length = current_app.config["LENTERA_UPLOAD_MAX_BYTES"]


def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """413: the error page with the bilingual message (Bahasa Indonesia, then English)."""
    return error_page(RequestEntityTooLarge(description=TOO_LARGE_MESSAGE,
                                            response=error.response))


def init_app(app: Flask) -> None:
    """Run the body limit, then the NUL check, before every other before_request hook."""
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[:0] = [apply_body_limit, refuse_nul]
    app.register_error_handler(RequestEntityTooLarge, too_large)
