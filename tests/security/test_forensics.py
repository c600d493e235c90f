"""Forensic attacks on the stored files (design/anonymity.md rule 11, SECURITY.md "Storage").

Written as the attacker runs them: N respondents submit in a known order through the real
respondent pages (CSRF on); the attacker copies the database files while the app's engine is
still connected (SQLite: the main file plus any -wal/-journal; PostgreSQL: `pg_dump` and the
heap order `ORDER BY ctid` with `xmin`) and tries (a) to pair used codes with responses and
(b) to recover the submission order from the physical order.

The test itself knows which code produced which response (it looks at the new response after
each submission) only to score the attack.

Order statistic: Spearman's rank correlation between submission order and physical order, over
N = 60 responses. Under independence rho is approximately normal with sd 1/sqrt(N - 1) = 0.130;
|rho| > 0.45 (z = 3.46) then happens with probability 5.4e-4, the false-positive rate of each
"no order" assertion. Where the rewrite makes physical order a function of the random keys,
the exact check (cells/rows in key order) is asserted too.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import struct
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from scipy.stats import spearmanr

from survey_app.codes import hash_code, normalise_code
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.ops.backup import _pg_url
from survey_app.services import create_wave, issue_codes, open_wave
from tests.app.helpers import submit

from .conftest import CODE_KEY, FULL_ANSWERS, add_units, csrf_token, login

N = 60
RHO_LIMIT = 0.45  # two-sided false-positive rate 5.4e-4 at N = 60 (module docstring)
INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8}  # record serial type -> bytes
SQLITE = [pytest.param("sqlite")]
POSTGRES = [pytest.param("postgres", marks=pytest.mark.postgres)]


# --- the respondents -----------------------------------------------------------------------


@pytest.fixture
def wave(app):  # type: ignore[no-untyped-def]
    """An open wave over one unit with N + 10 codes, in print (issue) order."""
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("A", "Unit A", "ROOT", N + 10)])
        w = create_wave(name="Forensik 2026-Q1", period="2026-Q1",
                        instrument_keys=["tready", "tlearn"], unit_ids=[units["A"].id],
                        opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 1, 30), k=3,
                        actor="test")
        open_wave(w, actor="test")
        codes = [c.code for c in issue_codes(w, units["A"], N + 10, key=CODE_KEY,
                                             actor="test")]
        db.session.commit()
        return {"id": w.id, "codes": codes}


def digest(code: str) -> bytes:
    return hash_code(normalise_code(code), CODE_KEY)


def submit_in_order(app, codes: list[str]) -> list[tuple[bytes, str]]:  # type: ignore[no-untyped-def]
    """Submit each code through the pages; (code hash, response id hex) in submission order."""
    client = app.test_client()
    truth, seen = [], set()
    for code in codes:
        assert submit(client, code, FULL_ANSWERS).status_code == 200
        with app.app_context():
            ids = {i.hex for i in db.session.scalars(sa.select(Response.id))}
            db.session.rollback()
        (new,) = ids - seen
        seen |= ids
        truth.append((digest(code), new))
    return truth


def close_through_hr_pages(app, users, wave_id: int) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert login(client, "admin").status_code == 302
    page = client.get(f"/hr/gelombang/{wave_id}").get_data(as_text=True)
    reply = client.post(f"/hr/gelombang/{wave_id}/tutup", data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT state FROM wave WHERE id = :w"),
                                 {"w": wave_id}) == "closed"
        db.session.rollback()


def rho(order_a: list, order_b: list) -> float:  # type: ignore[type-arg]
    """Spearman's rho between the positions of the same items in two orders."""
    position = {item: i for i, item in enumerate(order_b)}
    return float(spearmanr(range(len(order_a)), [position[i] for i in order_a]).statistic)


# --- SQLite: copying the files -------------------------------------------------------------


def copy_sqlite_files(app, target: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """Copy the main file and any -wal/-journal beside it, engine still connected."""
    with app.app_context():
        source = Path(db.engine.url.database)  # type: ignore[arg-type]
        with db.engine.connect():  # at least one connection is open while copying
            target.mkdir(exist_ok=True)
            copies = {}
            for suffix in ("", "-wal", "-journal"):
                path = source.with_name(source.name + suffix)
                if path.exists():
                    copies[suffix] = Path(shutil.copyfile(path, target / path.name))
    return copies


def open_copy(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?immutable=1", uri=True)


def wal_commits(main: bytes, wal: bytes) -> list[bytes]:
    """The database image after each commit found in a WAL file (sqlite.org/fileformat.html):
    a 32-byte header, then frames of a 24-byte header (page number, database size in pages
    for a commit frame, salts) and one page."""
    if len(wal) < 32:
        return []
    page_size = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    image = bytearray(main)
    images = []
    for offset in range(32, len(wal) - 24 - page_size + 1, 24 + page_size):
        number, size = struct.unpack(">II", wal[offset:offset + 8])
        if wal[offset + 8:offset + 16] != salts:
            break  # frames of an older generation
        page = wal[offset + 24:offset + 24 + page_size]
        start = (number - 1) * page_size
        if len(image) < start + page_size:
            image.extend(b"\0" * (start + page_size - len(image)))
        image[start:start + page_size] = page
        if size:
            del image[size * page_size:]
            images.append(bytes(image))
    return images


def current_file(copies: dict[str, Path], tmp: Path) -> Path:
    """The database as a reader sees it: the main file, with the WAL's commits applied."""
    images = wal_commits(copies[""].read_bytes(), copies["-wal"].read_bytes()) \
        if "-wal" in copies else []
    if not images:
        return copies[""]
    path = tmp / "current.db"
    path.write_bytes(images[-1])
    return path


def replay_links(copies: dict[str, Path], tmp: Path) -> set[tuple[bytes, str]]:
    """Attack (a): replay the WAL commit by commit; a commit that marks one code used and adds
    one response pairs them."""
    if "-wal" not in copies:
        return set()
    images = wal_commits(copies[""].read_bytes(), copies["-wal"].read_bytes())
    links, before = set(), None
    for number, image in enumerate(images):
        path = tmp / f"commit-{number}.db"
        path.write_bytes(image)
        conn = open_copy(path)
        state = (set(conn.execute("SELECT hash FROM code WHERE used").fetchall()),
                 set(conn.execute("SELECT id FROM response").fetchall()))
        conn.close()
        if before is not None:
            used, added = state[0] - before[0], state[1] - before[1]
            if len(used) == 1 and len(added) == 1:
                links.add((next(iter(used))[0], next(iter(added))[0]))
        before = state
    return links


def btree_cells(data: bytes, root: int) -> list[tuple[int, int, bytes]]:
    """(page number, cell offset, first column) of every cell of the b-tree at `root`, read
    from the raw file: table leaves (0x0d) and index pages (0x02, 0x0a; WITHOUT ROWID tables)
    hold rows; table interior pages (0x05) only pointers."""
    page_size = struct.unpack(">H", data[16:18])[0] or 65536
    cells: list[tuple[int, int, bytes]] = []

    def varint(buf: bytes, at: int) -> tuple[int, int]:
        value = 0
        for i in range(9):
            byte = buf[at + i]
            if i == 8:
                return (value << 8) | byte, at + 9
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                return value, at + i + 1
        raise AssertionError("unreachable")

    def record_first(page: bytes, at: int) -> bytes:
        """The first column of the record at `at`: a text or blob key, or an integer."""
        header_size, body = varint(page, at)
        serial, _ = varint(page, body)
        length = (serial - 12) // 2 if serial >= 12 else INT_SIZES.get(serial, 0)
        return page[at + header_size:at + header_size + length]

    def walk(number: int) -> None:
        page = data[(number - 1) * page_size:number * page_size]
        head = 100 if number == 1 else 0
        kind, count = page[head], struct.unpack(">H", page[head + 3:head + 5])[0]
        pointers = head + (12 if kind in (0x02, 0x05) else 8)
        for i in range(count):
            offset = struct.unpack(">H", page[pointers + 2 * i:pointers + 2 * i + 2])[0]
            if kind in (0x02, 0x05):
                walk(struct.unpack(">I", page[offset:offset + 4])[0])
            if kind == 0x0D:
                _payload, at = varint(page, offset)
                _rowid, at = varint(page, at)
                cells.append((number, offset, record_first(page, at)))
            elif kind in (0x02, 0x0A):
                _payload, at = varint(page, offset + (4 if kind == 0x02 else 0))
                cells.append((number, offset, record_first(page, at)))
        if kind in (0x02, 0x05):
            walk(struct.unpack(">I", page[head + 8:head + 12])[0])

    walk(root)
    return cells


def physical_order(path: Path, table: str) -> list[bytes]:
    """Attack (b): a table's rows by where they sit in the file. Cells of a page are written
    from its end towards its start, so a later cell sits lower: sort by (page, -offset)."""
    conn = open_copy(path)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    conn.close()
    cells = btree_cells(path.read_bytes(), root)
    return [key for _page, _offset, key in sorted(cells, key=lambda c: (c[0], -c[1]))]


def cells_in_key_order(path: Path, table: str) -> bool:
    """True when in every page the cells lie in key order (no insertion order inside pages).

    Holds for a page that was filled in key order (VACUUM) and not split since; a page that a
    split rebuilt may place a few cells out of key order, by key, not by time."""
    conn = open_copy(path)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    conn.close()
    pages: dict[int, list[tuple[int, bytes]]] = {}
    for page, offset, key in btree_cells(path.read_bytes(), root):
        pages.setdefault(page, []).append((offset, key))
    return all([k for _o, k in sorted(cells, key=lambda c: -c[0])] == sorted(k for _o, k in cells)
               for cells in pages.values())


def response_order(order: list[bytes]) -> list[str]:
    """Response ids (hex) in the given order of rows (answers: first row of each response)."""
    seen: dict[str, None] = {}
    for key in order:
        seen.setdefault(key.decode(), None)
    return list(seen)


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_live_copy_links_no_code_to_its_response(app, backend, wave, tmp_path):
    truth = submit_in_order(app, wave["codes"][:N])
    copies = copy_sqlite_files(app, tmp_path / "copy")
    links = replay_links(copies, tmp_path)
    assert len(links & set(truth)) == 0, f"{len(links & set(truth))}/{N} submissions linked"
    assert set(copies) == {""}, "a -wal or -journal file lies beside the database"
    # A code is marked used in place: where used codes sit says nothing of when.
    used = {h for h, _rid in truth}
    stored = [h for h in physical_order(current_file(copies, tmp_path), "code") if h in used]
    assert abs(rho([h for h, _rid in truth], stored)) <= RHO_LIMIT


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_copy_mid_transaction_holds_nothing_of_the_submission(app, backend, wave,
                                                                      tmp_path):
    """A copy taken while a store transaction is open (before its commit) shows neither the
    new response nor the code marked used: the journal holds only before-images."""
    from survey_app.models import Response
    from survey_app.services import StoredAnswer, check_code, store_response

    submit_in_order(app, wave["codes"][:5])
    answers = [StoredAnswer("RD11", 4, 5), StoredAnswer("RD12", 2, 5), StoredAnswer("RD21", 5, 5),
               StoredAnswer("RD22", 1, 5), StoredAnswer("LC11", 6, 6), StoredAnswer("LC12", 3, 6),
               StoredAnswer("LC13", 1, 6)]
    with app.test_request_context("/isi/survei", method="POST"):
        before = set(db.session.scalars(sa.select(Response.id)))
        store_response(check_code(wave["codes"][5]), answers, None)  # not committed
        (new_id,) = set(db.session.scalars(sa.select(Response.id))) - before
        rid = new_id.hex
        try:
            copies = copy_sqlite_files(app, tmp_path / "copy")
        finally:
            db.session.rollback()
    for copy in copies.values():
        assert rid.encode() not in copy.read_bytes()
    assert "-wal" not in copies, "the WAL keeps every commit"
    used = open_copy(copies[""]).execute("SELECT count(*) FROM code WHERE used").fetchone()[0]
    assert used == 5


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_codes_are_not_stored_in_print_order(app, backend, wave, tmp_path):
    printed = [digest(c) for c in wave["codes"]]
    copies = copy_sqlite_files(app, tmp_path / "copy")
    current = current_file(copies, tmp_path)
    stored = physical_order(current, "code")
    assert sorted(stored) == sorted(printed)
    assert abs(rho(printed, stored)) <= RHO_LIMIT
    conn = open_copy(current)
    with pytest.raises(sqlite3.OperationalError, match="rowid"):
        conn.execute("SELECT rowid FROM code")


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_open_wave_copy_orders_responses_inside_a_page(app, backend, wave, tmp_path):
    """What SECURITY.md says a copy of the live file shows during an open wave: cells of a
    page in the order they were inserted (the closed-wave test below shows it gone)."""
    truth = submit_in_order(app, wave["codes"][:N])
    copies = copy_sqlite_files(app, tmp_path / "copy")
    order = response_order(physical_order(current_file(copies, tmp_path), "response"))
    assert rho([rid for _h, rid in truth], order) > RHO_LIMIT


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_backup_of_an_open_wave_has_no_order(app, backend, wave, tmp_path):
    truth = submit_in_order(app, wave["codes"][:N])
    file = tmp_path / "lentera.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert file.stat().st_mode & 0o777 == 0o600
    for table in ("response", "code"):  # one page each here; answer pages: rho below
        assert cells_in_key_order(file, table), table
    submitted = [rid for _h, rid in truth]
    for table in ("response", "answer"):
        assert abs(rho(submitted, response_order(physical_order(file, table)))) <= RHO_LIMIT


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_closed_wave_files_hold_no_link_and_no_order(app, backend, users, wave,
                                                             tmp_path):
    truth = submit_in_order(app, wave["codes"][:N])
    close_through_hr_pages(app, users, wave["id"])
    copies = copy_sqlite_files(app, tmp_path / "copy")
    found = sum(digest(c) in copy.read_bytes() for c in wave["codes"] for copy in copies.values())
    assert found == 0, f"{found} of the wave's code hashes still in the files"
    current = current_file(copies, tmp_path)
    submitted = [rid for _h, rid in truth]
    for table in ("response", "answer"):
        order = response_order(physical_order(current, table))
        assert abs(rho(submitted, order)) <= RHO_LIMIT, f"{table}: rho {rho(submitted, order)}"
    assert cells_in_key_order(current, "response")  # one page here; answer pages: rho above
    assert set(copies) == {""}


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_database_and_journal_files_are_owner_only(app, backend, wave, tmp_path):
    with app.app_context():
        path = Path(db.engine.url.database)  # type: ignore[arg-type]
    assert path.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE wave SET name = name || ''")
    journal = path.with_name(path.name + "-journal")
    try:
        assert journal.exists() and journal.stat().st_mode & 0o777 == 0o600
    finally:
        conn.execute("ROLLBACK")
        conn.close()


# --- PostgreSQL: the heap, xmin and pg_dump ------------------------------------------------


def heap(app, table: str, key: str, where: str = "TRUE") -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(key, xmin) of a table's rows in heap order (ctid), as a superuser reads them."""
    with app.app_context():
        rows = db.session.execute(sa.text(
            f"SELECT {key}, xmin::text FROM {table} WHERE {where} ORDER BY ctid")).all()  # noqa: S608
        db.session.rollback()
    return [(bytes(k).hex() if isinstance(k, bytes | memoryview) else k.hex, x) for k, x in rows]


def dump(app, tables: tuple[str, ...]) -> dict[str, list[list[str]]]:  # type: ignore[no-untyped-def]
    """`pg_dump --data-only` of the tables: each table's rows in the dump's order."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump not installed")
    with app.app_context():
        url = _pg_url(db.engine.url)
    argv = [pg_dump, "--data-only", "--dbname", url] + [f"--table={t}" for t in tables]
    text = subprocess.run(argv, check=True, capture_output=True, text=True).stdout  # noqa: S603
    rows: dict[str, list[list[str]]] = {t: [] for t in tables}
    current = None
    for line in text.splitlines():
        if line.startswith("COPY public."):
            current = line.split()[1].removeprefix("public.")
        elif line == "\\.":
            current = None
        elif current:
            rows[current].append(line.split("\t"))
    return rows


def rank_links(used_codes: list[str], responses: list[str],
               truth: list[tuple[bytes, str]]) -> int:
    """Attack (a) on an order: pair the i-th used code with the i-th response."""
    pairs = {(h.hex(), rid) for h, rid in truth}
    return sum((c, r) in pairs for c, r in zip(used_codes, responses, strict=False))


@pytest.mark.parametrize("backend", POSTGRES)
def test_pg_open_wave_xmin_pairs_codes_with_responses(app, backend, wave):
    """What SECURITY.md says live access shows during an open wave: the code row and the
    response of one submission share an xmin (the closed-wave test below shows it gone)."""
    truth = submit_in_order(app, wave["codes"][:N])
    codes = dict(heap(app, "code", "hash"))
    responses = dict(heap(app, "response", "id"))
    linked = sum(codes[h.hex()] == responses[rid] for h, rid in truth)
    assert linked == N


@pytest.mark.parametrize("backend", POSTGRES)
def test_pg_codes_are_not_stored_in_print_order(app, backend, wave):
    printed = [digest(c).hex() for c in wave["codes"]]
    stored = [k for k, _x in heap(app, "code", "hash")]
    assert abs(rho(printed, stored)) <= RHO_LIMIT
    dumped = [row[0].removeprefix("\\\\x") for row in dump(app, ("code",))["code"]]
    assert abs(rho(printed, dumped)) <= RHO_LIMIT


@pytest.mark.parametrize("backend", POSTGRES)
def test_pg_closed_wave_heap_xmin_and_dump_hold_no_link_and_no_order(app, backend, users,
                                                                     wave):
    truth = submit_in_order(app, wave["codes"][:N])
    close_through_hr_pages(app, users, wave["id"])
    submitted = [rid for _h, rid in truth]
    codes = heap(app, "code", "hash", "used")
    responses = heap(app, "response", "id")
    answers = heap(app, "answer", "response_id")
    # (a) links: no code row is left, so none shares an xmin or a rank with a response.
    used = [k for k, _x in codes]
    assert rank_links(used, [r for r, _x in responses], truth) == 0
    assert codes == [], f"{len(codes)} code rows left after close"
    # (b) order: one xmin for the whole wave, heap order = random-id order.
    assert len({x for _r, x in responses} | {x for _r, x in answers}) == 1
    assert [r for r, _x in responses] == sorted(submitted)
    assert abs(rho(submitted, [r for r, _x in responses])) <= RHO_LIMIT
    assert abs(rho(submitted, response_order([r.encode() for r, _x in answers]))) <= RHO_LIMIT
    dumped = dump(app, ("code", "response", "answer"))
    assert dumped["code"] == []
    dump_order = [row[0].replace("-", "") for row in dumped["response"]]
    assert abs(rho(submitted, dump_order)) <= RHO_LIMIT
    answer_order = response_order([row[0].replace("-", "").encode()
                                   for row in dumped["answer"]])
    assert abs(rho(submitted, answer_order)) <= RHO_LIMIT


# --- comments: apart from the responses in every copy ---------------------------------------
# Each submission carries a comment "catatan nomor i"; the attacker pairs comments with
# responses (or codes) by where they sit in the file or by their row versions.

LINK_LIMIT = 5  # correct pairs of a random matching of 60: Poisson(1), P(>= 6) = 6e-4


def submit_with_comments(app, codes: list[str]) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Submit each code with its own comment; (response id hex, comment text) in order."""
    client = app.test_client()
    truth, seen = [], set()
    for i, code in enumerate(codes):
        assert submit(client, code, FULL_ANSWERS, comment=f"catatan nomor {i}").status_code == 200
        with app.app_context():
            ids = {r.hex for r in db.session.scalars(sa.select(Response.id))}
            db.session.rollback()
        (new,) = ids - seen
        seen |= ids
        truth.append((new, f"catatan nomor {i}"))
    return truth


def comment_texts(path: Path) -> dict[str, str]:
    conn = open_copy(path)
    rows = dict(conn.execute("SELECT id, text FROM comment").fetchall())
    conn.close()
    return rows


def order_links(responses: list[str], comments: list[str],
                truth: list[tuple[str, str]]) -> int:
    """Attack on an order: pair the i-th response with the i-th comment."""
    return sum(pair in set(truth) for pair in zip(responses, comments, strict=False))


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_open_wave_copy_orders_no_comment(app, backend, wave, tmp_path):
    """Unlike the responses (above), comments have no insertion order even while the wave is
    open: each new comment rewrites its wave's comments in random order."""
    truth = submit_with_comments(app, wave["codes"][:N])
    copies = copy_sqlite_files(app, tmp_path / "copy")
    current = current_file(copies, tmp_path)
    text_of = comment_texts(current)
    comments = [text_of[key.decode()] for key in physical_order(current, "comment")]
    submitted = [text for _rid, text in truth]
    assert sorted(comments) == sorted(submitted)
    assert abs(rho(submitted, comments)) <= RHO_LIMIT
    responses = response_order(physical_order(current, "response"))
    assert order_links(responses, comments, truth) <= LINK_LIMIT
    with pytest.raises(sqlite3.OperationalError, match="rowid"):
        open_copy(current).execute("SELECT rowid FROM comment")
    assert set(copies) == {""}


@pytest.mark.parametrize("backend", SQLITE)
def test_sqlite_closed_wave_comments_have_no_order(app, backend, users, wave, tmp_path):
    truth = submit_with_comments(app, wave["codes"][:N])
    close_through_hr_pages(app, users, wave["id"])
    copies = copy_sqlite_files(app, tmp_path / "copy")
    current = current_file(copies, tmp_path)
    text_of = comment_texts(current)
    comments = [text_of[key.decode()] for key in physical_order(current, "comment")]
    assert abs(rho([text for _rid, text in truth], comments)) <= RHO_LIMIT
    assert cells_in_key_order(current, "comment")
    responses = response_order(physical_order(current, "response"))
    assert order_links(responses, comments, truth) <= LINK_LIMIT


@pytest.mark.parametrize("backend", POSTGRES)
def test_pg_open_wave_comment_xmin_names_at_most_the_last_submission(app, backend, wave):
    """Every new comment rewrites its wave's comments, so they all carry the last
    submission's xmin: an xmin pairs no earlier comment with its response."""
    truth = submit_with_comments(app, wave["codes"][:N])
    responses = dict(heap(app, "response", "id"))
    with app.app_context():
        comments = dict(db.session.execute(sa.text(
            "SELECT text, xmin::text FROM comment")).all())
        db.session.rollback()
    assert len(set(comments.values())) == 1
    linked = sum(responses[rid] == comments[text] for rid, text in truth)
    assert linked <= 1
    heap_texts = [t for t, _x in heap_rows(app, "comment", "text")]
    submitted = [text for _rid, text in truth]
    assert abs(rho(submitted, heap_texts)) <= RHO_LIMIT


@pytest.mark.parametrize("backend", POSTGRES)
def test_pg_closed_wave_comments_share_one_xmin_and_key_order(app, backend, users, wave):
    truth = submit_with_comments(app, wave["codes"][:N])
    close_through_hr_pages(app, users, wave["id"])
    rows = heap(app, "comment", "id")
    responses = heap(app, "response", "id")
    assert len({x for _k, x in rows} | {x for _r, x in responses}) == 1
    assert [k for k, _x in rows] == sorted(k for k, _x in rows)
    heap_texts = [t for t, _x in heap_rows(app, "comment", "text")]
    assert abs(rho([text for _rid, text in truth], heap_texts)) <= RHO_LIMIT
    dumped = dump(app, ("comment",))["comment"]
    assert abs(rho([text for _rid, text in truth], [row[3] for row in dumped])) <= RHO_LIMIT


def heap_rows(app, table: str, column: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(column value, xmin) of a table's rows in heap order."""
    with app.app_context():
        rows = db.session.execute(sa.text(
            f"SELECT {column}, xmin::text FROM {table} ORDER BY ctid")).all()  # noqa: S608
        db.session.rollback()
    return [(str(v), x) for v, x in rows]
