"""Refuse requests whose form or query text, or an upload's file name, holds a NUL character.

No form field or file name of Lentera can legitimately contain NUL; PostgreSQL cannot store or
even compare it in text (psycopg raises DataError, which would be a 500: the unit import writes
the file name to the audit log). Found by tests/security/test_fuzz.py and issue #12.
"""

from __future__ import annotations

from itertools import chain

from flask import Flask, request
from flask_babel import get_locale

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
    # One join and one search per source: runs before every request, and a survey POST
    # carries ~55 fields (a generator over each value cost 0.03 ms of it).
    return any("\x00" in "".join(chain(source.keys(), chain.from_iterable(source.listvalues())))
               for source in sources)


def filename_has_nul() -> bool:
    """True when an uploaded file's name contains a NUL character."""
    if request.mimetype != "multipart/form-data":
        return False
    return any("\x00" in (upload.filename or "")
               for upload in chain.from_iterable(request.files.listvalues()))


def refuse_nul():  # type: ignore[no-untyped-def]
    """before_request hook: 400 with a plain message when the request carries a NUL."""
    if filename_has_nul():
        return FILENAME_MESSAGE, 400, {"Content-Type": "text/plain; charset=utf-8"}
    if has_nul():
        lang = str(get_locale() or "id")
        text = MESSAGE["en"] if lang == "en" else MESSAGE["id"]
        return text, 400, {"Content-Type": "text/plain; charset=utf-8"}
    return None


def init_app(app: Flask) -> None:
    """Run the check before every other before_request hook (CSRF, login)."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)
