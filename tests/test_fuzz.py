"""Fuzzing: the parsers return only their documented results (or ParseError) for any cell value, and any
mutation of a good workbook's bytes gives a parse or findings — never an exception out of parse_bytes."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl import normalise
from etl.cells import amount_fen
from etl.header import Header, find_header, match_field
from etl.meta import Meta, find_towns, meta_from_name, meta_from_rows, month_of
from etl.model import CellError, ParsedFile, SheetGrid
from etl.pipeline import IngestOptions, parse_bytes
from etl.register import RegisterFile
from monitor.findings import CODES
from monitor.settings import load_settings
from tests.helpers import LX_ROWS, town_workbook

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PERIOD = re.compile(r"(20\d\d|2100)-(0[1-9]|1[0-2])")
#: every kind of value calamine hands over, plus the reader's CellError, at their awkward edges
CELLS = st.one_of(
    st.none(), st.booleans(), st.text(), st.text(alphabet="0123456789.,-+%万元年月日 /：:Ee（）()"),
    st.integers(min_value=-(10**30), max_value=10**30), st.integers(), st.floats(),
    st.decimals(allow_nan=True, allow_infinity=True).filter(lambda d: not d.is_snan()),
    st.datetimes(), st.dates(), st.times(), st.timedeltas(),
    st.builds(CellError, st.sampled_from(["#DIV/0!", "#REF!", "#N/A", ""]), st.none() | st.text(max_size=10)),
)


def _documented(call: Any, value: Any) -> Any:
    try:
        return call(value)
    except normalise.ParseError as exc:
        assert str(exc)  # a message for the clerk
        return exc


@FUZZ
@given(CELLS)
def test_cell_parsers_return_documented_results(value: Any) -> None:
    amount = _documented(normalise.parse_amount, value)
    assert amount is None or isinstance(amount, normalise.ParseError) or (
        isinstance(amount[0], Decimal) and amount[0].is_finite() and amount[1] in (None, "万元", "元"))
    fen = _documented(lambda v: amount_fen(v, "万元"), value)
    assert fen is None or isinstance(fen, normalise.ParseError) or (
        isinstance(fen[0], int) and abs(fen[0]) <= normalise.MAX_FEN and isinstance(fen[1], bool))
    rate = _documented(normalise.parse_percent, value)
    assert rate is None or isinstance(rate, normalise.ParseError) or Decimal(0) <= rate <= Decimal(10)
    day = _documented(normalise.parse_date, value)
    assert day is None or isinstance(day, normalise.ParseError | date)
    year = _documented(normalise.parse_year, value)
    assert year is None or isinstance(year, normalise.ParseError) or 2000 <= year <= 2100
    status = _documented(normalise.normalise_status, value)
    assert status is None or isinstance(status, normalise.ParseError) or status in normalise.STATUSES
    assert isinstance(normalise.is_blank(value), bool)
    text = normalise.clean_text(value)
    assert text is None or (isinstance(text, str) and text == text.strip() and text)
    assert normalise.display_text(value) is None or isinstance(normalise.display_text(value), str)
    assert match_field(value) is None or match_field(value)[0] is not None  # type: ignore[index]


@FUZZ
@given(st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from(["万元", "元"]))
def test_to_fen_is_exact_or_refuses(amount: Decimal, unit: str) -> None:
    found = _documented(lambda a: normalise.to_fen(a, unit), amount)
    if not isinstance(found, normalise.ParseError):
        fen, rounded = found
        assert abs(fen) <= normalise.MAX_FEN
        assert rounded == (fen != amount * (1_000_000 if unit == "万元" else 100))


@FUZZ
@given(st.text())
def test_text_parsers_never_raise(text: str) -> None:
    period = normalise.parse_period(text)
    assert period is None or PERIOD.fullmatch(period)
    month = normalise.parse_month_only(text)
    assert month is None or 1 <= month <= 12
    assert month_of(text) is None or 1 <= month_of(text) <= 12  # type: ignore[operator]
    assert normalise.unit_from_text(text) in (None, "万元", "元")
    assert isinstance(normalise.normalise_header(text), str)
    assert isinstance(normalise.normalise_name(text), str)
    assert all(isinstance(t, str) and t for t in find_towns(text))
    for source in ("file", "sheet"):
        meta = meta_from_name(text, source, default_year=2023)
        assert isinstance(meta, Meta) and (meta.period is None or PERIOD.fullmatch(meta.period))


GRID_CELLS = st.one_of(st.none(), st.sampled_from(["项目名称", "下达资金（万元）", "已支出", "累计支出", "镇街",
                                                   "填报单位：官塘镇", "报表月份：2023年10月", "合计", "序号",
                                                   "资金情况", "单位：元", "1", "2023年10月"]),
                       st.text(max_size=8), st.floats(allow_nan=True), st.integers(-5, 10**6))


@FUZZ
@given(st.lists(st.lists(GRID_CELLS, max_size=8), max_size=12),
       st.lists(st.tuples(*[st.integers(0, 12)] * 4), max_size=4))
def test_header_and_meta_search_any_grid(rows: list[list[Any]], merges: list[tuple[int, ...]]) -> None:
    grid = SheetGrid("项目进度", rows, merged=[(a, b, a + c, b + d) for a, b, c, d in merges])
    header = find_header(grid, scan_rows=30)
    assert header is None or isinstance(header, Header)
    meta = meta_from_rows(rows, default_year=2023)
    assert meta.period is None or PERIOD.fullmatch(meta.period)


# whole files


def _good_workbook() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return town_workbook(Path(folder) / "磷溪镇_2023年10月.xlsx", "磷溪镇", "2023-10", LX_ROWS).read_bytes()


GOOD = _good_workbook()
SETTINGS = load_settings(None)
MUTATIONS = st.lists(st.one_of(
    st.tuples(st.just("flip"), st.integers(0, len(GOOD) - 1), st.integers(1, 255).map(lambda b: bytes([b]))),
    st.tuples(st.just("cut"), st.integers(0, len(GOOD) - 1), st.just(b"")),
    st.tuples(st.just("insert"), st.integers(0, len(GOOD) - 1), st.binary(min_size=1, max_size=16)),
), min_size=1, max_size=4)
#: what a hand (or a broken tool) might put into sheet XML
SNIPPETS = st.sampled_from([
    "<", ">", "&", "&lol;", '"', "</c>", "<row>", '<row r="1">', '<c r="A1"><v>1</v></c>', "<c><v>x</v></c>",
    '<c r="XFD1048576"><v>1</v></c>', '<c r="ZZ99999" t="s"><v>99</v></c>', '<c r="B2" t="e"><v>#REF!</v></c>',
    '<c r="D4"><f>1/0</f></c>', '<row r="1048577">', "<!DOCTYPE x [<!ENTITY a 'b'>]>", "_x0000_", "\x00",
    '<c r="A5" t="inlineStr"><is><t>合计</t></is></c>', '<mergeCell ref="A1:Z9"/>', "<v>1e308</v>", "<v>NaN</v>",
]) | st.text(max_size=6)


def _mutate_bytes(data: bytes, mutations: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, at, payload in mutations:
        at %= max(len(out), 1)
        if kind == "flip" and out:
            out[at] ^= payload[0]
        elif kind == "cut":
            del out[at:]
        elif kind == "insert":
            out[at:at] = payload
    return bytes(out)


def _mutate_sheet(data: bytes, edits: list[tuple[int, str]]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            part = source.read(name)
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                text = part.decode("utf-8")
                for at, snippet in edits:
                    at %= max(len(text), 1)
                    text = text[:at] + snippet + text[at + (1 if snippet.startswith("<") else 0):]
                part = text.encode("utf-8", "surrogatepass")
            archive.writestr(name, part)
    return buffer.getvalue()


def _assert_parse_or_findings(data: bytes, name: str) -> None:
    parsed = parse_bytes(data, name, SETTINGS, IngestOptions())
    assert isinstance(parsed, ParsedFile | RegisterFile) or type(parsed).__name__ == "Ledger"
    findings = list(getattr(parsed, "findings", []))
    assert all(f.code in CODES and f.message for f in findings)
    assert not any(f.code == "internal-error" for f in findings)
    if isinstance(parsed, ParsedFile) and parsed.kind == "unreadable":
        assert [f.code for f in findings] in (["file-unreadable"], ["file-too-large"], ["file-empty"])
        assert not parsed.rows


def test_the_unmutated_workbook_parses() -> None:
    parsed = parse_bytes(GOOD, "磷溪镇_2023年10月.xlsx", SETTINGS, IngestOptions())
    assert isinstance(parsed, ParsedFile) and len(parsed.rows) == 3 and not parsed.findings


@FUZZ
@given(MUTATIONS)
def test_mutated_bytes_give_a_parse_or_findings(mutations: list[tuple[str, int, bytes]]) -> None:
    _assert_parse_or_findings(_mutate_bytes(GOOD, mutations), "磷溪镇_2023年10月.xlsx")


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10**5), SNIPPETS), min_size=1, max_size=5))
def test_mutated_sheet_xml_gives_a_parse_or_findings(edits: list[tuple[int, str]]) -> None:
    _assert_parse_or_findings(_mutate_sheet(GOOD, edits), "磷溪镇_2023年10月.xlsx")


@FUZZ
@given(st.binary(max_size=400) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
       st.sampled_from(["磷溪镇_2023年10月.csv", "a.xlsx", "b.xls"]))
@example(b"\r!", "a.csv")  # a lone CR: the delimiter sniffer once raised csv.Error on it
def test_any_small_file_gives_a_parse_or_findings(data: bytes, name: str) -> None:
    _assert_parse_or_findings(data, name)

