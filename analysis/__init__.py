"""Pure numpy/scipy statistics for Lentera: no Flask, no database, no instruments.

Modules
-------
scoring      reverse-keying (A + 1 - x), scale scores (2/3 rule), 0-100, favourable share,
             tree roll-up.
reliability  Cronbach's alpha (raw, standardized), Feldt CI, omega total (minres), r_drop,
             alpha if item deleted; ``missing="listwise"`` (default) or ``"pairwise"``.
validity     construct validity each wave: HTMT, disattenuated r, omega_h (Schmid-Leiman),
             ML CFA dimensional vs one factor (lavaan conventions), dimensions_distinct;
             instrument_validity: one summary per instrument and wave from one pass.
agreement    rwg(j), ICC(1), ICC(2) and their verdicts.
trends       Welch t, Hedges' g with noncentral-t CI, Mann-Kendall + Sen's slope,
             Benjamini-Hochberg; ``trend_lines`` over >= 5 waves.
pooling      empirical Bayes pooling (Morris 1983), minimum detectable change.
evidence     the one evidence standard of every verdict about a unit: pooled differences,
             BH, minimum detectable change; pooled unit means with a finite-population
             correction.
compare      unit vs rest of the organisation, percentile among peer units.
disclosure   minimum group size k + complementary suppression (anonymity.md rules 4-5).
skm          IKM after Permenpan RB 14/2017, mutu A-D, Krejcie & Morgan sample size.
wave         ``WaveData`` -> ``analyse_wave`` -> ``WaveResult``: everything for a whole wave.
cli          ``python -m analysis reliability|agreement|icc|compare|skm``.
tabular      CSV (UTF-8, cp1252 fallback) and .xlsx tables for the cli, line numbers kept.

Verdict codes (stable identifiers; reports/ translates them)
------------------------------------------------------------
agreement.RWG_VERDICTS   lack_of_agreement (< .30), weak_agreement (.30-.50),
                         moderate_agreement (.50-.70), strong_agreement (.70-.90),
                         very_strong_agreement (>= .90), not_computable
                         -- LeBreton & Senter (2008); rwg >= .70 justifies a unit score.
                         rwg_verdict in analysis.wave bands rwg(j) against the slightly
                         skewed null (agreement.NULL_SLIGHT_SKEW), or not_beyond_chance
                         (below the random-answering critical value), or several_units
agreement ICC(2)         reliable_unit_means (>= .70), unreliable_unit_means, not_computable
agreement mean           dependable_unit_mean (Spearman-Brown reliability >= .70),
                         undependable_unit_mean
agreement ICC(1)         no_unit_effect (< .01), small_unit_effect (.01-.10),
                         medium_unit_effect (.10-.25), large_unit_effect (>= .25)
validity.dimensions_distinct  dimensions_distinct, not_distinct_report_instrument_level,
                         not_computable; per pair distinct / not_distinct / not_computable
                         -- HTMT < .85 (or .90), Henseler, Ringle & Sarstedt (2015).
evidence.VERDICTS        higher, lower (pooled 95% interval excludes 0, BH q <= .05 and
                         MDC <= 2 x estimate), no_clear_difference, too_small_to_tell (MDC >
                         0.8 SD), not_computable
trends.CHANGE_VERDICTS   the same for a change: up, down, no_clear_change,
                         too_small_to_tell, not_computable
validity.instrument_validity  distinct, partly_distinct (report per ``groups``),
                         not_distinct_report_instrument_level, single_dimension,
                         not_computable + validity.REASON_* -- a pair is apart when HTMT
                         and the CFA factor r are < .85; one group when BIC prefers one factor.

Reason codes for "not computable" results: reliability.REASON_* (too_few_items,
too_few_respondents), agreement.REASON_* (too_few_groups, no_within_group_df,
zero_between_mean_square), trends.REASON_* (group_too_small, both_groups_constant,
zero_pooled_variance, too_few_waves), wave.REASON_INDIVIDUAL_REFERENT, validity.REASON_*
(too_few_complete_rows, dimension_with_fewer_than_two_items, singular_covariance,
nonpositive_within_dimension_correlation, cfa_not_converged). Disclosure reasons:
below_k, complementary, empty.

Nothing is rounded here; rounding belongs to presentation.
"""
