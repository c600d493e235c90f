"""The paged survey through the real app and database (CSRF on): one part a page, Next and
Back, errors per page, the language switch on any page, answers carried in the form only,
forged fields refused, and the final store the same as a single-page survey's."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from instruments import load_instrument
from instruments.model import Dimension, Instrument, Item, Option, Scale
from survey_app.extensions import db
from survey_app.models import Answer, Response
from survey_app.respond.pages import MAX_QUESTIONS, paginate
from survey_app.services import create_wave, issue_codes, open_wave

from .conftest import CODE_KEY, FULL_ANSWERS, TEST_INSTRUMENTS, add_units, csrf_token
from .helpers import counts, submit, token

PAGE_1 = {k: v for k, v in FULL_ANSWERS.items() if k.startswith("RD")}
PAGE_2 = {k: v for k, v in FULL_ANSWERS.items() if k.startswith("LC")}


class SurveyForm(HTMLParser):
    """What a browser would send from the page's form `survey`: its hidden fields and its
    checked radios, plus the names of its buttons (go=...)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.buttons: list[str] = []
        self.radios: set[str] = set()
        self._inside = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._inside = a.get("id") == "survey"
        elif tag == "input" and self._inside:
            if a.get("type") == "hidden":
                assert a["name"] not in self.fields, f"{a['name']} twice in the form"
                self.fields[a["name"]] = a.get("value", "")
            elif a.get("type") == "radio":
                self.radios.add(a["name"])
                if "checked" in a:
                    self.fields[a["name"]] = a["value"]
        elif tag == "button" and self._inside and a.get("name") == "go":
            self.buttons.append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False

    def press(self, go: str, **answers: str) -> dict[str, str]:
        """The POST body for pressing button `go` after checking `answers` on the page."""
        assert go in self.buttons, f"no {go} button on the page ({self.buttons})"
        assert set(answers) <= self.radios, f"{set(answers) - self.radios} not on this page"
        return {**self.fields, **answers, "go": go}


def start(client, code: str):  # type: ignore[no-untyped-def]
    """Enter the code and press "Mulai mengisi": the first survey page."""
    intro = client.post("/isi", data={"csrf_token": token(client), "code": code})
    return client.post("/isi/survei", data={"csrf_token": csrf_token(intro.get_data(
        as_text=True)), "code": code})


def html_of(r) -> str:  # type: ignore[no-untyped-def]
    return r.get_data(as_text=True)


def stored(app) -> list[tuple[int, str | None, frozenset[tuple[str, int, int]]]]:  # type: ignore[no-untyped-def]
    """Every stored response as (unit, cut, answers)."""
    with app.app_context():
        responses = db.session.execute(sa.select(Response.id, Response.unit_id, Response.cut))
        return sorted((unit, cut, frozenset(map(tuple, db.session.execute(
            sa.select(Answer.item_code, Answer.value, Answer.points)
            .where(Answer.response_id == rid)))))
            for rid, unit, cut in responses)


# --- the page rule --------------------------------------------------------------------------


def test_the_shipped_culture_survey_is_five_pages_of_whole_dimensions():
    instruments = [load_instrument(i) for i in ("resistance", "readiness", "learning")]
    pages = paginate(instruments, cut=True)
    assert [(p.instrument.id, len(p.fields)) for p in pages] == [
        ("resistance", 9), ("resistance", 8), ("readiness", 12), ("learning", 12),
        ("learning", 10)]
    assert [p.cut for p in pages] == [False] * 4 + [True] and pages[-1].fields[-1] == "cut"
    assert all(len(p.fields) <= MAX_QUESTIONS for p in pages[:-1])
    # Every item exactly once, in form order, each dimension on one page.
    assert [f for p in pages for f in p.fields] == [
        i.code for inst in instruments for i in inst.items] + ["cut"]
    for inst in instruments:
        for dim in inst.dimensions:
            assert len({p.number for p in pages for b in p.blocks if b.dimension == dim}) == 1
    # SKM: 9 items and 4 optional questions fit one page.
    (skm,) = paginate([load_instrument("skm")], cut=False)
    assert len(skm.fields) == 13 and not skm.cut


def _instrument(sizes: list[int]) -> Instrument:
    base = TEST_INSTRUMENTS["tready"]
    dims = tuple(Dimension(code=f"D{d}", name=base.title, description=base.title, actions=(),
                           items=tuple(Item(code=f"X{d}_{i}", dimension=f"D{d}", reverse=False,
                                            text=base.title) for i in range(n)))
                 for d, n in enumerate(sizes))
    scale = Scale(code="S", name=base.title, points=2,
                  options=(Option(1, base.title), Option(2, base.title)),
                  referent=base.scales[0].referent, direction=base.scales[0].direction,
                  dimensions=dims)
    return Instrument(id="long", version="1", kind="culture", title=base.title,
                      intro=base.title, citation="", licence=base.title, scales=(scale,),
                      respondent_questions=(), source="<test>")


@pytest.mark.parametrize(("sizes", "pages"), [
    ([15], [15]),                      # up to 15: one page
    ([8, 8], [8, 8]),                  # 16: two pages
    ([3] * 7, [12, 9]),                # the fewest pages, as even as possible, earlier larger
    ([20, 2, 2], [20, 4]),             # a dimension over 15 is a page of its own
    ([14, 14, 14], [14, 14, 14]),
    ([1] * 31, [11, 11, 9]),
])
def test_a_long_instrument_is_split_between_whole_dimensions(sizes, pages):
    split = paginate([_instrument(sizes)], cut=False)
    assert [len(p.fields) for p in split] == pages


# --- each page through the app --------------------------------------------------------------


def test_next_and_back_keep_every_answer_and_the_last_page_stores_them(app, client,
                                                                        open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    first = start(client, code)
    html = html_of(first)
    assert first.status_code == 200
    assert "Bagian 1 dari 2" in html and '<progress max="2" value="1"' in html
    assert 'aria-labelledby="step"' in html and '<p id="step">Bagian 1 dari 2</p>' in html
    form = SurveyForm(html)
    assert form.buttons == ["next"]  # no Back on the first page, no send before the last
    assert form.radios == set(PAGE_1)
    assert {k: form.fields[k] for k in (*PAGE_2, "cut")} == {k: "" for k in (*PAGE_2, "cut")}
    assert form.fields["code"] == code and form.fields["page"] == "1"

    second = client.post("/isi/survei", data=form.press("next", **PAGE_1))
    html = html_of(second)
    assert second.status_code == 200 and "Bagian 2 dari 2" in html and "alert" not in html
    assert '<progress max="2" value="2"' in html and "Kirim jawaban" in html
    form = SurveyForm(html)
    assert form.buttons == ["send", "back"] and form.radios == {*PAGE_2, "cut"}
    assert {k: form.fields[k] for k in PAGE_1} == PAGE_1  # carried, hidden
    assert counts(app) == (0, 0, 0)

    # Back with half of page 2 answered: page 1 as it was, page 2's answers carried.
    back = client.post("/isi/survei", data=form.press("back", LC11="6", cut="fungsional"))
    html = html_of(back)
    assert back.status_code == 200 and "Bagian 1 dari 2" in html and "alert" not in html
    form = SurveyForm(html)
    assert {k: form.fields[k] for k in PAGE_1} == PAGE_1
    for item, value in PAGE_1.items():
        assert f'name="{item}" value="{value}" checked' in html
    assert (form.fields["LC11"], form.fields["LC12"], form.fields["cut"]) == ("6", "",
                                                                              "fungsional")
    # Next again: page 2 shows what was given on it.
    again = html_of(client.post("/isi/survei", data=form.press("next")))
    assert 'name="LC11" value="6" checked' in again
    assert 'name="cut" value="fungsional" checked' in again
    form = SurveyForm(again)
    done = client.post("/isi/survei", data=form.press("send", LC12="3", LC13="1"))
    receipt = html_of(done)
    assert done.status_code == 200 and "Tanda terima" in receipt and code not in receipt
    assert "Pernyataan LC11" in receipt and "6 · opsi 6" in receipt
    assert counts(app) == (1, 7, 1)
    assert 'data-clear="lentera-answers-' in receipt  # survey.js forgets the kept answers


def test_the_paged_store_is_the_single_page_store(app, client, open_wave_codes):
    codes = open_wave_codes["codes"]["A"]
    form = SurveyForm(html_of(start(client, codes[0])))
    form = SurveyForm(html_of(client.post("/isi/survei", data=form.press("next", **PAGE_1))))
    assert client.post("/isi/survei", data=form.press(
        "send", **PAGE_2, cut="struktural")).status_code == 200
    paged = stored(app)
    assert submit(client, codes[1], {**FULL_ANSWERS, "cut": "struktural"}).status_code == 200
    assert len(paged) == 1 and stored(app) == paged * 2  # the same rows, twice
    unit, cut, answers = paged[0]
    assert (unit, cut) == (open_wave_codes["unit_ids"]["A"], "struktural")
    assert answers == {(k, int(v), 5 if k.startswith("RD") else 6)
                       for k, v in FULL_ANSWERS.items()}


def test_next_with_an_unanswered_question_names_it_on_this_page_only(app, client,
                                                                     open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    form = SurveyForm(html_of(start(client, code)))
    r = client.post("/isi/survei", data=form.press("next", RD11="4", RD22="1"))
    html = html_of(r)
    assert r.status_code == 422 and "Bagian 1 dari 2" in html
    assert "2 isian perlu diperbaiki" in html
    assert '<a href="#q-RD12">2</a>, <a href="#q-RD21">3</a></p>' in html
    assert html.count("Pertanyaan ini belum dijawab.") == 2
    assert 'id="q-RD12" role="radiogroup" aria-required="true" aria-invalid="true" ' \
           'aria-describedby="e-RD12"' in html
    assert 'id="error-summary" tabindex="-1" autofocus' in html
    assert 'q-LC' not in html  # page 2's questions are not part of this page's summary
    assert 'name="RD11" value="4" checked' in html and 'name="RD22" value="1" checked' in html
    # Back from page 2 asks for nothing; Next from page 2 does not ask about page 1's
    # answers once they are given.
    form = SurveyForm(html)
    page2 = client.post("/isi/survei", data=form.press("next", RD12="2", RD21="5"))
    assert page2.status_code == 200 and "Bagian 2 dari 2" in html_of(page2)
    back = client.post("/isi/survei", data=SurveyForm(html_of(page2)).press("back"))
    assert back.status_code == 200 and "alert" not in html_of(back)
    # The last page's send with a question missing: that page, its error, nothing stored.
    form = SurveyForm(html_of(client.post("/isi/survei", data=SurveyForm(
        html_of(back)).press("next"))))
    r = client.post("/isi/survei", data=form.press("send", LC11="6", LC13="1"))
    assert r.status_code == 422 and "Bagian 2 dari 2" in html_of(r)
    assert "1 isian perlu diperbaiki" in html_of(r) and '<a href="#q-LC12">6</a>' in html_of(r)
    assert counts(app) == (0, 0, 0)


def test_the_language_switch_keeps_the_page_the_code_and_every_answer(app, client,
                                                                      open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    form = SurveyForm(html_of(start(client, code)))
    page2 = html_of(client.post("/isi/survei", data=form.press("next", **PAGE_1)))
    assert 'form="survey" class="langlink" name="relang" value="1" ' \
           'formaction="/isi/survei?lang=en"' in page2
    body = {**SurveyForm(page2).fields, "LC12": "3", "relang": "1"}  # half of page 2
    english = client.post("/isi/survei?lang=en", data=body)
    html = html_of(english)
    assert english.status_code == 200 and "alert" not in html
    assert "Part 2 of 2" in html and 'lang="en"' in html and "Send answers" in html
    form = SurveyForm(html)
    assert form.fields["code"] == code and form.fields["page"] == "2"
    assert {k: form.fields[k] for k in PAGE_1} == PAGE_1
    assert 'name="LC12" value="3" checked' in html
    # On page 1 too, and back to Bahasa Indonesia.
    page1 = html_of(client.post("/isi/survei", data=form.press("back", LC13="1")))
    assert "Part 1 of 2" in page1
    body = {**SurveyForm(page1).fields, "relang": "1"}
    indonesian = html_of(client.post("/isi/survei?lang=id", data=body))
    assert "Bagian 1 dari 2" in indonesian
    form = SurveyForm(indonesian)
    assert (form.fields["RD11"], form.fields["LC12"], form.fields["LC13"]) == ("4", "3", "1")
    assert counts(app) == (0, 0, 0)  # nothing stored by any switch


def test_nothing_is_kept_on_the_server_between_pages(app, client, open_wave_codes):
    """The answers travel only in the form: no row in any table changes and the session
    cookie holds no answer or code while the respondent moves between pages."""
    code = open_wave_codes["codes"]["A"][0]

    def snapshot() -> dict[str, list[tuple[object, ...]]]:
        with app.app_context():
            return {t.name: sorted(map(tuple, db.session.execute(sa.select(t)).all()), key=repr)
                    for t in db.metadata.sorted_tables}

    before = snapshot()
    form = SurveyForm(html_of(start(client, code)))
    form = SurveyForm(html_of(client.post("/isi/survei", data=form.press("next", **PAGE_1))))
    form = SurveyForm(html_of(client.post("/isi/survei", data=form.press("back", LC11="6"))))
    assert snapshot() == before
    cookie = client.get_cookie("session")
    with app.test_request_context():
        session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert set(session) <= {"csrf_token", "lang"}, session


@pytest.mark.parametrize(("field", "value", "named"), [
    ("unit_id", "3", "unit_id"),     # a field the survey never had
    ("page", "3", "page"),           # a page the survey does not have
    ("page", "1a", "page"),
    ("go", "jump", "go"),
])
def test_a_forged_field_on_a_page_is_refused_and_nothing_stored(app, client, open_wave_codes,
                                                                field, value, named):
    form = SurveyForm(html_of(start(client, open_wave_codes["codes"]["A"][0])))
    page2 = SurveyForm(html_of(client.post("/isi/survei", data=form.press("next", **PAGE_1))))
    for go in ("back", "send"):
        r = client.post("/isi/survei", data={**page2.press(go, **PAGE_2), field: value})
        assert r.status_code == 400
        assert f"Formulir berisi isian yang tidak dikenal ({named}). Tidak ada yang disimpan." \
            in html_of(r)
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize("go", ["back", "send"])
def test_a_carried_answer_out_of_range_shows_its_page_and_nothing_is_stored(app, client,
                                                                           open_wave_codes,
                                                                           go):
    form = SurveyForm(html_of(start(client, open_wave_codes["codes"]["A"][0])))
    page2 = SurveyForm(html_of(client.post("/isi/survei", data=form.press("next", **PAGE_1))))
    r = client.post("/isi/survei", data={**page2.press(go, **PAGE_2), "RD12": "9"})
    html = html_of(r)
    assert r.status_code == 422 and "Bagian 1 dari 2" in html
    assert "1 isian perlu diperbaiki" in html and '<a href="#q-RD12">2</a>' in html
    assert '<p class="msg" id="e-RD12">Pilih salah satu jawaban yang tersedia.</p>' in html
    assert 'name="RD11" value="4" checked' in html
    assert SurveyForm(html).fields["LC11"] == "6"  # page 2's answers still carried
    assert counts(app) == (0, 0, 0)


def test_a_used_code_is_refused_on_a_page_too(app, client, open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    form = SurveyForm(html_of(start(client, code)))
    assert submit(client, code, FULL_ANSWERS).status_code == 200  # used meanwhile
    r = client.post("/isi/survei", data=form.press("next", **PAGE_1))
    assert r.status_code == 409 and "sudah dipakai" in html_of(r)
    assert counts(app) == (1, 7, 1)


# --- the shipped survey: five pages, each light ---------------------------------------------


@pytest.fixture
def shipped_code(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("A", "Unit A", "ROOT", 5)])
        wave = create_wave(name="Budaya 2026-Q1", period="2026-Q1",
                           instrument_keys=["resistance", "readiness", "learning"],
                           unit_ids=[units["A"].id], opens_on=dt.date(2026, 1, 5),
                           closes_on=dt.date(2026, 1, 30), cut="jabatan", actor="t")
        open_wave(wave, actor="t")
        code = issue_codes(wave, units["A"], 1, key=CODE_KEY, actor="t")[0].code
        db.session.commit()
    return code


PAGE_GZIP_BYTES = 10 * 1024  # issue #17: each survey page ≤ 10 KB on the wire


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_shipped_survey_page_by_page(app, client, shipped_code, backend):
    intro = client.post("/isi", data={"csrf_token": token(client), "code": shipped_code})
    assert "Survei ini terdiri dari 5 bagian." in html_of(intro)
    r = client.post("/isi/survei", data={"csrf_token": csrf_token(html_of(intro)),
                                         "code": shipped_code},
                    headers={"Accept-Encoding": "gzip"})
    given: dict[str, str] = {}
    sizes = []
    for number in range(1, 6):
        assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
        sizes.append(len(r.data))
        html = gzip.decompress(r.data).decode()
        assert f"Bagian {number} dari 5" in html
        form = SurveyForm(html)
        page_answers = {name: str(1 + len(given) % 5) for name in sorted(form.radios)
                        if name != "cut"}
        given.update(page_answers)
        go = "send" if number == 5 else "next"
        r = client.post("/isi/survei", data=form.press(go, **page_answers),
                        headers={"Accept-Encoding": "gzip"})
    assert max(sizes) <= PAGE_GZIP_BYTES, sizes
    assert "Tanda terima" in gzip.decompress(r.data).decode()
    assert counts(app) == (1, 50, 1) and len(given) == 50
    with app.app_context():
        rows = db.session.execute(sa.select(Answer.item_code, Answer.value)).all()
    assert {k: v for k, v in rows} == {k: int(v) for k, v in given.items()}


def test_pages_carry_no_code_into_any_url(app, client, open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    html = html_of(start(client, code))
    for url in re.findall(r'(?:href|action|formaction|src)="([^"]*)"', html):
        assert code not in url and code.replace("-", "") not in url
