"""Redaction of Indonesian personal data in free text, before anything is stored.

`redact(text, roster=())` replaces, with a typed placeholder:

- `[EMAIL]`: an e-mail address, local@domain.tld.
- `[NIP]`: a civil-servant number, 18 digits (yyyymmdd yyyymm g nnn), alone or grouped
  8-6-1-3 by spaces, dots or dashes.
- `[NIK]`: a citizen number, 16 digits, alone or grouped 6-6-4 or 4-4-4-4.
- `[TELEPON]`: a mobile number `+62 8…`, `62 8…` or `08…` (10 to 13 digits with spaces,
  dots, dashes or brackets); a landline with an international prefix (`+62 21 …`) or a
  bracketed area code (`(0711) 352234`).
- `[NAMA]` after an honorific: Pak, Bu, Bapak, Ibu, Bpk, Bp, Sdr, Sdri, Sdra, Saudara,
  Saudari, Mas, Mbak, Mba, Kak or Bang followed by up to four capitalised words or initials
  (H., Hj., Dr., Drs., Ir. … in front are part of the name); the honorific stays.
- `[NAMA]` from the roster: every roster entry as a whole phrase, and each of its words of
  three letters or more that is not an everyday Indonesian word (`ORDINARY_WORDS`), as whole
  words, case aside.

Decisions on look-alikes, which stay as written: an honorific followed by a position or a
form of address is a role, not a person (`Pak Camat`, `Bu Lurah`, `Bapak Kepala Dinas`,
`Bapak Ibu sekalian`, `Ibu Kota`); so is `bapak-bapak`. A role held by one person identifies
that person, but the comment is about the role and HR needs it; a name after the role is
redacted only when it is on the roster. Amounts (`Rp 1.500.000`), dates, years, letter and
ticket numbers, street numbers and unit names are not personal data. A name written in small
letters after an honorific (`pak joko`) is found only when it is on the roster: small-letter
words after `pak`/`bu` are mostly not names (`pak tolong`, `bu sudah`).

Every match is replaced, so a number that only looks like one of these (a 16-digit account
number, say) is removed too: recall before precision for the numbers.

Why the standard library's `re` and not Presidio. presidio-analyzer 2.2.366's
`PatternRecognizer` runs the same regular expressions without a spaCy model, but installing
it pulls in spaCy, thinc and phonenumbers: 393 MB of site-packages and 21 s of install
(measured 2026-12-08 in an empty Python 3.11 venv), and `import presidio_analyzer` takes
1.5–1.9 s because it imports spaCy, in every web and worker process. Its recognisers are
English and US-centred (none knows NIP, NIK or Indonesian honorifics), so every pattern here
would be written anyway; what it adds (a score, context words) is not used, because every
match is removed. This table is the whole recogniser: small enough to read and to test on the
corpus (tests/data/redaction_corpus.jsonl, figures in bench/README.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDERS = {"EMAIL": "[EMAIL]", "NIP": "[NIP]", "NIK": "[NIK]", "TELEPON": "[TELEPON]",
                "NAMA": "[NAMA]"}

_SEP = r"[ .\-]?"  # one optional separator inside a grouped number
_DIGITS_BEFORE = r"(?<![\d\w])"
_DIGITS_AFTER = r"(?![\d\w])"

# (entity, pattern) in priority order: on overlapping matches the longer wins, then the
# earlier entity of this table.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)),
    ("NIP", re.compile(_DIGITS_BEFORE
                       + rf"(?:\d{{18}}|\d{{8}}{_SEP}\d{{6}}{_SEP}\d{_SEP}\d{{3}})"
                       + _DIGITS_AFTER)),
    ("NIK", re.compile(_DIGITS_BEFORE
                       + rf"(?:\d{{16}}|\d{{6}}{_SEP}\d{{6}}{_SEP}\d{{4}}"
                       + rf"|\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}})"
                       + _DIGITS_AFTER)),
    ("TELEPON", re.compile(
        r"(?<![\w+])"
        r"(?:(?:\(?\+\s?62\)?|62|\(?0)[ .\-]?\(?8\d{1,3}\)?(?:[ .\-]{0,2}\d){6,9}"  # mobile
        r"|\(?\+\s?62\)?[ .\-]?\(?[2-79]\d{0,3}\)?(?:[ .\-]?\d){5,8}"  # landline, +62
        r"|\(0[2-79]\d{1,3}\)[ .\-]?\d(?:[ .\-]?\d){4,7})"  # landline, (area code)
        r"(?![\w])")),
)

HONORIFICS = ("Saudari", "Saudara", "Bapak", "Sdri.", "Sdra.", "Sdri", "Sdra", "Mbak", "Bpk.",
              "Sdr.", "Bpk", "Sdr", "Ibu", "Pak", "Mba", "Kak", "Bang", "Mas", "Bp.", "Bp", "Bu")
# Titles written before a name; they belong to the redacted name.
_NAME_PREFIX = r"(?:(?:H|Hj|Dr|dr|Drs|Dra|Ir|Prof|KH)\.[ \t]*)"
_NAME_WORD = r"(?:[A-Z][A-Za-z']+(?:-[A-Z][A-Za-z']+)?|[A-Z]\.)"
_HONORIFIC_NAME = re.compile(
    r"(?<![\w-])(?P<honorific>(?i:" + "|".join(re.escape(h) for h in HONORIFICS) + r"))"
    r"[ \t]+(?P<name>" + _NAME_PREFIX + r"*" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD
    + r"){0,3})")
_PREFIX_WORD = re.compile(_NAME_PREFIX)

# Capitalised words after an honorific that are a role, a form of address or a sentence's
# word, not a name (compared in small letters). The first word decides.
NOT_NAMES = frozenset("""
camat lurah kades kepala kadis kaban kabid kasi kasubag kasubbag kabag sekretaris sekda sekcam
sekdes bupati wakil wali walikota gubernur menteri presiden direktur dirut ketua rt rw dokter
guru dosen kapolsek kapolres danramil babinsa bhabinkamtibmas satpam petugas pegawai staf
operator pimpinan atasan plt plh pj kepsek kasie pengawas penyuluh bidan perawat mantri ustad
ustadz kyai pendeta haji hajjah komandan ajudan sopir supir kurir admin kadus kaling kapus
bapak ibu pak bu mas mbak kak bang sdr saudara saudari sekalian semua semuanya
kota pertiwi negara
saya kami kita anda dia mereka yang dan atau tetapi tapi juga sudah belum tolong mohon terima
selamat maaf apa siapa kapan kenapa mengapa bagaimana di ke dari untuk dengan itu ini
""".split())

# Everyday Indonesian words that are also given names: a roster word that is one of these is
# matched only as part of the whole roster entry ("pelayanan bagus" keeps "bagus").
ORDINARY_WORDS = frozenset("""
bagus indah jaya baik sari putri putra agung mulia cahaya bunga intan murni setia lestari
abadi kurnia ayu eka dwi tri catur rahmat berkah bakti bumi bulan bintang fajar senja pagi
embun hujan angin langit laut gunung rimba damai aman sehat sentosa makmur sejahtera suci
tulus ikhlas sabar harapan cinta kasih sayang manis merdeka perdana utama pratama muda tua
besar kecil baru lama hari raya tegar teguh kuat gagah
""".split())


@dataclass(frozen=True)
class Span:
    """A found piece of personal data: [start, end) of the normalised text and its entity."""

    start: int
    end: int
    entity: str


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) without invisible format characters
    (a zero-width space inside a number would hide it from the patterns)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def find_spans(text: str, roster: Iterable[str] = ()) -> list[Span]:
    """Every piece of personal data in `text` (already normalised), without overlaps, in text
    order."""
    found = [Span(m.start(), m.end(), entity) for entity, pattern in PATTERNS
             for m in pattern.finditer(text)]
    found += _honorific_names(text)
    roster_pattern = _roster_pattern(tuple(sorted({" ".join(n.split()) for n in roster
                                                   if n.strip()})))
    if roster_pattern is not None:
        found += [Span(m.start(), m.end(), "NAMA") for m in roster_pattern.finditer(text)]
    return _without_overlaps(found)


def redact(text: str, roster: Iterable[str] = ()) -> str:
    """`text` with every piece of personal data replaced by its placeholder (module
    docstring); `roster`: names of the people of the unit (any case)."""
    text = normalise(text)
    parts, at = [], 0
    for span in find_spans(text, roster):
        parts += [text[at:span.start], PLACEHOLDERS[span.entity]]
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def _honorific_names(text: str) -> list[Span]:
    spans, at = [], 0
    while (match := _HONORIFIC_NAME.search(text, at)) is not None:
        at = match.end("honorific")  # a skipped role may still be followed by a name
        start = match.start("name")
        words = list(re.finditer(r"\S+", match.group("name")))
        names = [w for w in words if not _PREFIX_WORD.fullmatch(w.group())]
        if not names or names[0].group().strip(".").lower() in NOT_NAMES:
            continue
        # Trailing words that are not names (a sentence going on in capitals) stay.
        while len(names) > 1 and names[-1].group().strip(".").lower() in NOT_NAMES:
            names.pop()
        spans.append(Span(start, start + names[-1].end(), "NAMA"))
    return spans


@lru_cache(maxsize=64)
def _roster_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole roster entries and their distinctive words, longest first, as whole words."""
    phrases = {name for name in names if " " in name or name.lower() not in ORDINARY_WORDS}
    phrases |= {word for name in names for word in name.split()
                if len(word) >= 3 and word.lower() not in ORDINARY_WORDS}
    if not phrases:
        return None
    alternatives = [r"\s+".join(re.escape(w) for w in phrase.split())
                    for phrase in sorted(phrases, key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


_PRIORITY = {entity: rank for rank, entity in enumerate(
    [e for e, _p in PATTERNS] + ["NAMA"])}


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the longer of overlapping spans (then the higher priority); adjacent names of
    the same entity stay separate placeholders."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), _PRIORITY[s.entity],
                                             s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
