"""The error pages: every HTTP error the app answers (400, 403, 404, 405, 409, 413, 429, 500,
and any other) is one phone-sized page in the current language with the other language
beneath, instead of Werkzeug's English-only default.

- The status code and the headers the exception carries (405's `Allow`, 429's `Retry-After`)
  are kept; the security headers are added afterwards like on every response.
- A description given to `abort()` by a view is shown (it is already in the request's
  language, or in both); Werkzeug's and Flask-WTF's own English descriptions are not.
- A 500 shows no exception detail. Flask logs the unexpected exception before this handler
  runs (path and method, never an address); nothing here logs a request.
- Respond paths lead back to the code page, /hr paths to the HR start page. The respond views
  raise no HTTP error themselves (they build their own pages for refusals), so an error page
  on a respond path other than a 500 comes before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from ..config import HR_PREFIX
from ..i18n import current_lang

TITLES = {
    400: _l("Permintaan tidak dapat diproses"),
    403: _l("Akses ditolak"),
    404: _l("Halaman tidak ditemukan"),
    405: _l("Alamat ini tidak dapat dibuka dengan cara ini"),
    409: _l("Belum dapat dilakukan"),
    413: _l("Formulir atau berkas terlalu besar"),
    429: _l("Terlalu banyak permintaan"),
    500: _l("Terjadi kesalahan di server"),
}
EXPLANATIONS = {
    400: _l("Formulir kedaluwarsa, tidak lengkap, atau berisi isian yang tidak sah."),
    403: _l("Anda tidak memiliki izin untuk membuka halaman ini."),
    404: _l("Alamat ini tidak ada, atau yang Anda cari tidak ditemukan."),
    405: _l("Alamat ini tidak menerima permintaan seperti ini."),
    409: _l("Tindakan ini tidak dapat dilakukan dalam keadaan sekarang."),
    413: _l("Permintaan ini lebih besar daripada yang diterima Lentera."),
    429: _l("Terlalu banyak permintaan dari alamat ini dalam waktu singkat."),
    500: _l("Terjadi kesalahan yang tidak terduga. Ini bukan kesalahan Anda."),
}
# Flask-WTF's reason (missing, invalid, no session) is English and for developers.
CSRF_FAILED = _l("Pemeriksaan keamanan formulir gagal: formulir ini sudah kedaluwarsa atau tidak "
                 "dikirim dari halaman Lentera.")
# A GET of an address that only takes forms: a bookmark, the history, a copied link.
FORM_ONLY = _l("Alamat ini hanya menerima formulir yang dikirim dari halaman Lentera; alamat "
               "ini tidak dapat dibuka langsung, misalnya dari tautan yang disimpan atau dari "
               "riwayat peramban.")
ENTER_AGAIN = _l("Kembali ke halaman awal dan masukkan kode dari slip Anda lagi. Tidak ada yang "
                 "disimpan.")
NEXT_STEPS = {
    "respond": {
        400: ENTER_AGAIN,
        404: _l("Periksa alamat yang Anda ketik, atau buka halaman awal dan masukkan kode dari "
                "slip Anda."),
        405: ENTER_AGAIN,
        413: ENTER_AGAIN,
        # store_response commits everything or nothing, and a used code says so.
        500: _l("Coba lagi sebentar lagi. Jika Anda tadi mengirim jawaban, masukkan kode Anda "
                "lagi: bila Lentera menyatakan kode itu sudah dipakai, jawaban Anda sudah "
                "tersimpan; bila tidak, belum ada yang tersimpan dan Anda dapat mengisinya "
                "lagi."),
    },
    "hr": {
        400: _l("Kembali ke halaman sebelumnya, muat ulang halaman itu, lalu coba lagi."),
        404: _l("Periksa alamatnya, atau kembali ke halaman HR dan pilih dari menu."),
        405: _l("Tidak ada yang diubah. Kembali ke halaman HR dan pilih dari menu."),
        500: _l("Coba lagi sebentar lagi. Bila kesalahan ini terulang, beri tahu admin "
                "Lentera."),
    },
}
LINKS = {"respond": _l("Ke halaman awal"), "hr": _l("Ke halaman HR")}
# Shown when the error page itself cannot be rendered (then the translations may be broken too).
FALLBACK = ("Terjadi kesalahan di server. Coba lagi sebentar lagi. / "
            "Something went wrong on the server. Try again in a moment.")


@dataclass(frozen=True)
class ErrorText:
    """The page's words in one language."""

    lang: str
    title: str
    explanation: str
    next_step: str | None
    link: str


def area() -> str:
    """"hr" for the staff pages, else "respond" (the public side: /isi and any other path)."""
    path = request.path
    return "hr" if path == HR_PREFIX or path.startswith(HR_PREFIX + "/") else "respond"


def start_url(where: str) -> str:
    """Where the page's link leads: the HR start page or the respondents' code page."""
    return url_for("admin.index") if where == "hr" else url_for("respond.enter")


def retry_minutes(error: HTTPException) -> int | None:
    """Whole minutes of the exception's Retry-After (in seconds), when it has one."""
    value = dict(error.get_headers()).get("Retry-After", "")
    return max(1, -(-int(value) // 60)) if value.isdigit() else None


def view_description(error: HTTPException) -> str | None:
    """The description a view gave to `abort()`, if any: not the class's own English text,
    not a CSRF failure reason (English, for developers), never on a 5xx."""
    code = error.code or 500
    if code >= 500 or isinstance(error, CSRFError):
        return None
    description = error.description
    if description is None or description.startswith(default_description(type(error))):
        return None
    return str(description)


def default_description(cls: type[HTTPException]) -> str:
    """The class's own text (a subclass such as BadRequestKeyError makes it a property that
    appends the exception in debug mode)."""
    for klass in cls.__mro__:
        text = vars(klass).get("description")
        if isinstance(text, str):
            return text
    return ""


def texts(error: HTTPException, where: str) -> ErrorText:
    """The title, explanation, next step and link text in the current locale."""
    code = error.code or 500
    explanation = EXPLANATIONS.get(code, EXPLANATIONS[400])
    if isinstance(error, MethodNotAllowed) and request.method in ("GET", "HEAD") \
            and "POST" in (error.valid_methods or ()):
        explanation = FORM_ONLY
    if isinstance(error, CSRFError):
        explanation = CSRF_FAILED
    next_step = NEXT_STEPS[where].get(code)
    if code == 429:
        minutes = retry_minutes(error)
        next_step = _("Tunggu %(minutes)s menit, lalu coba lagi.", minutes=minutes) \
            if minutes is not None else _("Tunggu beberapa menit, lalu coba lagi.")
    return ErrorText(lang=current_lang(), title=str(TITLES.get(code, TITLES[400])),
                     explanation=str(explanation),
                     next_step=str(next_step) if next_step is not None else None,
                     link=str(LINKS[where]))


def error_page(error: HTTPException) -> ResponseReturnValue:
    """The error page for `error`, with its status code and headers."""
    if error.response is not None:  # abort(response): the view built the answer itself
        return error.response
    where = area()
    lang = current_lang()
    main = texts(error, where)
    with force_locale("en" if lang == "id" else "id"):
        beneath = texts(error, where)
    html = render_template("error.html", code=error.code or 500, main=main, beneath=beneath,
                           description=view_description(error), start=start_url(where))
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return html, error.code or 500, headers


def server_error(error: InternalServerError) -> ResponseReturnValue:
    """The 500 page; a plain bilingual text if the page itself fails (e.g. a broken template
    or catalogue)."""
    try:
        return error_page(error)
    except Exception:  # the answer to a failure must not fail
        current_app.logger.exception("The error page could not be rendered")
        return FALLBACK, 500, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app: Flask) -> None:
    """Answer every HTTP error, and every unexpected exception (a 500), with the page."""
    app.register_error_handler(HTTPException, error_page)
    app.register_error_handler(InternalServerError, server_error)
