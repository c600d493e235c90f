"""The audit log page (HR only, on the blueprint `admin`): newest first, a page at a time,
each action told in a sentence of the page's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination

from ..extensions import db
from ..models import AuditEntry, Wave
from .auth import login_required
from .blueprint import bp
from .common import HR

PAGE_SIZE = 50
PAGE_ARG = "halaman"
# What each action key means; %(wave)s is the wave's name. A key missing here (a newer
# feature's action) is shown with the generic sentence and the key itself.
SENTENCES = {
    "login": _l("Masuk ke Lentera."),
    "login.failed": _l("Gagal masuk: nama pengguna atau kata sandi salah."),
    "login.inactive": _l("Masuk ditolak: akun ini dinonaktifkan."),
    "logout": _l("Keluar dari Lentera."),
    "units.import": _l("Mengimpor struktur unit kerja."),
    "wave.create": _l("Membuat gelombang %(wave)s."),
    "wave.k": _l("Mengubah k gelombang %(wave)s."),
    "wave.cut": _l("Mengubah pemilahan gelombang %(wave)s."),
    "wave.opens_on": _l("Mengubah tanggal buka gelombang %(wave)s."),
    "wave.closes_on": _l("Mengubah tanggal tutup gelombang %(wave)s."),
    "wave.instruments": _l("Mengubah instrumen gelombang %(wave)s."),
    "wave.units": _l("Mengubah unit gelombang %(wave)s."),
    "wave.open": _l("Membuka gelombang %(wave)s."),
    "wave.close": _l("Menutup gelombang %(wave)s."),
    "wave.publish": _l("Menerbitkan hasil gelombang %(wave)s."),
    "codes.issue": _l("Membuat kode partisipasi untuk gelombang %(wave)s."),
    "training.add": _l("Mencatat pelatihan."),
    "skm.follow_up": _l("Menambahkan rencana tindak lanjut SKM gelombang %(wave)s."),
    "skm.follow_up_status": _l("Mengubah status tindak lanjut SKM gelombang %(wave)s."),
    "forum.add": _l("Mencatat forum konsultasi publik."),
    "user.create": _l("Membuat pengguna."),
    "user.update": _l("Mengubah peran atau unit pengguna."),
    "user.password_reset": _l("Mengganti kata sandi pengguna."),
    "user.deactivate": _l("Menonaktifkan pengguna."),
    "user.reactivate": _l("Mengaktifkan kembali pengguna."),
    "user.export_grant": _l("Memberi izin ekspor data per responden."),
    "user.export_revoke": _l("Mencabut izin ekspor data per responden."),
    "export.respondents": _l("Mengunduh data per responden gelombang %(wave)s."),
    "comment.hide": _l("Menyembunyikan satu komentar responden gelombang %(wave)s."),
    "comment.show": _l("Menampilkan lagi satu komentar responden gelombang %(wave)s."),
    "kiosk.register": _l("Mendaftarkan kiosk survei warga untuk gelombang %(wave)s."),
    "kiosk.revoke": _l("Mencabut kiosk survei warga gelombang %(wave)s."),
    "skm.population": _l("Mencatat populasi unit layanan untuk gelombang %(wave)s."),
    "plan.create": _l("Menyusun rencana pengembangan kompetensi dari hasil gelombang "
                      "%(wave)s."),
    "plan.action_add": _l("Menambah tindakan rencana pengembangan."),
    "plan.action_update": _l("Mengubah tindakan rencana pengembangan."),
    "plan.action_remove": _l("Menghapus tindakan rencana pengembangan."),
    "plan.approved": _l("Menyetujui rencana pengembangan kompetensi."),
    "plan.draft": _l("Mengembalikan rencana pengembangan kompetensi ke draf."),
    "plan.training": _l("Mencatat pelatihan terhadap tindakan rencana pengembangan."),
    "offer.add": _l("Menambah tawaran pembelajaran organisasi."),
    "offer.update": _l("Mengubah tawaran pembelajaran organisasi."),
}


@dataclass(frozen=True)
class LogLine:
    """One audit entry as the page shows it."""

    entry: AuditEntry
    at: dt.datetime  # in UTC (PostgreSQL answers in the session's time zone)
    actor: str
    sentence: str


def describe(entry: AuditEntry, wave_names: dict[int, str]) -> str:
    """The entry's action as a sentence; an unknown key as a generic sentence naming it."""
    wave = wave_names.get(entry.wave_id, f"#{entry.wave_id}") if entry.wave_id else "–"
    sentence = SENTENCES.get(entry.action)
    if sentence is None:
        return str(_("Tindakan tercatat: %(key)s.", key=entry.action))
    return str(sentence) % {"wave": wave}


def in_utc(at: dt.datetime) -> dt.datetime:
    """`at` in UTC; SQLite gives it back without a zone, already in UTC."""
    return at if at.tzinfo is None else at.astimezone(dt.UTC)


def actor_name(entry: AuditEntry) -> str:
    """Who acted; "" is a failed login on no existing account (what was typed is not kept)."""
    return entry.actor or _("akun tidak dikenal")


def _page_number() -> int:
    """The page asked for in the query (1 when absent); anything but a positive number is 404."""
    raw = request.args.get(PAGE_ARG, "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(404)
    return int(raw)


@bp.route("/audit")
@login_required(*HR)
def audit_log() -> ResponseReturnValue:
    """The audit log, newest first, PAGE_SIZE entries a page (a page past the last is 404)."""
    page: Pagination = db.paginate(sa.select(AuditEntry).order_by(AuditEntry.id.desc()),
                                   page=_page_number(), per_page=PAGE_SIZE,
                                   max_per_page=PAGE_SIZE, error_out=True)
    wave_ids = {e.wave_id for e in page.items if e.wave_id is not None}
    waves = {wave_id: name for wave_id, name in db.session.execute(
        sa.select(Wave.id, Wave.name).where(Wave.id.in_(wave_ids)))}
    lines = [LogLine(e, in_utc(e.at), actor_name(e), describe(e, waves)) for e in page.items]
    return render_template("hr/audit.html", lines=lines, page=page, page_arg=PAGE_ARG)
