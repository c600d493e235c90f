"""A unit's development plan (Rencana Pengembangan Kompetensi) as a PDF a BKPSDM can file:
plain data in (the web app translates the labels it chose), HTML through the reports' Jinja
environment, PDF through the assets-only fetcher. No Flask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports import texts as _texts  # noqa: F401  (registers the shared report texts)
from reports.errors import ReportError
from reports.i18n import check_lang, register
from reports.render import render_html, render_pdf
from reports.wording import DASH, number

#: JP per ASN per year that PP 11/2017 asks for.
JP_PER_ASN = 20

register({
    "plan.title": {"id": "Rencana Pengembangan Kompetensi", "en": "Competence Development Plan"},
    "plan.basis": {
        "id": "Disusun menurut PP 11/2017 tentang Manajemen PNS (Pasal 203–207): jalur "
              "klasikal, e-learning, coaching/mentoring, dan kemitraan dengan perguruan tinggi "
              "atau lembaga pelatihan; sasaran menurut jenis jabatan, bukan perorangan.",
        "en": "Drawn up under Government Regulation 11/2017 on civil service management "
              "(Articles 203–207): classroom, e-learning, coaching/mentoring, and programmes "
              "with a university or training institute; targets are position types, never "
              "persons."},
    "plan.organisation": {"id": "Organisasi", "en": "Organisation"},
    "plan.unit": {"id": "Unit kerja", "en": "Unit"},
    "plan.year": {"id": "Tahun", "en": "Year"},
    "plan.status": {"id": "Status rencana", "en": "Plan status"},
    "plan.source": {"id": "Disusun dari hasil gelombang", "en": "Drafted from the results of"},
    "plan.headcount": {"id": "Jumlah pegawai (saat ini)", "en": "Headcount (current)"},
    "plan.no": {"id": "No", "en": "No"},
    "plan.action": {"id": "Tindakan", "en": "Action"},
    "plan.target": {"id": "Sasaran (dimensi/kompetensi)", "en": "Target (dimension/competence)"},
    "plan.group": {"id": "Kelompok sasaran", "en": "Target group"},
    "plan.path": {"id": "Jalur", "en": "Path"},
    "plan.provider": {"id": "Penyelenggara", "en": "Provider"},
    "plan.schedule": {"id": "Jadwal", "en": "Schedule"},
    "plan.jp": {"id": "JP per peserta", "en": "JP per participant"},
    "plan.budget": {"id": "Anggaran", "en": "Budget"},
    "plan.action_status": {"id": "Status", "en": "Status"},
    "plan.delivered": {"id": "JP terlaksana", "en": "JP delivered"},
    "plan.totals": {"id": "Jumlah (tanpa tindakan yang dibatalkan)",
                    "en": "Total (cancelled actions left out)"},
    "plan.no_actions": {"id": "Rencana ini belum memiliki tindakan.",
                        "en": "This plan has no actions yet."},
    "plan.jp_heading": {"id": "Jam pelajaran (JP) tahun {year}",
                        "en": "Training hours (JP) in {year}"},
    "plan.jp_delivered": {"id": "JP terlaksana (jam × peserta, pelatihan tercatat unit ini)",
                          "en": "JP delivered (hours × participants, training recorded for "
                                "this unit)"},
    "plan.jp_target": {"id": "Target: 20 JP × jumlah pegawai",
                       "en": "Target: 20 JP × headcount"},
    "plan.jp_per_asn": {"id": "JP per ASN", "en": "JP per ASN"},
    "plan.jp_share": {"id": "Capaian terhadap target", "en": "Share of the target"},
    "plan.aggregate": {
        "id": "Semua angka JP adalah jumlah untuk unit; rencana dan laporan ini tidak memuat "
              "nama atau data perorangan.",
        "en": "All JP figures are totals for the unit; this plan names no person and holds no "
              "individual data."},
    "plan.signature": {"id": "Mengetahui,", "en": "Acknowledged,"},
    "plan.signature_unit": {"id": "Kepala unit kerja", "en": "Head of unit"},
    "plan.signature_bkpsdm": {"id": "Kepala BKPSDM", "en": "Head of BKPSDM"},
})


@dataclass(frozen=True)
class PlanRow:
    """One action as printed; the labels are already in the document's language."""

    title: str
    target: str
    group: str
    path: str
    provider: str
    schedule: str
    hours_jp: float
    budget: int
    status: str
    cancelled: bool
    delivered_jp: float


@dataclass(frozen=True)
class PlanDocument:
    """Everything the plan PDF prints."""

    org_name: str
    unit_name: str
    year: int
    status: str
    wave_label: str
    headcount: int
    rows: tuple[PlanRow, ...]
    delivered_jp: float
    generated_on: str


def rupiah(value: int, lang: str) -> str:
    """A whole amount of rupiah with thousands separators (Rp 15.000.000 / IDR 15,000,000)."""
    grouped = f"{value:,}"
    return f"Rp {grouped.replace(',', '.')}" if lang == "id" else f"IDR {grouped}"


def plan_data(doc: PlanDocument, lang: str) -> dict[str, Any]:
    """Plain template data: numbers formatted in the language, totals, the JP summary."""
    if doc.headcount < 0:
        raise ReportError(f"headcount < 0 for {doc.unit_name!r}")
    live = [r for r in doc.rows if not r.cancelled]
    target = JP_PER_ASN * doc.headcount
    return {
        "doc": doc,
        "rows": [{"no": i, "row": r, "jp": number(r.hours_jp, 1, lang).removesuffix(
            ",0" if lang == "id" else ".0"), "budget": rupiah(r.budget, lang),
            "delivered": number(r.delivered_jp, 1, lang)} for i, r in enumerate(doc.rows, 1)],
        "total_jp": number(sum(r.hours_jp for r in live), 1, lang),
        "total_budget": rupiah(sum(r.budget for r in live), lang),
        "total_delivered": number(sum(r.delivered_jp for r in doc.rows), 1, lang),
        "jp_delivered": number(doc.delivered_jp, 1, lang),
        "jp_target": str(target),
        "jp_per_asn": number(doc.delivered_jp / doc.headcount, 1, lang)
        if doc.headcount else DASH,
        "jp_share": (number(100 * doc.delivered_jp / target, 0, lang) + " %") if target else DASH,
    }


def plan_html(doc: PlanDocument, lang: str = "id") -> str:
    """The plan as HTML."""
    check_lang(lang)
    return render_html("plan.html", lang, **plan_data(doc, lang))


def render_plan(doc: PlanDocument, lang: str = "id") -> bytes:
    """The plan as PDF bytes."""
    return render_pdf(plan_html(doc, lang))
