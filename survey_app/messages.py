"""User-facing messages for service errors (Bahasa Indonesia source, English catalogue)."""

from __future__ import annotations

from flask_babel import gettext as _

from .services import RowError, WaveRuleError
from .services.skm_followup import FollowUpRuleError
from .services.users import UserRuleError


def row_error_message(error: RowError) -> str:
    """One import-file problem, naming the row."""
    texts: dict[str, str] = {
        "missing_columns": _("Baris %(row)s: kolom wajib tidak ada: %(value)s "
                             "(harus ada code, name, parent_code, headcount)."),
        "empty_code": _("Baris %(row)s: kode unit kosong."),
        "empty_name": _("Baris %(row)s: nama unit %(value)s kosong."),
        "duplicate_code": _("Baris %(row)s: kode unit %(value)s muncul lebih dari sekali."),
        "unknown_parent": _("Baris %(row)s: kode induk %(value)s tidak dikenal."),
        "bad_headcount": _("Baris %(row)s: jumlah pegawai %(value)s bukan bilangan bulat "
                           "nol atau lebih."),
        "cycle": _("Baris %(row)s: unit %(value)s menjadi induk dari dirinya sendiri "
                   "(lingkaran dalam struktur)."),
        "unreadable": _("Berkas tidak dapat dibaca (%(value)s). Simpan sebagai CSV UTF-8 atau "
                        "Excel .xlsx."),
    }
    return texts[error.kind] % {"row": error.row, "value": error.value}


def wave_rule_message(error: WaveRuleError) -> str:
    """An HR action that breaks a wave rule."""
    texts: dict[str, str] = {
        "k_too_small": _("k minimal 3 (diminta: %(d)s)."),
        "unknown_cut": _("Pemilahan tidak dikenal: %(d)s."),
        "dates_order": _("Tanggal tutup harus sesudah tanggal buka (%(d)s)."),
        "no_instruments": _("Pilih sedikitnya satu instrumen."),
        "no_units": _("Pilih sedikitnya satu unit."),
        "units_have_codes": _("Unit yang sudah punya kode gelombang ini tetap di dalamnya: "
                              "%(d)s."),
        "duplicate_name": _("Nama gelombang %(d)s sudah dipakai."),
        "unknown_instrument": _("Instrumen %(d)s tidak ditemukan."),
        "not_draft": _("Hanya gelombang berstatus draf yang dapat diubah atau dibuka "
                       "(status: %(d)s)."),
        "not_open": _("Hanya gelombang yang sedang dibuka yang dapat ditutup (status: %(d)s)."),
        "closed": _("Gelombang %(d)s sudah ditutup."),
        "unit_not_in_wave": _("Unit %(d)s tidak termasuk gelombang ini."),
        "bad_count": _("Jumlah kode tidak sah: %(d)s."),
        "empty_title": _("Judul pelatihan kosong."),
        "bad_hours": _("Jam pelajaran harus lebih dari nol (%(d)s)."),
    }
    return texts[error.reason] % {"d": error.detail}


def user_rule_message(error: UserRuleError) -> str:
    """A user-management action that breaks a rule."""
    texts: dict[str, str] = {
        "unknown_role": _("Peran tidak dikenal: %(d)s (pilih admin, analis atau kepala unit)."),
        "weak_password": _("Kata sandi harus terdiri atas sedikitnya %(d)s karakter."),
        "common_password": _("Kata sandi terlalu mudah ditebak (kata sandi, kata, nama atau "
                             "pola yang umum dipakai). Pakai beberapa kata yang tidak umum "
                             "atau sebuah kalimat pendek."),
        "empty_username": _("Nama pengguna tidak boleh kosong."),
        "duplicate_username": _("Nama pengguna %(d)s sudah dipakai."),
        "unknown_unit": _("Unit tidak dikenal: %(d)s."),
        "unit_required": _("Kepala unit harus memiliki unit; pilih unitnya."),
        "self_deactivate": _("Anda tidak dapat menonaktifkan akun Anda sendiri."),
        "self_demote": _("Anda tidak dapat mengubah peran akun Anda sendiri."),
        "last_admin": _("%(d)s adalah admin aktif terakhir; tetapkan admin lain terlebih "
                        "dahulu."),
    }
    return texts[error.reason] % {"d": error.detail}


def follow_up_rule_message(error: FollowUpRuleError) -> str:
    """An SKM follow-up line or a consultation forum that breaks a rule."""
    texts: dict[str, str] = {
        "not_closed_skm": _("Rencana tindak lanjut hanya untuk gelombang SKM yang sudah "
                            "ditutup (%(d)s)."),
        "unknown_unsur": _("Unsur tidak dikenal: %(d)s."),
        "unit_not_in_wave": _("Unit %(d)s tidak termasuk gelombang ini."),
        "empty_action": _("Program/kegiatan tidak boleh kosong."),
        "empty_owner": _("Penanggung jawab (jabatan) tidak boleh kosong."),
        "unknown_status": _("Status tidak dikenal: %(d)s."),
        "empty_topic": _("Topik forum tidak boleh kosong."),
        "bad_participants": _("Jumlah peserta harus sedikitnya 1 (%(d)s)."),
        "no_needs": _("Tuliskan sedikitnya satu kebutuhan yang disampaikan di forum."),
        "too_many_needs": _("Paling banyak lima kebutuhan per forum (%(d)s)."),
        "unknown_target": _("Unsur atau dimensi tidak dikenal: %(d)s."),
    }
    return texts[error.reason] % {"d": error.detail}


def rule_message(error: Exception) -> str:
    """The message of a refused wave, user, follow-up or forum change."""
    if isinstance(error, WaveRuleError):
        return wave_rule_message(error)
    if isinstance(error, FollowUpRuleError):
        return follow_up_rule_message(error)
    if isinstance(error, UserRuleError):
        return user_rule_message(error)
    raise TypeError(f"not a rule refusal: {error!r}")
