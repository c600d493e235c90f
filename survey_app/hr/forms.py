"""The HR forms (Flask-WTF: CSRF on every state-changing request, even a single button)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from ..models import K_DEFAULT, K_MINIMUM
from ..services.responses import CUT_CHOICES

CUTS = [SelectChoice("", "-"), *(SelectChoice(cut, cut) for cut in CUT_CHOICES)]
FORMATS = [SelectChoice("csv", "CSV"), SelectChoice("pdf", "PDF")]
ROLE_CHOICES = [SelectChoice("admin", _l("Admin")), SelectChoice("analyst", _l("Analis")),
                SelectChoice("unit_head", _l("Kepala unit"))]


EXPORT_FORMATS = [SelectChoice("csv", "CSV"), SelectChoice("xlsx", "Excel (.xlsx)"),
                  SelectChoice("sav", "SPSS (.sav)")]


class EmptyForm(FlaskForm):
    """A form with only a button: still CSRF-protected (microblog's EmptyForm)."""

    submit = SubmitField(_l("Kirim"))


class LoginForm(FlaskForm):
    """HR login."""

    username = StringField(_l("Nama pengguna"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired()])
    submit = SubmitField(_l("Masuk"))


class UnitImportForm(FlaskForm):
    """Upload of a CSV or Excel file with code, name, parent_code, headcount."""

    file = FileField(_l("Berkas CSV atau Excel"), validators=[FileRequired()])
    submit = SubmitField(_l("Impor"))


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WaveChoicesForm(FlaskForm):
    """The instrument versions and units of a draft wave (the view sets the choices)."""

    # Checked here rather than by WTForms, to name the refused value in the page's language.
    instruments = CheckboxesField(_l("Instrumen"), validate_choice=False)
    units = SelectMultipleField(_l("Unit"), coerce=int, validators=[DataRequired()])

    def validate_instruments(self, field: CheckboxesField) -> None:
        """At least one listed instrument version, and one version per instrument."""
        labels = {str(c.value): str(c.label) for c in field.choices or []}
        if not field.data:
            raise ValidationError(_("Pilih sedikitnya satu instrumen."))
        for key in field.data:
            if key not in labels:
                raise ValidationError(_("Instrumen %(d)s tidak ditemukan.", d=key))
        ids = [key.partition("@")[0] for key in field.data]
        twice = [labels[key] for key, ident in zip(field.data, ids, strict=True)
                 if ids.count(ident) > 1]
        if twice:
            raise ValidationError(_("Pilih satu versi saja untuk setiap instrumen (terpilih: "
                                    "%(v)s).", v="; ".join(twice)))


class WaveForm(WaveChoicesForm):
    """Create a wave (draft)."""

    name = StringField(_l("Nama gelombang"), validators=[DataRequired(), Length(max=120)])
    period = StringField(_l("Periode (mis. 2026-Q4)"), validators=[DataRequired(), Length(max=16)])
    opens_on = DateField(_l("Dibuka"), validators=[DataRequired()])
    closes_on = DateField(_l("Ditutup"), validators=[DataRequired()])
    k = IntegerField(_l("Ukuran kelompok minimum k"), default=K_DEFAULT,
                     validators=[InputRequired(), NumberRange(min=K_MINIMUM)])
    cut = SelectField(_l("Pemilahan"), choices=CUTS,
                      default="")
    submit = SubmitField(_l("Simpan"))


class WaveDraftForm(WaveChoicesForm):
    """Change a draft wave's k, cut, dates, instruments and units (audited)."""

    k = IntegerField(_l("Ukuran kelompok minimum k"),
                     validators=[InputRequired(), NumberRange(min=K_MINIMUM)])
    cut = SelectField(_l("Pemilahan"), choices=CUTS)
    opens_on = DateField(_l("Dibuka"), validators=[DataRequired()])
    closes_on = DateField(_l("Ditutup"), validators=[DataRequired()])
    submit = SubmitField(_l("Simpan perubahan"))


class IssueCodesForm(FlaskForm):
    """Issue codes for one unit (or all units at their headcount) as CSV or slips PDF."""

    unit = SelectField(_l("Unit"), coerce=int)
    count = IntegerField(_l("Jumlah (kosong = jumlah pegawai)"),
                         validators=[Optional(), NumberRange(min=1, max=10_000)])
    fmt = SelectField(_l("Format"), choices=FORMATS, default="csv")
    submit = SubmitField(_l("Buat kode"))


class WholeNumberField(IntegerField):
    """A whole number, refused in the page's language."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the number; anything but an optional sign and digits gets our message."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        raw = str(valuelist[0]).strip()
        if not raw.removeprefix("-").isdigit():
            self.data = None
            raise ValueError(_("%(f)s harus bilangan bulat (diisi: %(v)s).",
                               f=self.label.text, v=raw))
        self.data = int(raw)


class TrainingForm(FlaskForm):
    """Log a training event of a unit."""

    unit = SelectField(_l("Unit"), coerce=int)
    held_on = DateField(_l("Tanggal"), validators=[DataRequired()])
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=200)])
    hours_jp = FloatField(_l("Jam pelajaran (JP)"),
                          validators=[InputRequired(), NumberRange(min=0.5, max=1000)])
    provider = StringField(_l("Penyelenggara"), validators=[Optional(), Length(max=200)])
    # the view lists the plan actions of the units the user may see; 0 = none
    plan_action = SelectField(_l("Tindakan rencana pengembangan (opsional)"), coerce=int,
                              default=0)
    # left empty (or not posted by an older page): one participant
    participants = WholeNumberField(_l("Jumlah peserta (ASN)"), default=1, validators=[
        Optional(),
        NumberRange(min=1, max=100_000, message=_l("Jumlah peserta paling sedikit 1."))])
    submit = SubmitField(_l("Simpan"))


class _UnitChoice(FlaskForm):
    """Role and unit; the unit is checked by the service (a clear message for an unknown one),
    not by the select's choice list."""

    role = SelectField(_l("Peran"), choices=ROLE_CHOICES)
    unit = SelectField(_l("Unit (wajib untuk kepala unit)"), coerce=int, default=0,
                       validate_choice=False)


class UserCreateForm(_UnitChoice):
    """Create an HR user; the password rule is the service's (shared with the CLI)."""

    username = StringField(_l("Nama pengguna"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Kata sandi awal"), validators=[DataRequired()])
    confirm = PasswordField(_l("Ulangi kata sandi"), validators=[
        EqualTo("password", message=_l("Kedua kata sandi tidak sama."))])
    submit = SubmitField(_l("Buat pengguna"))


class UserRoleForm(_UnitChoice):
    """Change a user's role and unit."""

    submit = SubmitField(_l("Simpan peran"))


class PasswordResetForm(FlaskForm):
    """Set a new password for a user."""

    password = PasswordField(_l("Kata sandi baru"), validators=[DataRequired()])
    confirm = PasswordField(_l("Ulangi kata sandi"), validators=[
        EqualTo("password", message=_l("Kedua kata sandi tidak sama."))])
    submit = SubmitField(_l("Ganti kata sandi"))


class FlagForm(FlaskForm):
    """Set a yes/no flag explicitly (1 or 0): a repeated click does not toggle it back."""

    value = HiddenField(validators=[AnyOf(["0", "1"])])
    submit = SubmitField(_l("Kirim"))


class RespondentExportForm(FlaskForm):
    """Download the respondent-level export (a POST: every download is audited)."""

    fmt = SelectField(_l("Format"), choices=EXPORT_FORMATS, default="csv")
    submit = SubmitField(_l("Unduh data per responden"))


class FollowUpForm(FlaskForm):
    """Add a line to an SKM period's follow-up plan (the view lists the unsur)."""

    unsur = SelectField(_l("Prioritas unsur"))
    action = TextAreaField(_l("Program/kegiatan"), validators=[DataRequired(), Length(max=500)])
    owner = StringField(_l("Penanggung jawab (jabatan, bukan nama)"),
                        validators=[DataRequired(), Length(max=200)])
    due_on = DateField(_l("Waktu (tenggat)"), validators=[DataRequired()])
    submit = SubmitField(_l("Tambahkan"))


class FollowUpStatusForm(FlaskForm):
    """Change the status of one follow-up line."""

    status = SelectField(_l("Status"), choices=[
        SelectChoice("direncanakan", _l("direncanakan")), SelectChoice("berjalan", _l("berjalan")),
        SelectChoice("selesai", _l("selesai")), SelectChoice("dibatalkan", _l("dibatalkan"))])
    submit = SubmitField(_l("Ubah status"))


class NeedEntry(Form):
    """One need raised at a forum and what it concerns (a sub-form: no token of its own)."""

    text = StringField(_l("Kebutuhan yang disampaikan"), validators=[Length(max=500)])
    target = SelectField(_l("Berkaitan dengan"), validate_choice=False)


class ForumForm(FlaskForm):
    """Record a citizens' consultation forum (the view sets unit and target choices)."""

    unit = SelectField(_l("Unit"), coerce=int)
    held_on = DateField(_l("Tanggal"), validators=[DataRequired()])
    topic = StringField(_l("Topik"), validators=[DataRequired(), Length(max=200)])
    participants = IntegerField(_l("Jumlah peserta"),
                                validators=[InputRequired(), NumberRange(min=1, max=100_000)])
    needs = FieldList(FormField(NeedEntry), min_entries=5, max_entries=5)
    submit = SubmitField(_l("Simpan forum"))


class CommentModerationForm(FlaskForm):
    """Hide a comment, or show a hidden one again (HR moderation; never an edit)."""

    comment = HiddenField(validators=[DataRequired(), Length(max=36)])
    submit = SubmitField(_l("Sembunyikan"))


class PopulationForm(FlaskForm):
    """The number of citizens a service unit served in an SKM wave's period."""

    unit = SelectField(_l("Unit layanan"), coerce=int)
    population = IntegerField(_l("Jumlah penerima layanan dalam periode ini (populasi)"),
                              validators=[InputRequired(), NumberRange(min=1, max=100_000_000)])
    submit = SubmitField(_l("Simpan populasi"))


class KioskForm(FlaskForm):
    """Register a tablet at a service unit's counter as a kiosk."""

    unit = SelectField(_l("Unit layanan"), coerce=int)
    label = StringField(_l("Nama kiosk (misalnya: Loket 1)"),
                        validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Daftarkan kiosk"))


# ---------------------------------------------------------------- development plans

MONTHS = [SelectChoice(1, _l("Januari")), SelectChoice(2, _l("Februari")),
          SelectChoice(3, _l("Maret")), SelectChoice(4, _l("April")),
          SelectChoice(5, _l("Mei")), SelectChoice(6, _l("Juni")), SelectChoice(7, _l("Juli")),
          SelectChoice(8, _l("Agustus")), SelectChoice(9, _l("September")),
          SelectChoice(10, _l("Oktober")), SelectChoice(11, _l("November")),
          SelectChoice(12, _l("Desember"))]


PATH_CHOICES = [SelectChoice("klasikal", _l("Klasikal (pelatihan tatap muka)")),
                SelectChoice("elearning", _l("E-learning")),
                SelectChoice("coaching", _l("Coaching/mentoring di tempat kerja")),
                SelectChoice("kemitraan", _l("Kemitraan dengan perguruan tinggi atau "
                                             "lembaga pelatihan"))]


GROUP_CHOICES = [SelectChoice("semua", _l("Semua jabatan")),
                 SelectChoice("struktural", _l("Jabatan struktural")),
                 SelectChoice("fungsional", _l("Jabatan fungsional")),
                 SelectChoice("pelaksana", _l("Jabatan pelaksana"))]


ACTION_STATUS_CHOICES = [SelectChoice("direncanakan", _l("Direncanakan")),
                         SelectChoice("berjalan", _l("Berjalan")),
                         SelectChoice("selesai", _l("Selesai")),
                         SelectChoice("dibatalkan", _l("Dibatalkan"))]


class DecimalNumberField(FloatField):
    """A number that may be typed with a decimal comma (1,5), refused in the page's
    language; a text box, since a number box refuses the comma in some browsers."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{self.data:g}" if self.data is not None else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read "1,5" as 1.5; anything else that is not a number gets our message."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = float(str(valuelist[0]).strip().replace(",", "."))
        except ValueError as exc:
            self.data = None
            raise ValueError(_("%(f)s harus berupa angka (mis. 8 atau 1,5).",
                               f=self.label.text)) from exc


class RupiahField(IntegerField):
    """A whole amount in rupiah; "Rp 15.000.000" and "15 000 000" are read as 15000000."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Drop "Rp", spaces and thousands dots; refuse anything but whole rupiah."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        raw = str(valuelist[0]).strip()
        digits = raw.removeprefix("Rp").removeprefix("rp").replace(".", "").replace(" ", "")
        if not digits.isdigit():
            self.data = None
            raise ValueError(_("%(f)s harus jumlah rupiah bulat nol atau lebih, tanpa sen "
                               "(mis. 15000000 atau 15.000.000), bukan %(v)s.",
                               f=self.label.text, v=raw))
        self.data = int(digits)


class PlanDraftForm(FlaskForm):
    """Draft a unit's plan for a year from a closed wave's results."""

    year = WholeNumberField(_l("Tahun rencana"), validators=[
        InputRequired(_l("Isi tahun rencana.")),
        NumberRange(min=2000, max=2100, message=_l("Tahun rencana harus antara 2000 dan "
                                                   "2100."))])
    submit = SubmitField(_l("Susun rencana"))


class PlanActionForm(FlaskForm):
    """One action of a development plan; the view lists the dimensions it may target."""

    title = StringField(_l("Tindakan"), validators=[
        DataRequired(_l("Tuliskan tindakannya.")), Length(max=300)])
    target = SelectField(_l("Dimensi sasaran"), default="")
    competence = StringField(_l("Atau kompetensi sasaran (bila bukan dimensi)"),
                             validators=[Optional(), Length(max=200)])
    target_group = SelectField(_l("Kelompok sasaran (jenis jabatan)"), choices=GROUP_CHOICES,
                               default="semua")
    path = SelectField(_l("Jalur pengembangan"), choices=PATH_CHOICES)
    provider = StringField(_l("Penyelenggara"), validators=[Optional(), Length(max=200)])
    start_month = SelectField(_l("Mulai (bulan)"), choices=MONTHS, coerce=int, default=1)
    end_month = SelectField(_l("Selesai (bulan)"), choices=MONTHS, coerce=int, default=12)
    hours_jp = DecimalNumberField(_l("Jam pelajaran per peserta (JP)"), validators=[
        InputRequired(_l("Isi jam pelajaran (JP).")),
        NumberRange(min=0.5, max=1000, message=_l("JP harus antara 0,5 dan 1000."))])
    budget = RupiahField(_l("Anggaran (rupiah)"), default=0, validators=[
        InputRequired(_l("Isi anggaran (0 bila tanpa biaya).")),
        NumberRange(min=0, max=10**13, message=_l("Anggaran tidak boleh negatif."))])
    status = SelectField(_l("Status"), choices=ACTION_STATUS_CHOICES, default="direncanakan")
    submit = SubmitField(_l("Simpan tindakan"))

    def validate_end_month(self, field: SelectField) -> None:
        """The action ends in or after the month it starts."""
        if isinstance(field.data, int) and isinstance(self.start_month.data, int) \
                and field.data < self.start_month.data:
            raise ValidationError(_("Bulan selesai tidak boleh sebelum bulan mulai."))

    def validate_competence(self, field: StringField) -> None:
        """An action targets a dimension or a named competence."""
        if not self.target.data and not (field.data or "").strip():
            raise ValidationError(_("Pilih dimensi sasaran atau tuliskan kompetensinya."))


class PlanStatusForm(FlaskForm):
    """Approve a plan or put it back to draft."""

    status = HiddenField(validators=[AnyOf(["draft", "approved"])])
    submit = SubmitField(_l("Kirim"))


class OfferForm(FlaskForm):
    """One learning offer of the organisation (e-learning link, partner programme)."""

    title = StringField(_l("Judul"), validators=[DataRequired(_l("Tuliskan judulnya.")),
                                                 Length(max=200)])
    path = SelectField(_l("Jalur pengembangan"), choices=PATH_CHOICES)
    provider = StringField(_l("Penyelenggara"), validators=[Optional(), Length(max=200)])
    url = StringField(_l("Tautan (opsional)"), validators=[Optional(), Length(max=500)])
    target = SelectField(_l("Dimensi yang dilayani (opsional)"), default="")
    active = BooleanField(_l("Aktif (diusulkan dalam rencana)"), default=True)
    submit = SubmitField(_l("Simpan"))

    def validate_url(self, field: StringField) -> None:
        """A web address, so the link opens a page and nothing else."""
        value = (field.data or "").strip()
        if value and not value.lower().startswith(("https://", "http://")):
            raise ValidationError(_("Tautan harus diawali https:// atau http://."))
