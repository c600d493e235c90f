"""`flask audit`: check a live database and the configured logs against design/anonymity.md.

Database (SQLAlchemy inspector, read only):
- response / answer / code: every column must be on the allow-list; a column whose name or
  type could hold a time, date, IP address, user agent, code, hash, cookie or sequence is a
  breach (the code table's `hash` is the one allowed keyed hash);
- response / answer must not have an insertion order: SQLite `WITHOUT ROWID`, no
  autoincrement/sequence/identity default on PostgreSQL;
- the named constraints that enforce the rules must exist (k >= 3, answer ranges);
- the triggers that make a closed wave's responses and answers immutable must exist
  (migrations 0002 and 0004);
- every wave must have k >= 3 (a row written past the constraint is reported);
- storage traces (rule 11, `storage_findings`): SQLite in WAL mode or a leftover `-wal` file
  with frames, a rowid `code` table, secure_delete off, synchronous below FULL, database or
  journal files readable by group or others; on both databases code rows of closed waves; on
  PostgreSQL a closed wave's responses and answers with more than one xmin, and fsync or
  synchronous_commit off.
Data: the checks of `survey_app.breaches` (used codes vs responses, answers in range, k
changed after opening) run too, so this command replaces that module's `flask audit`.
Logs (`LENTERA_AUDIT_LOGS`, paths separated by the OS path separator): any line with a
code-shaped token, and any line about a respond route (`/isi`) carrying an IP address.

The report never repeats a code it found: tokens are masked. Exit status 1 on any breach.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import ReflectedColumn

from ..codes import ALPHABET
from ..config import CITIZEN_PREFIX, RESPOND_PREFIX

ALLOWED_COLUMNS = {
    "response": {"id", "wave_id", "unit_id", "cut"},
    "answer": {"response_id", "item_code", "value", "points"},
    "code": {"hash", "wave_id", "unit_id", "used"},
    "comment": {"id", "wave_id", "unit_id", "text", "hidden"},
}
# Allowed names that would otherwise match the suspicious-name pattern.
ALLOWED_SUSPICIOUS = {("answer", "item_code"), ("code", "hash")}
SUSPICIOUS_NAME = re.compile(
    r"(time|date|_at$|^at$|stamp|created|updated|submitted|modified|when|day|hour|minute|"
    r"second|epoch|ip|addr|host|agent|^ua$|browser|device|cookie|session|token|code|hash|"
    r"digest|seq|serial|order|counter|rowid|oid|email|name|nip|user)",
    re.IGNORECASE,
)
TIME_TYPES = (sa.Date, sa.DateTime, sa.Time, sa.Interval)
REQUIRED_CONSTRAINTS = {
    "wave": {"ck_wave_k_minimum"},
    "answer": {"ck_answer_value_range", "ck_answer_points_range"},
}
K_MINIMUM = 3
# The closed-wave guards per dialect (migrations 0002_closed_wave_guard and, on PostgreSQL,
# 0004_answer_guard_per_statement): without them a closed wave's answers could be changed.
GUARD_TRIGGERS = {
    "sqlite": {f"trg_{table}_{event}_closed" for table in ("response", "answer")
               for event in ("insert", "update", "delete")},
    "postgresql": {"trg_response_closed_wave"} | {
        f"trg_answer_{event}_closed_wave" for event in ("insert", "update", "delete")},
}
TRIGGER_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
}
_SYMBOL = f"[{ALPHABET}]"
CODE_TOKEN = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_SYMBOL}{{4}}[- ]?{_SYMBOL}{{4}}[- ]?{_SYMBOL}{{4}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", re.IGNORECASE)
# The respondents' and the citizens' routes: neither may reach a log with an address.
RESPOND_ROUTE = re.compile(rf"(?<![\w/])(?:{RESPOND_PREFIX}|{CITIZEN_PREFIX})(?:\b|/|\?|$)")


@dataclass(frozen=True)
class Finding:
    """One breach of the anonymity rules: which rule, where, and what was seen."""

    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.detail}"


# --- database ------------------------------------------------------------------------------


def audit_database(engine: Engine) -> list[Finding]:
    """All breaches visible in the schema and the wave table of a live database."""
    inspector = sa.inspect(engine)
    tables = set(inspector.get_table_names())
    findings: list[Finding] = []
    for table in ALLOWED_COLUMNS:
        if table not in tables:
            findings.append(Finding("schema", table, "table missing (is the schema migrated?)"))
            continue
        findings += _column_findings(table, inspector.get_columns(table))
    for table in ("response", "answer", "code", "comment"):
        if table in tables:
            findings += _order_findings(engine, table, inspector.get_columns(table))
    findings += _constraint_findings(inspector, tables)
    if {"response", "answer"} <= tables:
        findings += _guard_findings(engine)
    if "wave" in tables:
        findings += _small_k_findings(engine)
    findings += storage_findings(engine, tables)
    return findings


def _column_findings(table: str, columns: Sequence[ReflectedColumn]) -> list[Finding]:
    """Columns not on the allow-list, and columns that could hold a time or an identifier."""
    found = []
    for col in columns:
        name, type_ = col["name"], col["type"]
        if isinstance(type_, TIME_TYPES):
            found.append(Finding("rule 1/2: no time", f"{table}.{name}",
                                 f"column of type {type_} can hold a date or time"))
        elif SUSPICIOUS_NAME.search(name) and (table, name) not in ALLOWED_SUSPICIOUS:
            found.append(Finding("rule 1/2: no identifier", f"{table}.{name}",
                                 "column name suggests a time, address, agent, code or hash"))
        elif name not in ALLOWED_COLUMNS[table]:
            found.append(Finding("rule 2: allow-list", f"{table}.{name}",
                                 "column not on the anonymity allow-list"))
    return found


def _order_findings(engine: Engine, table: str,
                    columns: Sequence[ReflectedColumn]) -> list[Finding]:
    """An insertion order: SQLite rowid, or an autoincrement/sequence/identity on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            ddl = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' "
                                       "AND name = :t"), {"t": table}).scalar() or ""
        if "WITHOUT ROWID" not in ddl.upper():
            return [Finding("rule 2: no order", table,
                            "SQLite table has a rowid (insertion order); use WITHOUT ROWID")]
        return []
    found = []
    for col in columns:
        default = str(col.get("default") or "")
        if col.get("autoincrement") is True or "nextval" in default or col.get("identity"):
            found.append(Finding("rule 2: no order", f"{table}.{col['name']}",
                                 "sequence/identity column numbers rows in submission order"))
    return found


def _constraint_findings(inspector: sa.Inspector, tables: set[str]) -> list[Finding]:
    """Named CHECK constraints that enforce k and answer ranges must be present."""
    found = []
    for table, names in REQUIRED_CONSTRAINTS.items():
        if table not in tables:
            continue
        present = {c["name"] for c in inspector.get_check_constraints(table)}
        for name in sorted(names - present):
            found.append(Finding("rule 4: constraints", table, f"constraint {name} missing"))
    return found


def _guard_findings(engine: Engine) -> list[Finding]:
    """The closed-wave guard triggers of this dialect that are missing."""
    expected = GUARD_TRIGGERS.get(engine.dialect.name, set())
    if not expected:
        return []
    with engine.connect() as conn:
        present = set(conn.scalars(sa.text(TRIGGER_NAMES[engine.dialect.name])))
    return [Finding("closed waves are immutable", name,
                    "guard trigger missing: a closed wave's answers could be changed")
            for name in sorted(expected - present)]


def _small_k_findings(engine: Engine) -> list[Finding]:
    """Waves whose k is below the minimum of 3."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, name, k FROM wave WHERE k < :k"),
                            {"k": K_MINIMUM}).all()
    return [Finding("rule 4: k >= 3", f"wave {r.id} ({r.name})", f"k = {r.k}") for r in rows]


# --- storage traces (design/anonymity.md rule 11) -----------------------------------------

STORAGE = "rule 11: storage trace"
DURABILITY = "durability"
WAL_HEADER = 32  # bytes; a -wal file longer than its header holds frames (pages of commits)


def storage_findings(engine: Engine, tables: set[str]) -> list[Finding]:
    """Traces in the files that could link a code to its response or order submissions, and
    settings that could lose an acknowledged submission."""
    found: list[Finding] = []
    if {"code", "wave"} <= tables:
        found += _closed_wave_code_findings(engine)
    if engine.dialect.name == "sqlite":
        found += _sqlite_storage_findings(engine)
    elif engine.dialect.name == "postgresql":
        if {"response", "answer", "wave"} <= tables:
            found += _xmin_findings(engine)
        with engine.connect() as conn:
            settings = {name: conn.exec_driver_sql(f"SHOW {name}").scalar()
                        for name in ("fsync", "synchronous_commit")}
        found += durability_findings(settings)
    return found


def _closed_wave_code_findings(engine: Engine) -> list[Finding]:
    """Code rows of a closed wave: its codes are no longer needed and their rows (in heap or
    page order, with their row versions) are what links codes to responses."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT wave.id, wave.name, count(*) AS n FROM code JOIN wave ON wave.id = "
            "code.wave_id WHERE wave.state = 'closed' GROUP BY wave.id, wave.name "
            "ORDER BY wave.id")).all()
    return [Finding(STORAGE, f"wave {r.id} ({r.name})",
                    f"{r.n} code rows left after close (close the wave with the app)")
            for r in rows]


def _xmin_findings(engine: Engine) -> list[Finding]:
    """PostgreSQL: a closed wave's responses and answers must share one row version (xmin);
    several mean per-submission transaction ids survived the close."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT w.id, w.name, count(DISTINCT x.xid) AS n FROM wave w JOIN ("
            "SELECT r.wave_id, r.xmin::text AS xid FROM response r UNION ALL "
            "SELECT r.wave_id, a.xmin::text FROM answer a JOIN response r "
            "ON r.id = a.response_id UNION ALL SELECT c.wave_id, c.xmin::text FROM comment c"
            ") x ON x.wave_id = w.id WHERE w.state = 'closed' "
            "GROUP BY w.id, w.name HAVING count(DISTINCT x.xid) > 1 ORDER BY w.id")).all()
    return [Finding(STORAGE, f"wave {r.id} ({r.name})",
                    f"responses and answers carry {r.n} transaction ids (xmin) after close")
            for r in rows]


def durability_findings(settings: Mapping[str, object]) -> list[Finding]:
    """PostgreSQL settings under which a commit can be acknowledged and then lost."""
    found = []
    if str(settings.get("fsync", "on")).lower() == "off":
        found.append(Finding(DURABILITY, "fsync", "off: a power cut can lose or corrupt "
                             "acknowledged submissions"))
    if str(settings.get("synchronous_commit", "on")).lower() == "off":
        found.append(Finding(DURABILITY, "synchronous_commit", "off: a crash can lose "
                             "submissions that were already acknowledged"))
    return found


def _sqlite_storage_findings(engine: Engine) -> list[Finding]:
    with engine.connect() as conn:
        mode = str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()
        secure = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    found = []
    if mode == "wal":
        found.append(Finding(STORAGE, "journal_mode", "WAL: the -wal file keeps the pages of "
                             "every commit in commit order (links codes to responses)"))
    if not secure:
        found.append(Finding(STORAGE, "secure_delete", "off: deleted rows and freed pages "
                             "stay readable in the file"))
    if sync is None or sync < 2:
        found.append(Finding(DURABILITY, "synchronous", f"{sync} (below FULL): a power cut "
                             "can lose acknowledged submissions"))
    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        found += sqlite_file_findings(Path(path))
    return found


def sqlite_file_findings(path: Path) -> list[Finding]:
    """A leftover -wal with frames, and database files readable by group or others."""
    found = []
    wal = path.with_name(path.name + "-wal")
    if wal.is_file() and wal.stat().st_size > WAL_HEADER:
        found.append(Finding(STORAGE, str(wal), f"{wal.stat().st_size} bytes of WAL frames "
                             "(pages of past commits, in commit order)"))
    for file in (path, wal, path.with_name(path.name + "-journal")):
        if file.is_file() and file.stat().st_mode & 0o077:
            found.append(Finding(STORAGE, str(file), f"mode {file.stat().st_mode & 0o777:o}: "
                                 "readable beyond its owner (use 0600)"))
    return found


# --- logs ----------------------------------------------------------------------------------


def mask(token: str) -> str:
    """Show only the first group of a code-shaped token, so the report does not leak it."""
    return token[:4] + "-****-****"


def _has_ip(line: str) -> bool:
    for match in IPV4.finditer(line):
        try:
            ipaddress.IPv4Address(match.group(0))
            return True
        except ValueError:
            continue
    for match in IPV6.finditer(line):
        if not any(ch.isalnum() for ch in match.group(0)):
            continue  # a bare "::" separator is not an address
        try:
            ipaddress.IPv6Address(match.group(0))
            return True
        except ValueError:
            continue
    return False


def _looks_like_code(token: str) -> bool:
    """Code-shaped: 12 symbols of the code alphabet, with at least one digit and one letter
    unless grouped with dashes (plain words such as 'AUTHENTICATE' are not codes)."""
    raw = token.replace("-", "").replace(" ", "")
    if "-" in token:
        return True
    return any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw)


def audit_log_lines(name: str, lines: Iterable[str]) -> list[Finding]:
    """Breaches in the lines of one log."""
    found = []
    for number, line in enumerate(lines, start=1):
        where = f"{name}:{number}"
        codes = [m.group(0) for m in CODE_TOKEN.finditer(line) if _looks_like_code(m.group(0))]
        if codes:
            found.append(Finding("rule 2: no code in logs", where,
                                 "code-shaped token " + ", ".join(mask(c) for c in codes)))
        if RESPOND_ROUTE.search(line) and _has_ip(line):
            found.append(Finding("rule 2: no IP from respond routes", where,
                                 "a respond route logged with an IP address"))
    return found


def audit_logs(paths: Iterable[str | Path]) -> list[Finding]:
    """Breaches in every configured log file (a missing file is reported, not skipped)."""
    found: list[Finding] = []
    for path in map(Path, paths):
        if not path.is_file():
            found.append(Finding("logs", str(path), "configured log file not found"))
            continue
        with path.open(encoding="utf-8", errors="replace") as fh:
            found += audit_log_lines(str(path), fh)
    return found


def log_paths(app: Flask) -> list[str]:
    """The log files to audit: LENTERA_AUDIT_LOGS (a list, or paths joined by os.pathsep)."""
    value = app.config["LENTERA_AUDIT_LOGS"]
    if isinstance(value, str):
        return [p for p in value.split(os.pathsep) if p]
    return [str(p) for p in value]


def data_findings() -> list[Finding]:
    """The data checks of `survey_app.breaches` (used codes vs responses, answer ranges, k
    changed after opening), so the one `flask audit` command runs every check."""
    from ..extensions import db
    from .breaches import data_breaches

    try:
        return [Finding("data", "database", line) for line in data_breaches()]
    finally:
        db.session.rollback()


def run_audit(app: Flask) -> list[Finding]:
    """Database and log findings of this app's configuration."""
    from ..extensions import db

    with app.app_context():
        findings = audit_database(db.engine)
        if not any(f.rule == "schema" for f in findings):  # data checks need the tables
            findings += data_findings()
    return findings + audit_logs(log_paths(app))
