"""Results pages (/hr/hasil): every figure is the wave's published cell as printed, hidden
cells show no figure, "needs attention" lists exactly the supported worse verdicts, a unit head
sees their own subtree only, and the pages need no answers (they never analyse)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from instruments.model import Direction
from reports.wording import percent, score
from survey_app.extensions import db
from survey_app.models import Answer, PublishedCell, Response, Wave, WaveUnit

from .conftest import TEST_INSTRUMENTS
from .test_reporting import _login
from .test_reporting import waves as waves  # the fixture: two closed waves and an open one

HIDDEN_ID = "tidak ditampilkan (kurang dari k responden atau untuk melindungi unit lain)"


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    items: list[Node | str] = field(default_factory=list)  # text and elements in order

    @property
    def children(self) -> list[Node]:
        return [i for i in self.items if isinstance(i, Node)]

    @property
    def text(self) -> str:
        return " ".join("".join(i if isinstance(i, str) else f" {i.text} "
                                for i in self.items).split())

    def find(self, tag: str, **attrs: str) -> list[Node]:
        out = [self] if self.tag == tag and all(
            self.attrs.get(k.rstrip("_")) == v for k, v in attrs.items()) else []
        for child in self.children:
            out.extend(child.find(tag, **attrs))
        return out


class _Tree(HTMLParser):
    VOID = {"br", "img", "input", "link", "meta", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].items.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.stack[-1].items.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    return tree.root


def _cells(app, wave_id: int) -> dict[tuple[int, str, str], PublishedCell]:  # type: ignore[no-untyped-def]
    """Published whole-unit cells by (unit id, instrument key, dimension)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(WaveUnit.unit_id, PublishedCell)
            .join(WaveUnit, sa.and_(WaveUnit.wave_id == PublishedCell.wave_id,
                                    WaveUnit.position == PublishedCell.position))
            .where(PublishedCell.wave_id == wave_id, PublishedCell.cut == "")).all()
        for _uid, cell in rows:
            db.session.expunge(cell)
        return {(uid, c.instrument_key, c.dimension): c for uid, c in rows}


def _set_verdicts(app, wave_id: int, verdicts: dict[tuple[int, str], dict[str, str | None]]
                  ) -> None:  # type: ignore[no-untyped-def]
    """Write verdicts into the published cells of (unit id, dimension): the pages must
    follow whatever was published."""
    with app.app_context():
        for (unit_id, dim), values in verdicts.items():
            position = db.session.scalar(sa.select(WaveUnit.position).where(
                WaveUnit.wave_id == wave_id, WaveUnit.unit_id == unit_id))
            db.session.execute(sa.update(PublishedCell).where(
                PublishedCell.wave_id == wave_id, PublishedCell.position == position,
                PublishedCell.dimension == dim, PublishedCell.cut == "").values(**values))
        db.session.commit()


def _heat_rows(html: str) -> dict[int, Node]:
    table = parse(html).find("table", class_="heat")
    assert len(table) == 1
    return {int(tr.attrs["data-unit"]): tr for tr in table[0].find("tr") if "data-unit" in tr.attrs}


def test_heatmap_cells_are_the_published_cells_as_printed(app, client, waves):
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    published = _cells(app, wave_id)
    assert any(c.shown for c in published.values()) and any(
        not c.shown for c in published.values())
    _login(client, "admin")
    page = client.get(f"/hr/hasil/{wave_id}")
    assert page.status_code == 200
    rows = _heat_rows(page.get_data(as_text=True))
    assert set(rows) == set(units.values())  # every layout unit, the root included
    checked = hidden = 0
    for (unit_id, key, dim), cell in published.items():
        row = rows[unit_id]
        tds = row.find("td", **{"data-cell": f"{key}:{dim}"})
        if not cell.shown:
            hidden += 1
            text = tds[0].text if tds else row.find("td", class_="hidden")[0].text
            assert not re.search(r"\d", text), text  # no figure, not even a count
            continue
        assert cell.estimate100 is not None
        (td,) = tds
        assert td.find("span", class_="score")[0].text == score(cell.estimate100, "id")
        assert f"({score(cell.estimate100_ci_low, 'id')}–" \
               f"{score(cell.estimate100_ci_high, 'id')})" in td.text
        checked += 1
    assert checked >= 4 and hidden >= 1
    # the unit below k (3 respondents of 5 codes): one sentence over the row, no count
    row_c = rows[units["C"]]
    assert row_c.find("td", class_="hidden")[0].text == HIDDEN_ID
    assert not re.search(r"\d", row_c.text)


def test_response_rates_are_the_published_counts(app, client, waves):
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    _login(client, "admin")
    html = client.get(f"/hr/hasil/{wave_id}").get_data(as_text=True)
    table = parse(html).find("table", class_="rates")[0]
    rows = {int(tr.attrs["data-unit"]): [td.text for td in tr.find("td")]
            for tr in table.find("tr") if "data-unit" in tr.attrs}
    with app.app_context():
        layout = {u.unit_id: u for u in db.session.scalars(
            sa.select(WaveUnit).where(WaveUnit.wave_id == wave_id))}
    # A: 12 respondents of 14 codes
    assert rows[units["A"]] == ["12", "14", percent(12 / 14, "id")] == ["12", "14", "86%"]
    assert layout[units["C"]].respondents is None
    assert rows[units["C"]] == ["tidak ditampilkan", "5", "tidak ditampilkan"]


def _worse(cell: PublishedCell) -> bool:
    direction = TEST_INSTRUMENTS[cell.instrument_key].scales[0].direction
    low, down = ("higher", "up") if direction == Direction.HIGHER_WORSE else ("lower", "down")
    return cell.shown and (cell.comparison_verdict == low or cell.change_verdict == down)


def test_needs_attention_lists_exactly_the_supported_worse_verdicts(app, client, waves):
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    # A clearly lower than the rest; ROOT clearly higher (not a concern) but clearly down
    # since the last wave; B is hidden (complementary suppression): a verdict written into
    # its row must not surface
    _set_verdicts(app, wave_id, {
        (units["A"], "RDD1"): {"comparison_verdict": "lower", "change_verdict": "up"},
        (units["A"], "RDD2"): {"comparison_verdict": "no_clear_difference",
                               "change_verdict": "no_clear_change"},
        (units["ROOT"], "RDD1"): {"comparison_verdict": "higher", "change_verdict": "down"},
        (units["ROOT"], "RDD2"): {"comparison_verdict": "too_small_to_tell",
                                  "change_verdict": None},
        (units["B"], "RDD1"): {"comparison_verdict": "lower", "change_verdict": "down"}})
    published = _cells(app, wave_id)
    assert not published[(units["B"], "tready@1.0", "RDD1")].shown
    expected = {uid for (uid, _k, _d), c in published.items() if _worse(c)}
    assert expected == {units["A"], units["ROOT"]}
    _login(client, "admin")
    html = client.get(f"/hr/hasil/{wave_id}?lang=en").get_data(as_text=True)
    (listing,) = parse(html).find("ul", class_="attention")
    items = {int(li.attrs["data-unit"]): li.text for li in listing.children}
    assert set(items) == expected
    assert "lower than the rest of the organisation" in items[units["A"]]
    assert "Dimensi 2" not in items[units["A"]]
    assert "down — worse" in items[units["ROOT"]] and "higher" not in items[units["ROOT"]]
    # colour only where the comparison is supported: A's RDD1 red, ROOT's blue, A's RDD2 white
    rows = _heat_rows(html)

    def tone(unit: str, dim: str) -> str:
        (td,) = rows[units[unit]].find("td", **{"data-cell": f"tready@1.0:{dim}"})
        return td.attrs["class"]

    assert (tone("A", "RDD1"), tone("ROOT", "RDD1"), tone("A", "RDD2")) == (
        "worse", "better", "")
    assert not rows[units["B"]].find("td", **{"data-cell": "tready@1.0:RDD1"})


def test_unit_page_shows_published_figures_trend_and_training(app, client, waves):
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    _set_verdicts(app, wave_id, {(units["A"], "RDD1"): {"comparison_verdict": "lower",
                                                         "change_verdict": "down"}})
    now, before = _cells(app, wave_id), _cells(app, waves["waves"]["2026-Q3"])
    _login(client, "admin")
    page = client.get(f"/hr/hasil/{wave_id}/unit/{units['A']}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    tree = parse(html)
    (dims,) = tree.find("table", class_="dims")
    for dim in ("RDD1", "RDD2"):
        cell = now[(units["A"], "tready@1.0", dim)]
        (tr,) = dims.find("tr", **{"data-dim": f"tready@1.0:{dim}"})
        text = tr.text
        assert (f"{score(cell.estimate100, 'en')} ({score(cell.estimate100_ci_low, 'en')}–"
                f"{score(cell.estimate100_ci_high, 'en')})") in text
        assert f"{score(cell.score100, 'en')} (" in text and str(cell.n) in text
    row1 = dims.find("tr", **{"data-dim": "tready@1.0:RDD1"})[0]
    assert "lower" in row1.text and "down — worse" in row1.text
    assert row1.find("td", class_="bad")  # the verdict words carry the reports' tone
    # the trend: the earlier wave's published observed score of the same unit, then this one
    (trend,) = tree.find("table", class_="trend")
    assert [th.text for th in trend.find("th")][1:3] == ["2026-Q3", "2026-Q4"]
    first = trend.find("tr")[1]
    assert [td.text for td in first.find("td")] == [
        score(before[(units["A"], "tready@1.0", "RDD1")].score100, "en"),
        score(now[(units["A"], "tready@1.0", "RDD1")].score100, "en")]
    assert "Training on" not in html and "Pelatihan manajemen perubahan (16 JP)" in html
    assert 'src="data:image/svg+xml;base64,' in html  # the reports' chart code
    # measurement quality: the organisation's alpha beside the unit's agreement
    (quality,) = tree.find("table", class_="quality")
    alpha = now[(units["A"], "tready@1.0", "RDD1")].alpha_wave
    assert "whole organisation" in quality.find("caption")[0].text
    if alpha is not None:
        assert f"{alpha:.2f}" in quality.text


def test_item_distributions_are_the_unit_reports_as_published(app, client, waves):
    from reports.build import build_unit_context
    from survey_app.services.publication import analyse_culture_wave

    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    with app.app_context():
        bundle = analyse_culture_wave(db.session.get(Wave, wave_id))
        i = [u.unit_id for u in bundle.units].index(units["A"])
        ctx = build_unit_context(i, bundle.names, bundle.waves, bundle.info, bundle.invited[i])
        expected = {item.code: (item.n, [percent(x, "id") for x in item.shares])
                    for section in ctx.instruments for item in section.items}
    assert expected  # the unit report prints answer distributions for unit A
    _login(client, "admin")
    html = client.get(f"/hr/hasil/{wave_id}/unit/{units['A']}").get_data(as_text=True)
    (table,) = parse(html).find("table", class_="items")
    shown = {}
    for tr in table.find("tr")[1:]:
        cells = [td.text for td in tr.find("td")]
        shown[tr.attrs["data-item"]] = (int(cells[0]), cells[1:])
    assert shown == expected
    assert "Sebaran jawaban per butir" in html


def test_hidden_unit_page_shows_no_figure(app, client, waves):
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    _login(client, "admin")
    page = client.get(f"/hr/hasil/{wave_id}/unit/{units['C']}")
    assert page.status_code == 200
    main = parse(page.get_data(as_text=True)).find("main")[0]
    assert HIDDEN_ID in main.text
    assert not main.find("table") and not main.find("img")
    (included,) = main.find("p", id="termasuk")  # counted in the unit above, as the PDF says
    assert included.find("a")[0].text == "Pemerintah Kota Uji"
    assert included.find("a")[0].attrs["href"] == f"/hr/hasil/{wave_id}/unit/{units['ROOT']}"
    text = main.text.replace("2026-Q4", "")
    assert set(re.findall(r"\d+", text)) <= {"5"}  # k only


def test_unit_head_sees_only_their_subtree(app, client, waves):
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    _set_verdicts(app, wave_id, {(units["A"], "RDD1"): {"comparison_verdict": "lower"}})
    _login(client, "kepala.b")
    html = client.get(f"/hr/hasil/{wave_id}").get_data(as_text=True)
    assert set(_heat_rows(html)) == {units["B"]}
    assert "Kelurahan <b>Satu</b>" not in html and "Kelurahan &lt;b&gt;Satu" not in html
    assert not parse(html).find("ul", class_="attention")  # A's concern is not theirs
    own = client.get(f"/hr/hasil/{wave_id}/unit/{units['B']}")
    assert own.status_code == 200
    # B is hidden; the unit above that counts its answers is named, not linked (not theirs)
    (included,) = parse(own.get_data(as_text=True)).find("p", id="termasuk")
    assert "Pemerintah Kota Uji" in included.text and not included.find("a")
    for other in ("A", "ROOT", "C"):
        assert client.get(f"/hr/hasil/{wave_id}/unit/{units[other]}").status_code == 403


def test_open_wave_unknown_wave_and_unknown_unit(app, client, waves):
    _login(client, "admin")
    refused = client.get(f"/hr/hasil/{waves['waves']['open']}")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "belum ditutup" in text and "is not closed" in text
    assert client.get(f"/hr/hasil/{waves['waves']['open']}/unit/"
                      f"{waves['units']['A']}").status_code == 409
    assert client.get("/hr/hasil/999").status_code == 404
    assert client.get(f"/hr/hasil/{waves['waves']['2026-Q4']}/unit/999").status_code == 404
    client.post("/hr/keluar")


def test_results_need_no_answers_and_no_analysis(app, client, waves, monkeypatch):
    """After publishing, the answers could be gone: the pages read published cells only."""
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    _login(client, "admin")
    before = client.get(f"/hr/hasil/{wave_id}").get_data(as_text=True)
    unit_before = client.get(f"/hr/hasil/{wave_id}/unit/{units['A']}").get_data(as_text=True)
    with app.app_context():
        # the closed-wave guard (a trigger) refuses the delete; reopen the waves around it
        closed = list(db.session.scalars(sa.select(Wave.id).where(Wave.state == "closed")))
        state = sa.update(Wave).where(Wave.id.in_(closed))
        db.session.execute(state.values(state="open"))
        db.session.execute(sa.delete(Answer))
        db.session.execute(sa.delete(Response))
        db.session.execute(state.values(state="closed"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the results pages must not analyse answers")

    from survey_app.services import publication
    for name in ("analyse_culture_wave", "_analyse", "wave_data", "wave_dataset",
                 "wave_datasets", "analyse_wave"):
        monkeypatch.setattr(publication, name, refuse, raising=False)
    after = client.get(f"/hr/hasil/{wave_id}")
    unit_after = client.get(f"/hr/hasil/{wave_id}/unit/{units['A']}")
    assert after.status_code == unit_after.status_code == 200
    assert _no_token(after.get_data(as_text=True)) == _no_token(before)
    assert _no_token(unit_after.get_data(as_text=True)) == _no_token(unit_before)


def _no_token(html: str) -> str:
    """The page without its CSRF token (signed with the time)."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_links_to_the_results(app, client, waves, lang):
    wave_id = waves["waves"]["2026-Q4"]
    _login(client, "admin")
    page = client.get(f"/hr/gelombang/{wave_id}?lang={lang}").get_data(as_text=True)
    assert f'href="/hr/hasil/{wave_id}"' in page and 'href="/hr/hasil/"' in page
    listing = client.get("/hr/hasil/").get_data(as_text=True)
    assert f'href="/hr/hasil/{wave_id}"' in listing
    assert f'href="/hr/hasil/{waves["waves"]["open"]}"' not in listing
    # drill-down: the overview links each unit page with a plain link
    overview = client.get(f"/hr/hasil/{wave_id}").get_data(as_text=True)
    assert f'href="/hr/hasil/{wave_id}/unit/{waves["units"]["A"]}"' in overview
    open_page = client.get(f"/hr/gelombang/{waves['waves']['open']}").get_data(as_text=True)
    assert f'href="/hr/hasil/{waves["waves"]["open"]}"' not in open_page


def test_a_large_tree_links_its_heatmap_pictures(app, client, waves, monkeypatch):
    """Above `INLINE_PICTURES` pictures the page links them (same chart, same rows)."""
    from survey_app.hr import results

    wave_id = waves["waves"]["2026-Q4"]
    monkeypatch.setattr(results, "INLINE_PICTURES", 0)
    _login(client, "kepala.b")
    html = client.get(f"/hr/hasil/{wave_id}").get_data(as_text=True)
    srcs = [img.attrs["src"] for img in parse(html).find("img", class_="heatmap")]
    assert srcs == [f"/hr/hasil/{wave_id}/peta-0.svg?lang=id"]
    picture = client.get(srcs[0])
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    svg = picture.get_data(as_text=True)
    assert "Kelurahan Dua" in svg and "Satu" not in svg  # the unit head's rows only
    assert client.get(f"/hr/hasil/{wave_id}/peta-1.svg").status_code == 404


def test_layout_counts_are_the_wave_pages_counts(app, waves):
    from survey_app.hr.results import layout_counts
    from survey_app.services import unit_counts
    from survey_app.services.waves import find_wave

    with app.app_context():
        wave = find_wave("2026-Q4")
        for visible in (None, {waves["units"]["B"]}, {waves["units"]["ROOT"],
                                                      waves["units"]["C"]}):
            ours = [(c.unit.position, c.depth, c.invited, c.low, c.high)
                    for c in layout_counts(wave, visible)]
            assert ours == [(c.unit.position, c.depth, c.invited, c.low, c.high)
                            for c in unit_counts(wave, visible)]
            assert ours


def test_an_skm_wave_has_no_results_pages(app, client, waves):
    import datetime as dt

    from survey_app.services import create_wave

    with app.app_context():
        wave = create_wave(name="SKM 2026", period="2026", instrument_keys=["tskm"],
                           unit_ids=[waves["units"]["A"]], opens_on=dt.date(2026, 3, 1),
                           closes_on=dt.date(2026, 3, 30), k=5, actor="test")
        db.session.execute(sa.update(Wave).where(Wave.id == wave.id).values(state="closed"))
        db.session.commit()
        skm = wave.id
    _login(client, "admin")
    refused = client.get(f"/hr/hasil/{skm}")
    assert refused.status_code == 409 and "SKM" in refused.get_data(as_text=True)
    assert f'href="/hr/hasil/{skm}"' not in client.get(f"/hr/gelombang/{skm}").get_data(
        as_text=True)
    assert f'href="/hr/hasil/{skm}"' not in client.get("/hr/hasil/").get_data(as_text=True)
