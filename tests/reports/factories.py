"""Hand-made report contexts with distinctive numbers that tests look for in the PDFs."""

from __future__ import annotations

from instruments.model import Action, Direction, Text
from reports.context import (
    DimensionResult,
    InstrumentSection,
    ItemDistribution,
    OrgDimension,
    OrgReportContext,
    OrgUnitRow,
    QualityRow,
    SignificantChange,
    SkmReportContext,
    SkmUnsur,
    TrainingMark,
    TrendSeries,
    UnitReportContext,
)

WAVES = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
AGREE5 = tuple(Text(i, e) for i, e in [
    ("Sangat tidak setuju", "Strongly disagree"), ("Tidak setuju", "Disagree"),
    ("Netral", "Neutral"), ("Setuju", "Agree"), ("Sangat setuju", "Strongly agree")])


def dim(code, name_id, name_en, score, direction=Direction.HIGHER_BETTER, trend="no_clear_change",
        change=1.2, comparison="similar", rwg=0.81, agreement="strong_agreement",
        unit_alpha=0.688, unit_alpha_n=21, cmp_est=1.5):
    return DimensionResult(
        code=code, name=Text(name_id, name_en),
        description=Text(f"Deskripsi {name_id}", f"Description of {name_en}"),
        direction=direction,
        actions=(Action("training", Text(f"Pelatihan {name_id}", f"Training on {name_en}")),
                 Action("elearning", Text(f"Modul e-learning {name_id}",
                                          f"E-learning module {name_en}"))),
        n=23, score100=score, ci_low100=score - 6.4, ci_high100=score + 6.3, favourable=0.62,
        previous_score100=score - change, change100=change, change_q=0.31, hedges_g=0.1,
        trend=trend, org_score100=55.2, percentile=48.0, comparison=comparison, rwg_j=rwg,
        agreement=agreement, unit_alpha=unit_alpha, unit_alpha_n=unit_alpha_n, n_items=2,
        estimate100=score - 1.0, estimate_ci_low100=score - 6.0, estimate_ci_high100=score + 4.0,
        change_est100=0.8 * change, change_ci_low100=0.8 * change - 9.0,
        change_ci_high100=0.8 * change + 9.0, change_mdc100=24.6, cmp_est100=cmp_est,
        cmp_ci_low100=cmp_est - 9.0, cmp_ci_high100=cmp_est + 9.0, cmp_mdc100=22.4)


def section(title_id, title_en, dims, collective=True):
    items = tuple(
        ItemDistribution(code=f"{d.code}{j}", text=Text(f"Butir {d.code}{j} tentang unit kami",
                                                        f"Item {d.code}{j} about our unit"),
                         reverse=(j == 2), n=23, shares=(0.05, 0.1, 0.2, 0.4, 0.25))
        for d in dims for j in (1, 2))
    quality = tuple(QualityRow(name=d.name, n_items=2, n=412, alpha=0.834, alpha_ci_low=0.801,
                               alpha_ci_high=0.862, omega=0.851, icc1=0.121 if collective else None,
                               icc2=0.744 if collective else None) for d in dims)
    trend = tuple(TrendSeries(name=d.name, scores100=(d.score100 - 5, None, d.score100 - 1.2,
                                                      d.score100)) for d in dims)
    return InstrumentSection(title=Text(title_id, title_en), citation=f"Citation {title_en}",
                             option_labels=AGREE5, collective=collective, dimensions=dims,
                             items=items, quality=quality, wave_labels=WAVES, trend=trend)


def unit_context(unit_name="Kelurahan Plaju Ulu", shown=True, **kw):
    readiness = section("Kesiapan untuk berubah", "Readiness for change", (
        dim("cc", "Komitmen perubahan", "Change commitment", 71.4, trend="up", change=8.6,
            comparison="above", cmp_est=12.0),
        dim("ce", "Efikasi perubahan", "Change efficacy", 38.6, trend="down", change=-7.2,
            comparison="below", cmp_est=-10.0),
    ))
    resistance = section("Penolakan terhadap perubahan", "Resistance to change", (
        dim("rs", "Mencari rutinitas", "Routine seeking", 64.2,
            direction=Direction.HIGHER_WORSE, comparison="above", cmp_est=8.0),
        dim("er", "Reaksi emosional", "Emotional reaction", 22.7,
            direction=Direction.HIGHER_WORSE, trend="not_computable", comparison="below",
            cmp_est=-15.0),
    ), collective=False)
    defaults = dict(org_name="Pemerintah Kota Palembang", unit_name=unit_name,
                    wave_label="2026-Q4", period="Oktober–Desember 2026", k=5, shown=shown,
                    n_respondents=23, n_invited=31, instruments=(readiness, resistance),
                    events=(TrainingMark("2026-Q2", "Pelatihan kepemimpinan perubahan"),),
                    generated_on="2027-01-05")
    defaults.update(kw)
    return UnitReportContext(**defaults)


def org_context(n_units=8):
    dims = (OrgDimension("cc", Text("Komitmen perubahan", "Change commitment"),
                         Text("Kesiapan", "Readiness"), Direction.HIGHER_BETTER),
            OrgDimension("rs", Text("Mencari rutinitas", "Routine seeking"),
                         Text("Penolakan", "Resistance"), Direction.HIGHER_WORSE))
    units = [OrgUnitRow("Pemerintah Kota Palembang", 0, 412, 520, True, (55.2, 47.1))]
    for i in range(n_units):
        shown = i % 4 != 3
        units.append(OrgUnitRow(f"Unit {i + 1}", 1, 20 + i if shown else None, 30, shown,
                                (40.0 + 3 * i, 60.0 - 2 * i) if shown else (None, None)))
    changes = (SignificantChange("Unit 2", dims[0].name, Direction.HIGHER_BETTER, 40.3, 52.9,
                                 10.2, 2.1, 18.3, 8.6, "up"),)
    quality = tuple(QualityRow(name=d.name, n_items=5, n=412, alpha=0.871, alpha_ci_low=0.85,
                               alpha_ci_high=0.89, omega=0.88, icc1=0.09, icc2=0.69, rwg_j=0.77)
                    for d in dims)
    return OrgReportContext(org_name="Pemerintah Kota Palembang", wave_label="2026-Q4",
                            period="Oktober–Desember 2026", k=5, n_respondents=412,
                            n_invited=520, dimensions=dims, units=tuple(units),
                            changes=changes, quality=quality, previous_wave_label="2026-Q3",
                            generated_on="2027-01-05")


UNSUR = ("Persyaratan", "Sistem, mekanisme dan prosedur", "Waktu penyelesaian",
         "Biaya/tarif", "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana",
         "Perilaku pelaksana", "Penanganan pengaduan, saran dan masukan",
         "Sarana dan prasarana")


def skm_context(n=120, **kw):
    nrr = (3.21, 3.05, 2.87, 3.62, 3.11, 3.24, 3.33, 2.95, 3.08)
    unsur = tuple(SkmUnsur(f"U{i + 1}", Text(name, name), v)
                  for i, (name, v) in enumerate(zip(UNSUR, nrr, strict=True)))
    ikm = sum(nrr) / 9
    defaults = dict(org_name="Pemerintah Kota Palembang", service_unit="Kecamatan Plaju",
                    period="Semester II 2026", n_respondents=n, unsur=unsur, ikm=ikm,
                    converted=ikm * 25, mutu="B", population=1000, required_sample=278)
    defaults.update(kw)
    return SkmReportContext(**defaults)
