"""The fixed texts of the unit, organisation and SKM reports (Bahasa Indonesia, English)."""

from __future__ import annotations

from reports.i18n import register

ACTION_KINDS = {"action.training", "action.elearning", "action.coaching", "action.other"}

register({
    # shared
    "doc.page": {"id": "Halaman", "en": "Page"},
    "doc.generated": {"id": "Dibuat", "en": "Generated"},
    "doc.contents": {"id": "Daftar isi", "en": "Contents"},
    "doc.wave": {"id": "Gelombang", "en": "Wave"},
    "doc.period": {"id": "Periode", "en": "Period"},
    "doc.respondents": {"id": "Responden", "en": "Respondents"},
    "doc.invited": {"id": "Diundang", "en": "Invited"},
    "doc.response_rate": {"id": "Tingkat respons", "en": "Response rate"},
    "doc.unit": {"id": "Unit", "en": "Unit"},
    "doc.dimension": {"id": "Dimensi", "en": "Dimension"},
    "doc.confidential": {
        "id": "Untuk pimpinan unit dan BKPSDM. Tidak ada jawaban perorangan dalam laporan ini.",
        "en": "For unit heads and BKPSDM. This report contains no individual answers."},
    "chart.score_axis": {"id": "skor 0–100", "en": "score 0–100"},
    "chart.training": {"id": "pelatihan", "en": "training"},
    "action.training": {"id": "Pelatihan", "en": "Training"},
    "action.elearning": {"id": "E-learning", "en": "E-learning"},
    "action.coaching": {"id": "Pendampingan (coaching)", "en": "Coaching"},
    "action.other": {"id": "Lainnya", "en": "Other"},
    # unit report
    "unit.title": {"id": "Laporan Budaya Unit", "en": "Unit Culture Report"},
    "unit.s2": {"id": "Ringkasan", "en": "Summary"},
    "unit.s3": {"id": "Tren dari waktu ke waktu", "en": "Trend over time"},
    "unit.s4": {"id": "Sebaran jawaban per butir", "en": "Answers per item"},
    "unit.s5": {"id": "Rekomendasi pengembangan", "en": "Recommended development actions"},
    "unit.s6": {"id": "Kualitas pengukuran", "en": "Quality of the measurement"},
    "unit.s7": {"id": "Metode dan privasi", "en": "Method and privacy"},
    "unit.how_to_read": {
        "id": "Setiap dimensi diberi skor 0–100: 0 berarti semua responden memilih jawaban "
              "terendah pada semua butir (pada butir yang dibalik: jawaban tertinggi), 100 "
              "berarti sebaliknya. Angka dalam kurung adalah rentang kepercayaan 95%: kisaran "
              "nilai yang masuk akal bagi skor rata-rata sebenarnya dari unit, mengingat "
              "jawaban orang berbeda-beda. Rentang yang dihitung dengan cara ini memuat nilai "
              "sebenarnya pada sekitar 95 dari 100 survei, jadi nilai sebenarnya bisa saja "
              "berada di luar rentang ini. Makin sedikit responden, makin lebar rentangnya. "
              "Untuk sebagian besar dimensi, skor lebih tinggi berarti lebih baik.",
        "en": "Each dimension is scored 0–100: 0 means every respondent chose the lowest answer"
              " on every item (on reverse-keyed items: the highest), 100 the opposite. The "
              "numbers in brackets are the 95% confidence interval: the range of plausible "
              "values for the unit's true mean score, given that people's answers vary. "
              "Intervals computed this way contain the true value in about 95 of 100 surveys, "
              "so the true value may also lie outside this one. The fewer the respondents, the "
              "wider the interval. For most dimensions a higher score is better."},
    "unit.higher_worse": {
        "id": "Perhatian: pada {title}, skor lebih tinggi berarti lebih buruk (lebih banyak "
              "penolakan terhadap perubahan).",
        "en": "Note: for {title} a higher score is worse (more resistance to change)."},
    "unit.change_note": {
        "id": "Skor perkiraan menggabungkan jawaban unit dengan pola unit-unit setingkat "
              "(partial pooling, empirical Bayes): hasil unit kecil ditarik ke arah yang "
              "lazim bagi unit setingkatnya, sehingga angka kebetulan dari sedikit responden "
              "tidak dibesar-besarkan. Rentangnya menyangkut pegawai unit saat ini: bila "
              "hampir semua pegawai menjawab, rentangnya sempit. “Teramati” adalah rata-rata "
              "jawaban apa adanya. Perubahan dan selisih dengan bagian lain organisasi "
              "diperkirakan dengan cara yang sama, sehingga tidak selalu sama dengan selisih "
              "dua angka yang tercetak. Sebuah dimensi disebut naik atau turun, lebih tinggi "
              "atau lebih rendah, hanya bila rentang 95% perkiraannya tidak memuat 0, tetap "
              "jelas setelah koreksi Benjamini-Hochberg untuk banyaknya unit, dan unit cukup "
              "besar untuk melihat perbedaan sebesar itu. “Terlalu kecil” berarti unit ini "
              "terlalu kecil untuk menyimpulkan: ia bahkan tidak dapat melihat perbedaan "
              "besar; angka (≥ …) di sampingnya adalah perbedaan terkecil yang dapat dilihatnya, "
              "dalam poin. Keduanya tidak "
              "berarti tidak ada perubahan.",
        "en": "The estimated score combines the unit's answers with the pattern of the units "
              "at the same level (partial pooling, empirical Bayes): a small unit's result "
              "is pulled towards what is typical for its peers, so that chance figures from "
              "few respondents are not exaggerated. Its interval is about the unit's current "
              "staff: where nearly everyone answered, it is narrow. “Observed” is the plain "
              "mean of the answers. Changes and differences from the rest of the "
              "organisation are estimated the same way, so they are not always the "
              "difference of two printed figures. A dimension is called up or down, higher "
              "or lower, only when the 95% interval of its estimate excludes 0, it stays "
              "clear after Benjamini-Hochberg correction for the number of units, and the "
              "unit is large enough to see a difference of that size. “Too small” "
              "means this unit is too small to tell: it could not even see a large difference; "
              "the figure (≥ …) beside it is the smallest difference it could see, in points. "
              "Neither means that nothing changed."},
    "unit.col_score": {
        "id": "Skor perkiraan (IK 95%)",
        "en": "Estimated score (95% CI)"},
    "unit.col_prev": {"id": "Triwulan lalu", "en": "Last quarter"},
    "unit.col_change": {
        "id": "Perubahan perkiraan (IK 95%)",
        "en": "Estimated change (95% CI)"},
    "unit.col_org": {"id": "Bagian lain organisasi", "en": "Rest of the organisation"},
    "unit.col_fav": {"id": "Jawaban ke arah baik", "en": "Favourable answers"},
    "unit.summary_notes": {
        "id": "\u201cBagian lain organisasi\u201d adalah semua responden organisasi di luar "
              "unit ini (dan unit-unit di bawahnya); unit dibandingkan dengan mereka, bukan "
              "dengan organisasi yang mencakup unit ini sendiri. \u201cJawaban ke arah "
              "baik\u201d adalah persentase jawaban semua butir dimensi yang berada di sisi "
              "baik titik tengah skala: di atas titik tengah bila skor tinggi berarti lebih "
              "baik, di bawah titik tengah bila skor tinggi berarti lebih buruk (penolakan "
              "terhadap perubahan). Butir yang dibalik dihitung terbalik; jawaban tepat di "
              "titik tengah (pilihan netral) tidak dihitung di sisi mana pun.",
        "en": "\u201cRest of the organisation\u201d is every respondent of the organisation "
              "outside this unit (and the units below it); the unit is compared with them, "
              "not with an organisation that includes the unit itself. \u201cFavourable "
              "answers\u201d is the percentage of answers to the dimension's items on the good "
              "side of the scale's midpoint: above it where a higher score is better, below "
              "it where a higher score is worse (resistance to change). Reverse-keyed items "
              "are counted the other way round; answers exactly at the midpoint (the neutral "
              "option) count on neither side."},
    "unit.strongest": {
        "id": "Jelas lebih baik daripada bagian lain organisasi",
        "en": "Clearly better than the rest of the organisation"},
    "unit.weakest": {
        "id": "Jelas lebih buruk daripada bagian lain organisasi",
        "en": "Clearly worse than the rest of the organisation"},
    "unit.higher_worse_mark": {"id": "skor tinggi = lebih buruk", "en": "high = worse"},
    "unit.trend_note": {
        "id": "Garis menunjukkan skor unit pada setiap triwulan. Titik yang hilang berarti "
              "hasil unit tidak dilaporkan pada triwulan itu (kurang dari {k} responden, atau "
              "disembunyikan untuk melindungi kelompok lain) atau instrumen itu tidak "
              "ditanyakan. Garis putus-putus vertikal menandai pelatihan, di antara survei "
              "sebelum dan sesudahnya.",
        "en": "The lines show the unit's score in each quarter. A missing point means the "
              "unit's result was not reported that quarter (fewer than {k} respondents, or "
              "hidden to protect another group) or the instrument was not asked. Dashed "
              "vertical lines mark training, between the surveys before and after it."},
    "unit.events": {"id": "Pelatihan tercatat", "en": "Recorded training"},
    "unit.no_events": {"id": "Belum ada pelatihan yang tercatat.",
                       "en": "No training recorded yet."},
    "unit.items_note": {
        "id": "Setiap batang menunjukkan persentase jawaban per pilihan, dari responden unit "
              "ini (termasuk unit di bawahnya) yang menjawab butir itu; butir dengan kurang "
              "dari k jawaban tidak ditampilkan. Pilihan terendah di kiri garis nol, pilihan "
              "tertinggi di kanan; pilihan tengah (bila ada) dibagi dua. (R) menandai butir "
              "yang dibalik: butir itu dihitung terbalik, sehingga pilihan yang lebih tinggi "
              "menurunkan skor dimensi.",
        "en": "Each bar shows the percentage of answers per option among the respondents of "
              "this unit (including the units below it) who answered the item; items with fewer"
              " than k answers are not shown. The lowest option lies left of the zero line, the"
              " highest right; a middle option (if any) is split in two. (R) marks a "
              "reverse-keyed item: it is scored the other way round, so a higher option lowers "
              "the dimension score."},
    "unit.recs_intro": {
        "id": "Tindakan berikut diambil dari berkas instrumen untuk dimensi yang jelas lebih "
              "buruk daripada bagian lain organisasi (standar bukti di Ringkasan). Bahas "
              "dengan BKPSDM untuk memasukkannya ke rencana pengembangan kompetensi (setiap "
              "PNS berhak atas sedikitnya 20 JP per tahun).",
        "en": "The actions below come from the instrument files for the dimensions that are "
              "clearly worse than in the rest of the organisation (evidence standard in the "
              "Summary). Discuss them with BKPSDM to put them into the competency "
              "development plan (every PNS is entitled to at least 20 JP a year)."},
    "unit.quality_intro": {
        "id": "Butir-butir Lentera baru dan belum tervalidasi, maka keandalannya diperiksa pada"
              " data setiap triwulan. Alfa Cronbach dan omega (0–1) menunjukkan seberapa "
              "konsisten butir-butir satu dimensi dijawab; 0,70 ke atas cukup, 0,80 ke atas "
              "baik. Kolom “Unit ini” memakai jawaban unit ini saja (termasuk unit di "
              "bawahnya), dari responden yang menjawab semua butir dimensi; dengan sedikit "
              "responden, alfa unit sangat tidak pasti dan bisa jauh dari alfa organisasi, "
              "bahkan negatif. Kolom “Seluruh organisasi” memakai semua responden organisasi. "
              "rwg(j) (0–1) menunjukkan seberapa seragam jawaban anggota unit ini dibandingkan "
              "dengan jawaban acak: angka pertama terhadap jawaban acak yang merata, angka "
              "kedua (yang dipakai untuk penilaian) terhadap jawaban acak yang sedikit condong "
              "ke arah setuju, seperti lazimnya jawaban survei. “Tidak melebihi jawaban "
              "acak” berarti nilai itu dapat muncul dari jawaban acak pada unit sebesar "
              "ini. rwg(j) dihitung hanya untuk satu kelompok kerja, tidak untuk unit yang "
              "mencakup unit lain. Nilai tinggi berarti anggota menjawab serupa, tetapi tidak "
              "membuktikan bahwa rata-rata unit dapat diandalkan atau menggambarkan budaya "
              "unit; itu ditunjukkan oleh keandalan rata-rata unit (Spearman-Brown dari ICC(1) "
              "pada jumlah responden unit ini; 0,70 ke atas dapat diandalkan untuk "
              "membandingkan unit). ICC(1) adalah bagian perbedaan jawaban yang terletak "
              "di antara unit; ICC(2) (0–1) adalah keandalan rata-rata unit pada ukuran unit "
              "rata-rata organisasi.",
        "en": "Lentera's items are new and not yet validated, so their reliability is checked "
              "on every quarter's data. Cronbach's alpha and omega (0–1) show how consistently "
              "the items of a dimension are answered; 0.70 and above is acceptable, 0.80 and "
              "above good. The “This unit” columns use this unit's answers only (including the "
              "units below it), from the respondents who answered every item of the dimension; "
              "with few respondents the unit's alpha is very uncertain and can lie far from the"
              " organisation's, even below zero. The “Whole organisation” columns use every "
              "respondent of the organisation. rwg(j) (0–1) shows how uniform the answers of "
              "this unit's members are compared with random answers: the first figure against "
              "evenly spread random answers, the second (used for the verdict) against random "
              "answers leaning slightly to agreement, as survey answers usually do. “Not "
              "beyond random answering” means the value can arise from random answers in a "
              "unit of this size. rwg(j) is computed for one working group only, not for a "
              "unit that includes other units. A high value means the members answer alike, "
              "but it does not show that the unit mean is dependable or describes the unit's "
              "culture; that is what the reliability of the unit mean shows (Spearman-Brown "
              "from ICC(1) at this unit's number of respondents; 0.70 and above is dependable "
              "for comparing units). ICC(1) is the share of the "
              "differences in answers that lies between units; ICC(2) (0–1) is the reliability "
              "of unit means at the organisation's average unit size."},
    "unit.col_alpha": {"id": "Alfa (CI 95%)", "en": "Alpha (95% CI)"},
    "unit.col_rel": {"id": "Keandalan", "en": "Reliability"},
    "unit.col_agree": {
        "id": "Kesepakatan, rwg(j) merata / condong",
        "en": "Agreement, rwg(j) even / skewed"},
    "unit.col_this_unit": {"id": "Unit ini", "en": "This unit"},
    "unit.col_whole_org": {"id": "Seluruh organisasi", "en": "Whole organisation"},
    "unit.col_unit_alpha": {"id": "Alfa (n lengkap)", "en": "Alpha (n complete)"},
    "unit.alpha_few_rows": {
        "id": "tidak dapat dihitung (kurang dari 3 responden lengkap)",
        "en": "not computable (fewer than 3 complete respondents)"},
    "unit.alpha_no_variance": {
        "id": "tidak dapat dihitung (jumlah skor semua responden lengkap sama)",
        "en": "not computable (every complete respondent has the same total)"},
    "unit.alpha_one_item": {"id": "tidak dapat dihitung (dimensi satu butir)",
                            "en": "not computable (one-item dimension)"},
    "unit.individual_note": {
        "id": "Instrumen ini mengukur sikap perorangan (\u201csaya\u201d); rata-rata unit "
              "menggambarkan anggotanya, bukan budaya unit, sehingga rwg(j) dan ICC tidak "
              "dihitung.",
        "en": "This instrument measures individual attitudes (\u201cI\u201d); the unit mean "
              "describes its members, not the unit's culture, so rwg(j) and ICC are not "
              "computed."},
    "unit.method": {
        "id": "Survei ini anonim. Setiap ASN menerima satu kode acak; kode disimpan hanya "
              "dalam bentuk tersandi dan tidak pernah disimpan bersama jawaban. Yang disimpan: "
              "unit, gelombang, jawaban, dan jabatan (struktural/fungsional) bila responden "
              "memilihnya. Tidak disimpan: nama, NIP, alamat IP, perangkat, tanggal atau waktu "
              "pengisian. Hasil sebuah kelompok "
              "hanya ditampilkan bila kelompok itu memiliki sedikitnya k = {k} responden; "
              "bila perlu, unit lain ikut disembunyikan agar hasil yang disembunyikan tidak "
              "dapat dihitung dengan pengurangan. Skor 0–100 = (rata-rata − 1) / (A − 1) × "
              "100, dengan A jumlah pilihan jawaban; butir yang dibalik dihitung sebagai A + "
              "1 − jawaban. Skor dimensi seseorang dihitung bila sedikitnya dua pertiga butir "
              "dijawab. Skor unit, perubahan dan selisih dengan bagian lain organisasi "
              "diperkirakan dengan partial pooling (empirical Bayes, Morris 1983) di antara "
              "unit setingkat; skor menyangkut pegawai unit saat ini (koreksi populasi "
              "terhingga). Satu standar bukti berlaku untuk setiap penilaian: rentang 95% "
              "tidak memuat 0, q Benjamini-Hochberg ≤ 0,05 di antara unit, dan perubahan "
              "terkecil yang dapat dilihat unit (daya 80%) paling banyak dua kali perkiraan. "
              "Standar ini diuji dengan simulasi organisasi berukuran sama (bench/"
              "small_units.md). Angka dibulatkan hanya untuk tampilan, sekali, "
              "ke angka terdekat (nilai yang tepat di tengah dibulatkan menjauhi nol).",
        "en": "This survey is anonymous. Each civil servant receives one random code; the "
              "code is stored only in keyed-hash form and never with the answers. Stored: "
              "unit, wave, answers, and the position type (structural/functional) when the "
              "respondent chose it. Not stored: name, NIP, IP address, device, date or time "
              "of submission. A group's results are shown "
              "only when it has at least k = {k} respondents; where needed other units are "
              "hidden too, so that a hidden result cannot be worked out by subtraction. "
              "Score 0–100 = (mean − 1) / (A − 1) × 100, with A the number of answer options; "
              "reverse-keyed items count as A + 1 − answer. A person's dimension score is "
              "computed when at least two thirds of its items are answered. Unit scores, "
              "changes and differences from the rest of the organisation are estimated with "
              "partial pooling (empirical Bayes, Morris 1983) among units at the same level; "
              "scores are about the unit's current staff (finite-population correction). One "
              "evidence standard applies to every verdict: the 95% interval excludes 0, the "
              "Benjamini-Hochberg q across units is at most 0.05, and the smallest change the "
              "unit could see (80% power) is at most twice the estimate. The standard is "
              "tested by simulating organisations of the same sizes (bench/small_units.md). "
              "Numbers are rounded for display only, once, to the nearest value (exact halves "
              "away from zero)."},
    "unit.sources": {"id": "Sumber kerangka instrumen", "en": "Frameworks of the instruments"},
    # below k
    "belowk.title": {"id": "Unit ini tidak dilaporkan", "en": "This unit is not reported"},
    "belowk.below_k": {
        "id": "Untuk gelombang {wave}, unit ini memiliki kurang dari k = {k} responden. Agar "
              "tidak ada jawaban yang dapat ditelusuri kembali ke seseorang, Lentera tidak "
              "menampilkan skor, sebaran jawaban, atau angka lain apa pun tentang unit ini.",
        "en": "For wave {wave} this unit has fewer than k = {k} respondents. So that no "
              "answer can be traced back to a person, Lentera shows no score, answer "
              "distribution or any other figure about this unit."},
    "belowk.complementary": {
        "id": "Untuk gelombang {wave}, hasil unit ini disembunyikan untuk melindungi unit lain: "
              "bila ditampilkan, hasil sebuah kelompok kecil (kurang dari k = {k} responden) "
              "dapat dihitung dengan pengurangan. Lentera tidak menampilkan angka apa pun "
              "tentang unit ini.",
        "en": "For wave {wave} this unit's results are hidden to protect another group: if "
              "they were shown, the results of a small group (fewer than k = {k} respondents) "
              "could be worked out by subtraction. Lentera shows no figure about this unit."},
    "belowk.included_in": {
        "id": "Jawaban unit ini tetap dihitung dalam hasil {parent} dan dalam hasil "
              "organisasi secara keseluruhan.",
        "en": "This unit's answers still count in the results of {parent} and of the "
              "organisation as a whole."},
    "belowk.included": {
        "id": "Jawaban unit ini tetap dihitung dalam hasil organisasi secara keseluruhan.",
        "en": "This unit's answers still count in the results of the organisation as a "
              "whole."},
    "belowk.next.below_k": {
        "id": "Hasil unit ini dapat ditampilkan bila sedikitnya k = {k} pegawainya mengisi "
              "survei. Untuk triwulan berikutnya, ajak lebih banyak pegawai untuk mengisi.",
        "en": "This unit's results can be shown once at least k = {k} of its staff take "
              "part. For the next quarter, encourage more staff to take part."},
    "belowk.next.complementary": {
        "id": "Unit ini tidak disembunyikan karena kurang responden dan tidak melakukan "
              "kesalahan apa pun; yang dilindungi adalah kelompok lain. Menambah responden di "
              "unit ini saja belum tentu membuat hasilnya tampil. Hasil yang mencakup unit ini "
              "ada dalam laporan unit di atasnya dan laporan organisasi.",
        "en": "This unit is not hidden for lack of respondents and did nothing wrong; what is "
              "protected is another group. More respondents in this unit alone need not make "
              "its results appear. The results that include this unit are in the reports of "
              "the unit above it and of the organisation."},
    # organisation report
    "org.title": {"id": "Laporan Budaya Organisasi", "en": "Organisation Culture Report"},
    "org.s_heatmap": {"id": "Peta skor unit × dimensi", "en": "Heatmap of units × dimensions"},
    "org.s_distribution": {"id": "Sebaran skor unit", "en": "Distribution of unit scores"},
    "org.s_changes": {"id": "Unit dengan perubahan yang jelas",
                      "en": "Units that changed clearly"},
    "org.s_rates": {"id": "Tingkat respons", "en": "Response rates"},
    "org.s_quality": {"id": "Kualitas pengukuran", "en": "Quality of the measurement"},
    "org.s_method": {"id": "Metode dan privasi", "en": "Method and privacy"},
    # a hidden cell claims no count: it may hold fewer than k respondents or many more
    "mark.hidden": {"id": "t.d.", "en": "n.r."},
    "mark.hidden_legend": {
        "id": "\u201ct.d.\u201d = tidak dilaporkan: kelompok ini memiliki kurang dari k = {k} "
              "responden, atau disembunyikan agar hasil kelompok lain yang kecil tidak dapat "
              "dihitung dengan pengurangan. Tanda ini tidak menyatakan jumlah responden.",
        "en": "\u201cn.r.\u201d = not reported: the group has fewer than k = {k} "
              "respondents, or it is hidden so that another, small group cannot be worked out "
              "by subtraction. The mark says nothing about the number of respondents."},
    "org.heatmap_note": {
        "id": "Angka adalah skor perkiraan 0–100 (partial pooling). Hanya sel yang jelas "
              "lebih baik (biru) atau jelas lebih buruk (merah) daripada bagian lain "
              "organisasi menurut standar bukti laporan ini yang diwarnai, dengan arah skala "
              "sudah diperhitungkan; sel putih tidak jelas berbeda, sering karena unitnya "
              "terlalu kecil untuk menyimpulkan. Sel abu-abu berarsir tidak dilaporkan. "
              "{legend}",
        "en": "Numbers are estimated 0–100 scores (partial pooling). Only cells that are "
              "clearly better (blue) or clearly worse (red) than the rest of the "
              "organisation by this report's evidence standard are coloured, with the "
              "scale's direction applied; white cells are not clearly different, often "
              "because the unit is too small to tell. Hatched grey cells are not reported. "
              "{legend}"},
    "org.distribution_note": {
        "id": "Setiap titik adalah satu unit yang dilaporkan; garis oranye adalah skor "
              "organisasi.",
        "en": "Each dot is one reported unit; the orange line is the organisation's score."},
    "org.changes_intro": {
        "id": "Perubahan dari {previous} ke {current} yang disebut jelas oleh standar bukti "
              "laporan ini: rentang 95% perubahan perkiraan (partial pooling) tidak memuat "
              "0, tetap jelas setelah koreksi Benjamini-Hochberg untuk banyaknya unit, dan "
              "unit cukup besar untuk melihat perubahan sebesar itu. Kedua skor adalah skor "
              "teramati; perubahannya diperkirakan tersendiri, sehingga bisa berbeda dari "
              "selisih kedua skor.",
        "en": "Changes from {previous} to {current} that this report's evidence standard "
              "calls clear: the 95% interval of the estimated change (partial pooling) "
              "excludes 0, it stays clear after Benjamini-Hochberg correction for the number "
              "of units, and the unit is large enough to see a change of that size. Both "
              "scores are observed scores; the change is estimated on its own, so it can "
              "differ from their difference."},
    "org.no_changes": {"id": "Tidak ada unit dengan perubahan yang jelas.",
                       "en": "No unit changed clearly."},
    "org.no_previous": {"id": "Belum ada gelombang sebelumnya untuk dibandingkan.",
                        "en": "There is no previous wave to compare with."},
    "org.not_reported": {"id": "tidak dilaporkan", "en": "not reported"},
    "org.suppressed_count": {
        "id": "{count} unit tidak dilaporkan; jumlah respondennya juga tidak ditampilkan.",
        "en": "{count} units are not reported; their respondent counts are not shown either."},
    "org.quality_intro": {
        "id": "Alfa dan omega dihitung dari semua responden gelombang ini yang menjawab semua "
              "butir dimensi. Alfa dan omega 0,70 ke atas cukup, 0,80 ke atas baik. ICC(1) "
              "adalah bagian perbedaan jawaban yang terletak di antara unit; ICC(2) adalah "
              "keandalan rata-rata unit pada ukuran unit rata-rata. rwg(j) adalah median "
              "kesepakatan dalam unit yang dilaporkan, dibandingkan dengan jawaban acak; "
              "kesepakatan tidak membuktikan bahwa rata-rata unit dapat diandalkan.",
        "en": "Alpha and omega are computed from every respondent of this wave who answered "
              "every item of the dimension. Alpha and omega of 0.70 and above are acceptable, "
              "0.80 and above good. ICC(1) is the share of the differences in answers that lies"
              " between units; ICC(2) is the reliability of unit means at the average unit "
              "size. rwg(j) is the median agreement within the reported units, compared with "
              "random answers; agreement does not show that unit means are dependable."},
    # SKM
    "skm.title": {"id": "Laporan Survei Kepuasan Masyarakat (SKM)",
                  "en": "Citizen Satisfaction Survey (SKM) Report"},
    "skm.basis": {
        "id": "Disusun menurut Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman "
              "Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik.",
        "en": "Prepared according to Regulation of the Minister of PANRB No. 14/2017 on "
              "guidelines for citizen satisfaction surveys of public service units."},
    "skm.service_unit": {"id": "Unit pelayanan", "en": "Service unit"},
    "skm.no": {"id": "No", "en": "No"},
    "skm.unsur": {"id": "Unsur pelayanan", "en": "Service element (unsur)"},
    "skm.nrr": {"id": "NRR per unsur", "en": "NRR per element"},
    "skm.perception": {"id": "Nilai persepsi", "en": "Perception value"},
    "skm.ikm_interval": {"id": "Interval IKM", "en": "IKM interval"},
    "skm.weighted": {"id": "NRR tertimbang (NRR × {w})", "en": "Weighted NRR (NRR × {w})"},
    "skm.ikm": {"id": "IKM (jumlah NRR tertimbang)", "en": "IKM (sum of weighted NRR)"},
    "skm.converted": {"id": "Nilai IKM konversi (IKM × 25)", "en": "Converted IKM (IKM × 25)"},
    "skm.mutu": {"id": "Mutu pelayanan", "en": "Service quality grade"},
    "skm.kinerja": {"id": "Kinerja unit pelayanan", "en": "Service unit performance"},
    "skm.sample": {"id": "Kecukupan sampel", "en": "Sample adequacy"},
    "skm.population": {"id": "Populasi penerima layanan", "en": "Population of service users"},
    "skm.required": {"id": "Sampel minimal (Krejcie & Morgan)",
                     "en": "Minimum sample (Krejcie & Morgan)"},
    "skm.adequate": {"id": "terpenuhi", "en": "met"},
    "skm.inadequate": {"id": "belum terpenuhi — tafsirkan dengan hati-hati",
                       "en": "not met — interpret with care"},
    "skm.unknown": {"id": "populasi tidak diketahui", "en": "population unknown"},
    "skm.bands": {"id": "Nilai persepsi, interval IKM, konversi, mutu dan kinerja",
                  "en": "Perception value, IKM interval, conversion, grade and performance"},
    "skm.bands_note": {
        "id": "Mutu ditentukan dari nilai konversi sebagaimana tercetak, yaitu dibulatkan "
              "ke dua desimal (nilai yang tepat di tengah dibulatkan ke atas), menurut "
              "kolom nilai konversi pada tabel ini; setiap nilai dua desimal masuk tepat ke "
              "satu interval, sehingga nilai tercetak dan mutunya selalu sesuai.",
        "en": "The grade is read from the converted value as printed, i.e. rounded to two "
              "decimals (a value exactly halfway is rounded up), using the converted-value "
              "column of this table; every two-decimal value falls in exactly one "
              "interval, so the printed value and its grade always agree."},
    "skm.below_k": {
        "id": "Kurang dari k = {k} responden: hasil tidak ditampilkan.",
        "en": "Fewer than k = {k} respondents: results are not shown."},
    "org.s_service": {"id": "Budaya kerja dan kepuasan masyarakat",
                      "en": "Work culture and citizens' satisfaction"},
    "org.service_intro": {
        "id": "Untuk setiap unit pelayanan yang mengadakan SKM pada tahun yang sama: nilai IKM "
              "konversinya (25–100) di samping skor budaya kerja unit itu dari gelombang ini "
              "(skor perkiraan 0–100). Sel yang tidak ditampilkan mengikuti aturan k yang sama.",
        "en": "For every service unit that ran an SKM in the same year: its converted IKM "
              "(25–100) next to the unit's work-culture scores of this wave (estimated "
              "scores 0–100). Cells not shown follow the same k rule."},
    "org.service_ikm": {"id": "IKM (konversi)", "en": "IKM (converted)"},
    "org.service_citizens": {"id": "Responden SKM", "en": "SKM respondents"},
    "org.service_n_units": {"id": "Unit", "en": "Units"},
    "org.service_rho": {"id": "Korelasi peringkat dengan IKM (rentang 95%)",
                        "en": "Rank correlation with the IKM (95% interval)"},
    "org.service_caveat": {
        "id": "Korelasi Spearman antar-unit dari {n} unit pelayanan. Dengan unit sesedikit "
              "ini korelasinya lemah dan rentangnya lebar; korelasi tidak menunjukkan sebab "
              "dan akibat.",
        "en": "Spearman correlation across {n} service units. With so few units the "
              "correlation is weak and its interval wide; a correlation does not show cause "
              "and effect."},
    "org.service_none": {
        "id": "Belum ada unit pelayanan yang memiliki IKM dan skor budaya yang ditampilkan "
              "sekaligus, sehingga keduanya belum dapat dibandingkan.",
        "en": "No service unit has both a shown IKM and shown culture scores yet, so the two "
              "cannot be compared."},
    "org.service_too_few": {
        "id": "Hanya {n} unit pelayanan yang memiliki IKM dan skor budaya; korelasi baru "
              "dihitung mulai {min} unit, karena dengan lebih sedikit unit rentangnya mencakup "
              "hampir semua nilai dari −1 sampai 1.",
        "en": "Only {n} service units have both an IKM and culture scores; a correlation is "
              "computed from {min} units on, because with fewer units its interval covers "
              "almost everything from −1 to 1."},
    "skm.priority": {"id": "Unsur yang diprioritaskan untuk tindak lanjut",
                     "en": "Elements to take first in the follow-up"},
    "skm.priority_rule": {
        "id": "Diprioritaskan: setiap unsur yang nilainya sendiri (NRR × 25) bermutu di bawah "
              "B; bila tidak ada, unsur dengan NRR terendah. Permenpan RB 14/2017 meminta "
              "tindak lanjut dimulai dari unsur dengan nilai terendah.",
        "en": "Taken first: every element whose own value (NRR × 25) grades below B; when "
              "there is none, the element with the lowest NRR. Permenpan RB 14/2017 asks that "
              "the follow-up start from the elements with the lowest values."},
    "skm.follow_up": {"id": "Rencana tindak lanjut", "en": "Follow-up plan"},
    "skm.follow_up_unsur": {"id": "Prioritas unsur", "en": "Element"},
    "skm.follow_up_action": {"id": "Program/kegiatan", "en": "Programme or activity"},
    "skm.follow_up_due": {"id": "Waktu", "en": "When"},
    "skm.follow_up_owner": {"id": "Penanggung jawab", "en": "Responsible position"},
    "skm.follow_up_status": {"id": "Status", "en": "Status"},
    "skm.follow_up_none": {
        "id": "Belum ada rencana tindak lanjut yang dicatat untuk periode ini.",
        "en": "No follow-up has been recorded for this period yet."},
    "skm.status.direncanakan": {"id": "direncanakan", "en": "planned"},
    "skm.status.berjalan": {"id": "berjalan", "en": "under way"},
    "skm.status.selesai": {"id": "selesai", "en": "done"},
    "skm.status.dibatalkan": {"id": "dibatalkan", "en": "cancelled"},
    "skm.forums": {"id": "Forum konsultasi publik tahun ini",
                   "en": "Public consultation forums this year"},
    "skm.forums_none": {
        "id": "Belum ada forum konsultasi publik yang dicatat untuk unit ini pada tahun ini.",
        "en": "No public consultation forum has been recorded for this unit this year."},
    "skm.forum_line": {"id": "{date}: {topic} ({n} peserta)",
                       "en": "{date}: {topic} ({n} participants)"},
    "skm.nrr_note": {
        "id": "NRR adalah rata-rata jawaban (1–4) per unsur. Bobot setiap unsur sama, 1/9 "
              "(1 dibagi jumlah unsur). IKM adalah jumlah NRR tertimbang; nilai konversi "
              "(25–100) adalah IKM × 25. Semua nilai dihitung sebelum pembulatan, sehingga "
              "angka tercetak dapat berselisih sedikit dari hasil perhitungan ulang dengan "
              "angka yang sudah dibulatkan.",
        "en": "NRR is the mean answer (1–4) per element. Every element has the same weight, "
              "1/9 (1 divided by the number of elements). IKM is the sum of the weighted NRR; "
              "the converted score (25–100) is IKM × 25. All values are computed before "
              "rounding, so recomputing them from the printed, rounded numbers can differ "
              "slightly."},
    "unit.col_observed": {
        "id": "Teramati",
        "en": "Observed"},
    "unit.mdc": {
        "id": "(≥ {mdc})",
        "en": "(≥ {mdc})"},
    "unit.none_clear": {
        "id": "Tidak ada dimensi yang jelas berbeda. Dengan {n} responden, unit ini hanya "
              "dapat melihat selisih sekitar {mdc} poin atau lebih.",
        "en": "No dimension differs clearly. With {n} respondents this unit can only see a "
              "difference of about {mdc} points or more."},
    "unit.recs_none": {
        "id": "Data gelombang ini tidak menunjukkan dimensi yang jelas lebih buruk di unit "
              "ini daripada di bagian lain organisasi, sehingga laporan ini tidak "
              "menganjurkan tindakan per dimensi. Itu tidak berarti unit ini tidak "
              "memerlukan pengembangan: untuk prioritas, lihat laporan organisasi dan tren "
              "unit dari waktu ke waktu.",
        "en": "This wave's data show no dimension that is clearly worse in this unit than in "
              "the rest of the organisation, so this report recommends no action per "
              "dimension. That does not mean the unit needs no development: for priorities, "
              "see the organisation report and the unit's trend over time."},
    "unit.recs_instrument": {
        "id": "{title}: dimensi-dimensinya tidak dapat dibedakan satu sama lain pada data "
              "organisasi gelombang ini (lihat Kualitas pengukuran). Hasilnya dibaca untuk "
              "instrumen secara keseluruhan; laporan ini tidak menyebut dimensi terkuat atau "
              "terlemah dan tidak menganjurkan tindakan per dimensi untuk instrumen ini.",
        "en": "{title}: its dimensions cannot be told apart in this wave's organisation data "
              "(see Quality of the measurement). Read its results for the instrument as a "
              "whole; this report names no strongest or weakest dimension and recommends no "
              "action per dimension for it."},
    "trend.too_small_to_tell": {
        "id": "terlalu kecil",
        "en": "too small"},
    "cmp.too_small_to_tell": {
        "id": "terlalu kecil",
        "en": "too small"},
    "org.col_mdc": {
        "id": "Perubahan terkecil yang dapat terlihat",
        "en": "Smallest visible change"},
    "valid.heading": {
        "id": "Apakah dimensi-dimensinya dapat dibedakan?",
        "en": "Can the dimensions be told apart?"},
    "valid.distinct": {
        "id": "Pada data seluruh organisasi gelombang ini (n = {n} responden lengkap), "
              "dimensi-dimensi instrumen ini dapat dibedakan satu sama lain, sehingga "
              "hasilnya boleh dibaca per dimensi.",
        "en": "In this wave's data of the whole organisation (n = {n} complete respondents), "
              "the dimensions of this instrument can be told apart, so its results may be "
              "read dimension by dimension."},
    "valid.partly_distinct": {
        "id": "Pada data seluruh organisasi gelombang ini (n = {n} responden lengkap), "
              "sebagian dimensi instrumen ini tidak dapat dibedakan satu sama lain; "
              "dimensi-dimensi itu dibaca bersama, tidak satu per satu.",
        "en": "In this wave's data of the whole organisation (n = {n} complete respondents), "
              "some dimensions of this instrument cannot be told apart; those are read "
              "together, not one by one."},
    "valid.not_distinct_report_instrument_level": {
        "id": "Pada data seluruh organisasi gelombang ini (n = {n} responden lengkap), "
              "dimensi-dimensi instrumen ini tidak dapat dibedakan satu sama lain: "
              "butir-butirnya berperilaku seperti satu ukuran. Hasilnya dibaca untuk "
              "instrumen secara keseluruhan; laporan tidak merangking dimensinya dan tidak "
              "menganjurkan tindakan per dimensi.",
        "en": "In this wave's data of the whole organisation (n = {n} complete respondents), "
              "the dimensions of this instrument cannot be told apart: its items behave as "
              "one measure. Read its results for the instrument as a whole; the reports "
              "neither rank its dimensions nor recommend actions per dimension."},
    "valid.single_dimension": {
        "id": "Instrumen ini hanya memiliki satu dimensi.",
        "en": "This instrument has a single dimension."},
    "valid.not_computable": {
        "id": "Struktur instrumen ini tidak dapat diperiksa pada data gelombang ini (n = {n} "
              "responden lengkap; sedikitnya 100 dan lima per butir diperlukan), sehingga "
              "belum diketahui apakah dimensinya dapat dibedakan; tafsirkan perbedaan "
              "antardimensi dengan hati-hati.",
        "en": "The structure of this instrument cannot be checked on this wave's data (n = "
              "{n} complete respondents; at least 100 and five per item are needed), so it "
              "is not known whether its dimensions can be told apart; read differences "
              "between dimensions with care."},
    "valid.htmt": {
        "id": "Kemiripan terbesar (HTMT) {h}, antara {a} dan {b} (di bawah 0,85 berarti "
              "dapat dibedakan).",
        "en": "Largest similarity (HTMT) {h}, between {a} and {b} (below 0.85 means "
              "distinct)."},
    "valid.cfa": {
        "id": "Analisis faktor konfirmatori: model per dimensi CFI {cfi_d}, RMSEA {rm_d}; "
              "model satu faktor CFI {cfi_1}, RMSEA {rm_1}.",
        "en": "Confirmatory factor analysis: model by dimension CFI {cfi_d}, RMSEA {rm_d}; "
              "one-factor model CFI {cfi_1}, RMSEA {rm_1}."},
    "valid.omega_h": {
        "id": "Omega hierarkis {w}: bagian keragaman skor total yang berasal dari satu "
              "faktor umum.",
        "en": "Omega hierarchical {w}: the share of the total score's variance due to one "
              "general factor."},
    "unit.recs_partly": {
        "id": "{title}: dimensi-dimensi berikut tidak dapat dibedakan satu sama lain pada "
              "data organisasi gelombang ini: {groups}. Untuk dimensi-dimensi itu laporan "
              "ini tidak menyebut yang terkuat atau terlemah dan tidak menganjurkan tindakan "
              "per dimensi.",
        "en": "{title}: the following dimensions cannot be told apart in this wave's "
              "organisation data: {groups}. For those, this report names no strongest or "
              "weakest and recommends no action per dimension."},
    "unit.col_mean_rel": {
        "id": "Keandalan rata-rata unit",
        "en": "Reliability of the unit mean"},
    "unit.mean_dependable": {
        "id": "andal",
        "en": "dependable"},
    "unit.mean_undependable": {
        "id": "belum andal",
        "en": "not dependable"},
    "agree.not_beyond_chance": {
        "id": "tidak melebihi jawaban acak",
        "en": "not beyond random answering"},
    "agree.several_units": {
        "id": "tidak berlaku: mencakup beberapa unit",
        "en": "not applicable: several units"},
    # did it work? (analysis.did, services.followup)
    "did.heading": {"id": "Apakah berhasil?", "en": "Did it work?"},
    "did.intro": {
        "id": "Untuk setiap dimensi yang menjadi sasaran tindakan pengembangan sejak {w}: "
              "perubahan skor perkiraan unit ini dibandingkan dengan perubahan unit lain yang "
              "tidak mendapat tindakan untuk dimensi itu (difference-in-differences). Unit di "
              "atas atau di bawah unit sasaran tidak dipakai sebagai pembanding.",
        "en": "For each dimension that development actions targeted since {w}: this unit's "
              "change in its estimated score compared with the change of other units that "
              "had no action on that dimension (difference in differences). Units above or "
              "below a targeted unit are not used for comparison."},
    "did.more": {
        "id": "Skor unit ini naik lebih banyak (atau turun lebih sedikit) daripada unit "
              "pembanding: selisih {d} poin (rentang 95%: {lo} sampai {hi}). Ini belum "
              "membuktikan bahwa pelatihan atau tindakan pengembangan itu penyebabnya; hal "
              "lain juga dapat berubah pada bulan-bulan yang sama.",
        "en": "This unit's score rose more (or fell less) than the comparison units': a "
              "difference of {d} points (95% interval: {lo} to {hi}). This does not prove "
              "that the training or development action caused it; other things may also have "
              "changed in the same months."},
    "did.less": {
        "id": "Skor unit ini naik lebih sedikit (atau turun lebih banyak) daripada unit "
              "pembanding: selisih {d} poin (rentang 95%: {lo} sampai {hi}). Ini belum "
              "membuktikan bahwa pelatihan atau tindakan pengembangan itu penyebabnya; hal "
              "lain juga dapat berubah pada bulan-bulan yang sama.",
        "en": "This unit's score rose less (or fell more) than the comparison units': a "
              "difference of {d} points (95% interval: {lo} to {hi}). This does not prove "
              "that the training or development action caused it; other things may also have "
              "changed in the same months."},
    "did.not_enough_evidence": {
        "id": "Belum cukup bukti bahwa unit ini berubah lebih atau kurang dari unit "
              "pembanding: selisih {d} poin (rentang 95%: {lo} sampai {hi}). Dengan data ini, "
              "selisih baru dapat terlihat bila sekitar {mdd} poin atau lebih.",
        "en": "Not enough evidence that this unit changed more or less than the comparison "
              "units: a difference of {d} points (95% interval: {lo} to {hi}). With these "
              "data a difference shows only when it is about {mdd} points or more."},
    "did.treated_hidden": {
        "id": "Tidak dapat dihitung: hasil unit ini untuk dimensi ini tidak ditampilkan pada "
              "salah satu dari dua gelombang (kurang dari k responden atau untuk melindungi "
              "unit lain).",
        "en": "Cannot be computed: this unit's result on this dimension is not shown in one "
              "of the two waves (fewer than k respondents, or to protect another unit)."},
    "did.too_few_comparison": {
        "id": "Tidak dapat dihitung: hanya {n} unit pembanding yang hasilnya ditampilkan pada "
              "kedua gelombang; perlu sedikitnya {m}.",
        "en": "Cannot be computed: only {n} comparison units have results shown in both "
              "waves; at least {m} are needed."},
    "did.no_previous_wave": {
        "id": "Tidak dapat dihitung: belum ada gelombang sebelumnya yang ditutup dengan "
              "instrumen ini.",
        "en": "Cannot be computed: no earlier closed wave asked this instrument."},
    "did.col_change": {"id": "Perubahan unit ini", "en": "This unit's change"},
    "did.col_comparison": {"id": "Perubahan unit pembanding", "en": "Comparison units' change"},
    "did.col_difference": {"id": "Selisih (rentang 95%)", "en": "Difference (95% interval)"},
    "did.col_n": {"id": "Unit pembanding", "en": "Comparison units"},
    "did.higher_worse": {
        "id": "Pada dimensi ini skor lebih tinggi berarti lebih buruk.",
        "en": "On this dimension a higher score is worse."},
})
