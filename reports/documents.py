"""The three reports: context -> template data (rounded, translated, charts) -> PDF."""

from __future__ import annotations

from typing import Any

from analysis.skm import mutu_for, priority_unsur
from instruments.model import Direction
from reports import charts
from reports import texts as _texts  # noqa: F401  (registers the report texts)
from reports.context import (
    CULTURE_IKM_MIN_UNITS,
    DimensionResult,
    FollowupRow,
    InstrumentSection,
    OrgReportContext,
    OrgUnitRow,
    QualityRow,
    SignificantChange,
    SkmReportContext,
    UnitReportContext,
    Validity,
)
from reports.errors import ReportError
from reports.i18n import check_lang, translate
from reports.render import render_html, render_pdf
from reports.wording import (
    followup_words,
    fraction,
    kinerja,
    number,
    percent,
    reliability_words,
    score,
    signed,
    trend_tone,
    trend_words,
)

# ---------------------------------------------------------------- unit report

def unit_report_html(ctx: UnitReportContext, lang: str = "id") -> str:
    """The unit report as HTML (the short below-k version when the unit is not shown)."""
    check_lang(lang)
    if not ctx.shown:
        return render_html("unit_below_k.html", lang, **_below_k_data(ctx))
    _validate_unit(ctx)
    return render_html("unit.html", lang, **unit_report_data(ctx, lang))


def render_unit_report(ctx: UnitReportContext, lang: str = "id") -> bytes:
    """The unit report as PDF bytes."""
    return render_pdf(unit_report_html(ctx, lang))


def _below_k_data(ctx: UnitReportContext) -> dict[str, Any]:
    """Only what the short report may show: names, the wave, k and the reason code."""
    reason = ctx.suppressed_reason if ctx.suppressed_reason in ("below_k", "complementary") \
        else "below_k"
    return {"org_name": ctx.org_name, "unit_name": ctx.unit_name, "wave_label": ctx.wave_label,
            "period": ctx.period, "k": ctx.k, "reason": reason,
            "included_in": ctx.included_in, "generated_on": ctx.generated_on}


def _validate_unit(ctx: UnitReportContext) -> None:
    """A shown unit needs a respondent count and at least one instrument."""
    if ctx.n_respondents is None or ctx.n_respondents < ctx.k:
        raise ReportError(
            f"Unit {ctx.unit_name!r} ditandai tampil tetapi n < k={ctx.k}. / "
            f"Unit {ctx.unit_name!r} is marked shown but has n < k={ctx.k}.")
    if not ctx.instruments:
        raise ReportError(f"Tidak ada hasil instrumen untuk unit {ctx.unit_name!r}. / "
                          f"No instrument results for unit {ctx.unit_name!r}.")
    for section in ctx.instruments:
        if len(section.quality) != len(section.dimensions):
            raise ReportError(
                f"{section.title.en}: satu baris kualitas per dimensi diperlukan. / "
                f"{section.title.en}: one quality row per dimension is needed.")


def unit_report_data(ctx: UnitReportContext, lang: str) -> dict[str, Any]:
    """Plain template data for a shown unit: rounded strings, translated texts, charts."""
    judged = [(section, dim) for section in ctx.instruments for dim in section.dimensions
              if dim.score100 is not None and _alone(section, dim)]
    size = sorted(judged, key=lambda sd: -abs(sd[1].cmp_est100 or 0.0))
    strongest = [sd for sd in size if _versus_rest(sd[1]) == "better"]
    weakest = [sd for sd in size if _versus_rest(sd[1]) == "worse"]
    return {
        "org_name": ctx.org_name, "unit_name": ctx.unit_name, "wave_label": ctx.wave_label,
        "period": ctx.period, "k": ctx.k, "generated_on": ctx.generated_on,
        "n": ctx.n_respondents, "n_invited": ctx.n_invited,
        "response_rate": _rate(ctx.n_respondents, ctx.n_invited, lang),
        "instruments": [_section_data(s, ctx, lang) for s in ctx.instruments],
        "strongest": [_dim_brief(s, d, lang) for s, d in strongest],
        "weakest": [_dim_brief(s, d, lang) for s, d in weakest],
        "recommendations": [_recommendation(s, d, lang) for s, d in weakest],
        "none_clear": "" if strongest or weakest else _none_clear(ctx, judged, lang),
        "instrument_level": [note for s in ctx.instruments
                             if (note := _instrument_level(s, lang))],
        "any_hidden": any(d.score100 is None for s in ctx.instruments for d in s.dimensions),
        "hidden_mark": translate("mark.hidden", lang),
        "hidden_legend": translate("mark.hidden_legend", lang, k=ctx.k),
        "followup": [_followup_row(f, lang) for f in ctx.followup],
        "followup_intro": (translate("did.intro", lang, w=ctx.followup[0].wave_before)
                           if ctx.followup else ""),
    }


def _followup_row(f: FollowupRow, lang: str) -> dict[str, str]:
    """A targeted dimension's follow-up, rounded and in words (analysis.did)."""
    interval = (f"{signed(f.ci_low100, lang)} – {signed(f.ci_high100, lang)}"
                if f.difference100 is not None else "")
    return {"name": f.name.get(lang), "instrument": f.instrument.get(lang),
            "change": signed(f.change100, lang),
            "comparison": signed(f.comparison_change100, lang),
            "difference": signed(f.difference100, lang), "interval": interval,
            "n_comparison": str(f.n_comparison),
            "words": followup_words(f.verdict, f.reason, f.direction, lang,
                                    difference=f.difference100, ci_low=f.ci_low100,
                                    ci_high=f.ci_high100, mdd=f.mdd100,
                                    n_comparison=f.n_comparison,
                                    min_comparison=f.min_comparison)}


def _alone(section: InstrumentSection, d: DimensionResult) -> bool:
    """Whether a dimension may be read and acted on by itself (analysis.validity)."""
    return section.validity is None or section.validity.alone(d.code)


def _instrument_level(section: InstrumentSection, lang: str) -> str:
    """What the report does where the data cannot tell an instrument's dimensions apart."""
    v = section.validity
    if v is None or not v.merged():
        return ""
    title = section.title.get(lang)
    if v.verdict == "not_distinct_report_instrument_level":
        return translate("unit.recs_instrument", lang, title=title)
    names = dict(v.names)
    groups = "; ".join(" = ".join(names[c].get(lang) for c in g) for g in v.merged())
    return translate("unit.recs_partly", lang, title=title, groups=groups)


def validity_words(v: Validity | None, lang: str) -> str:
    """One paragraph on an instrument's structure in this wave's organisation data."""
    if v is None:
        return ""
    parts = [translate(f"valid.{v.verdict}", lang, n=v.n)]
    if v.max_htmt is not None and v.max_pair is not None:
        parts.append(translate("valid.htmt", lang, h=number(v.max_htmt, 2, lang),
                               a=v.max_pair[0].get(lang), b=v.max_pair[1].get(lang)))
    if v.cfi_dimensions is not None and v.cfi_one_factor is not None:
        parts.append(translate("valid.cfa", lang, cfi_d=number(v.cfi_dimensions, 2, lang),
                               cfi_1=number(v.cfi_one_factor, 2, lang),
                               rm_d=number(v.rmsea_dimensions, 2, lang),
                               rm_1=number(v.rmsea_one_factor, 2, lang)))
    if v.omega_h is not None:
        parts.append(translate("valid.omega_h", lang, w=number(v.omega_h, 2, lang)))
    return " ".join(parts)


def _versus_rest(d: DimensionResult) -> str:
    """ "better", "worse" or "" against the rest of the organisation (evidence standard)."""
    if d.comparison not in ("above", "below"):
        return ""
    higher = d.comparison == "above"
    return "better" if higher == (d.direction == Direction.HIGHER_BETTER) else "worse"


def _none_clear(ctx: UnitReportContext,
                judged: list[tuple[InstrumentSection, DimensionResult]], lang: str) -> str:
    """No clear difference: say how large a difference this unit could have seen."""
    mdcs = sorted(d.cmp_mdc100 for _, d in judged if d.cmp_mdc100 is not None)
    if not mdcs:
        return ""
    return translate("unit.none_clear", lang, n=ctx.n_respondents,
                     mdc=score(mdcs[len(mdcs) // 2], lang))


def _rate(n: int | None, invited: int | None, lang: str) -> str:
    """Response rate n / invited as a percentage, or a dash when unknown."""
    return percent(n / invited, lang) if n is not None and invited else percent(None, lang)


def _section_data(section: InstrumentSection, ctx: UnitReportContext,
                  lang: str) -> dict[str, Any]:
    """One instrument's summary rows, charts, items and quality rows."""
    options = [o.get(lang) for o in section.option_labels]
    events = [(e.wave_label, e.title) for e in ctx.events]
    return {
        "title": section.title.get(lang), "citation": section.citation,
        "collective": section.collective,
        "higher_worse": any(d.direction == Direction.HIGHER_WORSE for d in section.dimensions),
        "dimensions": [_dim_row(d, lang) for d in section.dimensions],
        "trend_chart": charts.trend_chart(
            section.wave_labels, [(t.name.get(lang), t.scores100) for t in section.trend],
            events, y_label=translate("chart.score_axis", lang),
            event_label=translate("chart.training", lang)),
        "events": [e for e in ctx.events if e.wave_label in section.wave_labels],
        "item_chart": charts.diverging_bars(
            [f"{i.code}{' (R)' if i.reverse else ''} {i.text.get(lang)}" for i in section.items],
            [i.shares for i in section.items], options) if section.items else None,
        "items": [{"code": i.code, "text": i.text.get(lang), "reverse": i.reverse, "n": i.n}
                  for i in section.items],
        "options": options,
        "quality": [_unit_quality_row(q, d, lang)
                    for q, d in zip(section.quality, section.dimensions, strict=True)],
        "validity": validity_words(section.validity, lang),
    }


def _dim_row(d: DimensionResult, lang: str) -> dict[str, Any]:
    """A summary-table row for one dimension."""
    return {
        "name": d.name.get(lang), "description": d.description.get(lang), "n": d.n,
        "hidden": d.score100 is None, "score": score(d.estimate100, lang),
        "ci_low": score(d.estimate_ci_low100, lang), "ci_high": score(d.estimate_ci_high100, lang),
        "observed": score(d.score100, lang),
        "higher_worse": d.direction == Direction.HIGHER_WORSE,
        "previous": score(d.previous_score100, lang),
        "change": signed(d.change_est100, lang),
        "change_ci": _interval(d.change_ci_low100, d.change_ci_high100, lang),
        "trend": trend_words(d.trend, d.direction, lang),
        "trend_mdc": _mdc(d.trend, d.change_mdc100, lang),
        "tone": trend_tone(d.trend, d.direction),
        "org": score(d.org_score100, lang),
        "comparison": translate(f"cmp.{d.comparison}", lang),
        "comparison_mdc": _mdc(d.comparison, d.cmp_mdc100, lang),
        "percentile": score(d.percentile, lang),
        "favourable": percent(d.favourable, lang),
        "rwg": number(d.rwg_j, 2, lang),
        "agreement": translate(f"agree.{d.agreement}", lang),
    }


def _interval(low: float | None, high: float | None, lang: str) -> str:
    """A signed interval "−6 … +13", or "" when unknown."""
    if low is None or high is None:
        return ""
    return f"{signed(low, lang)} … {signed(high, lang)}"


def _mdc(verdict: str, mdc100: float | None, lang: str) -> str:
    """What a unit too small to tell could have seen."""
    if verdict != "too_small_to_tell" or mdc100 is None:
        return ""
    return translate("unit.mdc", lang, mdc=score(mdc100, lang))


def _dim_brief(section: InstrumentSection, d: DimensionResult, lang: str
               ) -> dict[str, str | bool]:
    """A dimension named with its instrument and score, for the strongest/weakest lists."""
    return {"name": d.name.get(lang), "instrument": section.title.get(lang),
            "score": score(d.estimate100 if d.estimate100 is not None else d.score100, lang),
            "higher_worse": d.direction == Direction.HIGHER_WORSE}


def _recommendation(section: InstrumentSection, d: DimensionResult,
                    lang: str) -> dict[str, Any]:
    """The development actions an instrument file lists for a weak dimension."""
    return {**_dim_brief(section, d, lang), "description": d.description.get(lang),
            "actions": [{"kind": translate(f"action.{a.kind}", lang)
                         if f"action.{a.kind}" in _texts.ACTION_KINDS else a.kind,
                         "text": a.text.get(lang)} for a in d.actions]}


def _quality_row(q: QualityRow, lang: str) -> dict[str, str]:
    """A measurement-quality row: numbers to two decimals and alpha in words."""
    return {"name": q.name.get(lang), "n_items": str(q.n_items), "n": str(q.n),
            "alpha": number(q.alpha, 2, lang), "alpha_ci_low": number(q.alpha_ci_low, 2, lang),
            "alpha_ci_high": number(q.alpha_ci_high, 2, lang),
            "alpha_words": reliability_words(q.alpha, lang), "omega": number(q.omega, 2, lang),
            "icc1": number(q.icc1, 2, lang), "icc2": number(q.icc2, 2, lang),
            "rwg": number(q.rwg_j, 2, lang), "note": q.note or ""}


def _unit_quality_row(q: QualityRow, d: DimensionResult, lang: str) -> dict[str, str]:
    """The unit's own alpha and agreement beside the organisation's alpha, omega and ICCs."""
    return {**_quality_row(q, lang), "rwg": number(d.rwg_j, 2, lang),
            "rwg_skew": number(d.rwg_skew, 2, lang),
            "mean_rel": number(d.mean_reliability, 2, lang),
            "mean_rel_words": _mean_reliability_words(d.mean_reliability, lang),
            "agreement": translate(f"agree.{d.agreement}", lang),
            "unit_alpha": number(d.unit_alpha, 2, lang), "unit_alpha_n": str(d.unit_alpha_n),
            "unit_alpha_words": _unit_alpha_words(d, lang)}


def _mean_reliability_words(value: float | None, lang: str) -> str:
    """Whether the unit mean is dependable enough to compare or rank units (.70)."""
    if value is None:
        return ""
    return translate("unit.mean_dependable" if value >= 0.70 else "unit.mean_undependable",
                     lang)


def _unit_alpha_words(d: DimensionResult, lang: str) -> str:
    """The unit's alpha in words, or why it could not be computed."""
    if d.unit_alpha is not None:
        return reliability_words(d.unit_alpha, lang)
    if d.score100 is None:
        return translate("mark.hidden", lang)
    if d.n_items < 2:
        return translate("unit.alpha_one_item", lang)
    key = "unit.alpha_few_rows" if d.unit_alpha_n < 3 else "unit.alpha_no_variance"
    return translate(key, lang)


# ---------------------------------------------------------------- organisation report

def org_report_html(ctx: OrgReportContext, lang: str = "id") -> str:
    """The organisation report as HTML."""
    check_lang(lang)
    return render_html("org.html", lang, **org_report_data(ctx, lang))


def render_org_report(ctx: OrgReportContext, lang: str = "id") -> bytes:
    """The organisation report as PDF bytes."""
    return render_pdf(org_report_html(ctx, lang))


def org_report_data(ctx: OrgReportContext, lang: str) -> dict[str, Any]:
    """Plain template data for the organisation report."""
    _validate_org(ctx)
    dims = ctx.dimensions
    shown_rows = [u for u in ctx.units if u.shown]
    mark = translate("mark.hidden", lang)
    return {
        "org_name": ctx.org_name, "wave_label": ctx.wave_label, "period": ctx.period,
        "k": ctx.k, "generated_on": ctx.generated_on, "n": ctx.n_respondents,
        "n_invited": ctx.n_invited, "response_rate": _rate(ctx.n_respondents, ctx.n_invited,
                                                           lang),
        "previous_wave_label": ctx.previous_wave_label,
        "dimensions": [{"name": d.name.get(lang), "instrument": d.instrument.get(lang),
                        "higher_worse": d.direction == Direction.HIGHER_WORSE} for d in dims],
        "heatmaps": _heatmaps(ctx, lang, mark),
        "distribution": charts.score_distribution(
            [d.name.get(lang) for d in dims],
            [[s for u in shown_rows[1:] if (s := u.scores100[j]) is not None]
             for j in range(len(dims))],
            [ctx.units[0].scores100[j] if ctx.units[0].shown else None
             for j in range(len(dims))]),
        "units": [_org_unit_row(u, lang) for u in ctx.units],
        "n_suppressed": sum(not u.shown for u in ctx.units),
        "changes": [_change_row(c, lang) for c in ctx.changes],
        "quality": [_quality_row(q, lang) for q in ctx.quality],
        "validity": [{"title": title.get(lang), "text": validity_words(v, lang)}
                     for title, v in ctx.validity],
        "suppressed_mark": mark, "hidden_legend": translate("mark.hidden_legend", lang, k=ctx.k),
        **_culture_ikm_data(ctx, lang, mark),
    }


#: Service units per table of the culture x IKM section (a column each).
CULTURE_IKM_COLUMNS = 8


def _culture_ikm_data(ctx: OrgReportContext, lang: str, mark: str) -> dict[str, Any]:
    """The service units' IKM next to their culture scores, and the correlations if any."""
    rows = ctx.culture_ikm
    both = sum(r.converted is not None and any(v is not None for v in r.scores100)
               for r in rows)
    tables = [{"units": [{"name": r.name, "period": r.period, "n": r.n_citizens,
                          "ikm": number(r.converted, 2, lang) if r.converted is not None
                          else mark} for r in chunk],
               "dimensions": [{"name": d.name.get(lang), "scores": [
                   score(r.scores100[j], lang) if r.scores100[j] is not None else mark
                   for r in chunk]} for j, d in enumerate(ctx.dimensions)]}
              for chunk in (rows[i:i + CULTURE_IKM_COLUMNS]
                            for i in range(0, len(rows), CULTURE_IKM_COLUMNS))]
    return {
        "culture_ikm": tables, "culture_ikm_units": len(rows), "culture_ikm_both": both,
        "culture_ikm_min": CULTURE_IKM_MIN_UNITS,
        "culture_ikm_correlations": [
            {"dimension": ctx.dimensions[c.dimension].name.get(lang), "n": c.n_units,
             "rho": number(c.rho, 2, lang), "low": number(c.ci_low, 2, lang),
             "high": number(c.ci_high, 2, lang)} for c in ctx.culture_ikm_correlations],
    }


def _heatmaps(ctx: OrgReportContext, lang: str, mark: str) -> list[str]:
    """The units x dimensions heatmap, in pictures of at most `charts.HEATMAP_ROWS` rows."""
    dims = ctx.dimensions
    rows = ctx.units
    size = charts.HEATMAP_ROWS
    return [charts.heatmap(
        ["— " * u.depth + u.name for u in chunk], [d.name.get(lang) for d in dims],
        [u.scores100 if u.shown else [None] * len(dims) for u in chunk],
        [d.direction == Direction.HIGHER_BETTER for d in dims], mark,
        [list(u.verdicts or ("",) * len(dims)) for u in chunk])
        for chunk in (rows[i:i + size] for i in range(0, len(rows), size))]


def _validate_org(ctx: OrgReportContext) -> None:
    """Rows must match the dimensions; the first row is the organisation as a whole."""
    if not ctx.units or not ctx.dimensions:
        raise ReportError("Laporan organisasi membutuhkan unit dan dimensi. / "
                          "The organisation report needs units and dimensions.")
    for row in ctx.units:
        if len(row.scores100) != len(ctx.dimensions):
            raise ReportError(
                f"Unit {row.name!r}: {len(row.scores100)} skor untuk {len(ctx.dimensions)} "
                f"dimensi. / Unit {row.name!r}: {len(row.scores100)} scores for "
                f"{len(ctx.dimensions)} dimensions.")


def _org_unit_row(u: OrgUnitRow, lang: str) -> dict[str, Any]:
    """A response-rate table row; counts of suppressed units are not shown."""
    return {"name": u.name, "depth": u.depth, "shown": u.shown,
            "n": str(u.n) if u.shown and u.n is not None else "",
            "n_invited": str(u.n_invited) if u.n_invited is not None else "–",
            "rate": _rate(u.n, u.n_invited, lang) if u.shown else ""}


def _change_row(c: SignificantChange, lang: str) -> dict[str, str]:
    """A row of the significant-changes table."""
    return {"unit": c.unit_name, "dimension": c.dimension.get(lang),
            "previous": score(c.previous100, lang), "current": score(c.current100, lang),
            "change": signed(c.estimate100, lang),
            "change_ci": _interval(c.ci_low100, c.ci_high100, lang),
            "mdc": score(c.mdc100, lang), "trend": trend_words(c.trend, c.direction, lang),
            "tone": trend_tone(c.trend, c.direction)}


# ---------------------------------------------------------------- SKM report

def skm_report_html(ctx: SkmReportContext, lang: str = "id") -> str:
    """The SKM report (Permenpan RB 14/2017 layout) as HTML."""
    check_lang(lang)
    return render_html("skm.html", lang, **skm_report_data(ctx, lang))


def render_skm_report(ctx: SkmReportContext, lang: str = "id") -> bytes:
    """The SKM report as PDF bytes."""
    return render_pdf(skm_report_html(ctx, lang))


def skm_report_data(ctx: SkmReportContext, lang: str) -> dict[str, Any]:
    """Plain template data: NRR per unsur, weighted NRR, IKM, converted score, mutu."""
    if ctx.mutu not in ("A", "B", "C", "D"):
        raise ReportError(f"Mutu {ctx.mutu!r} tidak dikenal (A-D). / "
                          f"Unknown quality grade {ctx.mutu!r} (A-D).")
    shown = ctx.n_respondents >= ctx.k
    if shown:
        _check_grade(ctx)
    adequate = None if ctx.required_sample is None else ctx.n_respondents >= ctx.required_sample
    return {
        "org_name": ctx.org_name, "service_unit": ctx.service_unit, "period": ctx.period,
        "generated_on": ctx.generated_on, "k": ctx.k, "shown": shown,
        "n": ctx.n_respondents, "population": ctx.population,
        "required_sample": ctx.required_sample, "adequate": adequate,
        "weight": fraction(ctx.weight, lang), "bands": _skm_bands(lang),
        "unsur": [{"no": i, "code": u.code, "name": u.name.get(lang),
                   "nrr": number(u.nrr, 2, lang),
                   "weighted": number(u.nrr * ctx.weight, 3, lang)}
                  for i, u in enumerate(ctx.unsur, start=1)] if shown else [],
        "ikm": number(ctx.ikm, 3, lang) if shown else "",
        "converted": number(ctx.converted, 2, lang) if shown else "",
        "mutu": ctx.mutu if shown else "", "kinerja": kinerja(ctx.mutu, lang) if shown else "",
        "priority": [ctx.unsur[i].name.get(lang) for i in priority_unsur(
            [u.nrr for u in ctx.unsur])] if shown and ctx.unsur else [],
        "follow_ups": [{"unsur": f.unsur.get(lang), "action": f.action, "owner": f.owner,
                        "due_on": f.due_on, "status": translate(f"skm.status.{f.status}", lang)}
                       for f in ctx.follow_ups],
        "forums": [{"held_on": f.held_on, "topic": f.topic, "participants": f.participants,
                    "needs": [{"text": text, "about": about.get(lang) if about else ""}
                              for text, about in f.needs]}
                   for f in ctx.forums],
    }


# Permenpan RB 14/2017, Lampiran: perception value, IKM interval, converted interval, mutu.
SKM_BANDS = (("1", "1,00 – 2,5996", "25,00 – 64,99", "D"),
             ("2", "2,60 – 3,064", "65,00 – 76,60", "C"),
             ("3", "3,0644 – 3,532", "76,61 – 88,30", "B"),
             ("4", "3,5324 – 4,00", "88,31 – 100,00", "A"))


def _skm_bands(lang: str) -> list[dict[str, str]]:
    """The regulation's table with the language's decimal separator."""
    def local(text: str) -> str:
        return text if lang == "id" else text.replace(",", ".")

    return [{"value": v, "ikm": local(i), "converted": local(c), "mutu": m,
             "kinerja": kinerja(m, lang)} for v, i, c, m in SKM_BANDS]


def _check_grade(ctx: SkmReportContext) -> None:
    """The grade must be the one of the converted value as printed (two decimals)."""
    expected = mutu_for(ctx.converted)
    if ctx.mutu != expected:
        printed = number(ctx.converted, 2, "en")
        raise ReportError(
            f"Mutu {ctx.mutu!r} tidak sesuai dengan nilai konversi {printed} ({expected}). / "
            f"Grade {ctx.mutu!r} does not match the converted value {printed} ({expected}).")
