"""Reading real exports: German and US Excel, Latin-1, BOM, Parquet; ambiguity is refused."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result

from enrichment.errors import EnrichmentError
from enrichment.transactions_file import ReadOptions, read_transactions

RunCli = Callable[..., Result]
GERMAN = ("Kunde;Datum;Betrag\n"
          "K1;13.11.2024;1.234,50 €\n"
          "K1;03.12.2024;12,00 €\n"
          "K2;01.02.2024;-5,25 €\n")
US = ("Customer,Order Date,Total\n"
      'C1,11/13/2024 2:05 PM,"$1,234.50"\n'
      'C1,12/03/2024 9:00 AM,$12.00\n'
      'C2,02/01/2024 10:30 AM,($5.25)\n')


def read(path: Path, columns: tuple[str, str, str], **options: str) -> pd.DataFrame:
    customer, date, amount = columns
    return read_transactions(path, customer_col=customer, date_col=date, amount_col=amount,
                             options=ReadOptions(**options)).frame  # type: ignore[arg-type]


def test_german_excel_export_with_semicolons_decimal_commas_and_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(GERMAN.replace("K2", "Müller").encode("cp1252"))
    frame = read(path, ("Kunde", "Datum", "Betrag"))
    assert frame["amount"].tolist() == [1234.5, 12.0, -5.25]
    assert frame["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == \
        ["2024-11-13", "2024-12-03", "2024-02-01"]
    assert list(frame["customer_id"]) == ["K1", "K1", "Müller"]


def test_us_excel_export_needs_its_date_format_and_then_reads(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(US, encoding="utf-8-sig")
    with pytest.raises(EnrichmentError) as refused:
        read(path, ("Customer", "Order Date", "Total"))
    assert str(refused.value) == (
        "export.csv, column 'Order Date': '11/13/2024 2:05 PM' (line 2) and "
        "'12/03/2024 9:00 AM' (line 3) both appear (hint: pass --date-format %m/%d/%Y %I:%M %p)")
    frame = read(path, ("Customer", "Order Date", "Total"), date_format="%m/%d/%Y %I:%M %p")
    assert frame["amount"].tolist() == [1234.5, 12.0, -5.25]
    assert frame["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == \
        ["2024-11-13 14:05", "2024-12-03 09:00", "2024-02-01 10:30"]


@pytest.mark.parametrize(("dates", "message"), [
    (["03/12/2024", "04/11/2024"], "read both as day/month and as month/day"),
    (["13/11/2024", "11/13/2024"], "mixes day/month and month/day"),
    (["13/11/2024", "03/12/2024"], "'13/11/2024' (line 2) and '03/12/2024' (line 3) both "
                                   "appear"),
    (["03 12 2024", "04 11 2024"], "read both as day/month and as month/day"),
    (["13/11/2024", "14/11/2024"], "are read only with a format"),
])
def test_day_and_month_are_never_guessed(tmp_path: Path, dates: list[str],
                                         message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text("c,d,a\n" + "".join(f"x,{d},1\n" for d in dates), encoding="utf-8")
    with pytest.raises(EnrichmentError, match=re.escape(message)):
        read(path, ("c", "d", "a"))


@pytest.mark.parametrize(("amounts", "message", "with_comma"), [
    (["1,234", "2,500"], "'1,234' (line 2) read as thousands or as decimals", 1.234),
    (["1.500", "2.300"], "read as thousands or as decimals", 1500.0),
])
def test_amount_readings_that_differ_are_refused(tmp_path: Path, amounts: list[str],
                                                 message: str, with_comma: float) -> None:
    path = tmp_path / "t.csv"
    path.write_text("c;d;a\n" + "".join(f"x;2024-01-0{i + 1};{a}\n"
                                        for i, a in enumerate(amounts)), encoding="utf-8")
    with pytest.raises(EnrichmentError, match=re.escape(message)) as refused:
        read(path, ("c", "d", "a"))
    assert refused.value.column == "a"
    assert read(path, ("c", "d", "a"), decimal=",")["amount"].iloc[0] == with_comma


def test_amounts_written_both_ways_are_refused_with_and_without_decimal(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("c;d;a\nx;2024-01-01;1.234,50\ny;2024-01-02;1,234.50\n", encoding="utf-8")
    with pytest.raises(EnrichmentError) as refused:
        read(path, ("c", "d", "a"))
    assert str(refused.value).startswith(
        "t.csv, column 'a': amounts are written both ways, e.g. '1.234,50' (line 2) and "
        "'1,234.50' (line 3)")
    for decimal, line, value in ((",", 3, "1,234.50"), (".", 2, "1.234,50")):
        with pytest.raises(EnrichmentError) as refused:   # never 1.2345
            read(path, ("c", "d", "a"), decimal=decimal)
        assert str(refused.value) == (f"t.csv, line {line}, column 'a': unparsable amount "
                                      f"{value!r} (hint: check --decimal)")


def test_header_spaces_blank_amounts_and_tabs(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text(" cust \t day\ttotal \nx\t2024-01-01\t\ny\t2024-01-02T10:00:00+02:00\t3\n",
                    encoding="utf-8")
    read_back = read_transactions(path, customer_col="cust", date_col="day",
                                  amount_col="total")
    assert read_back.blank_amounts == 1
    assert read_back.frame["amount"].tolist() == [0.0, 3.0]
    assert read_back.frame["occurred_at"].iloc[1] == pd.Timestamp("2024-01-02 08:00", tz="UTC")


def test_parquet_input_keeps_its_types(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    pd.DataFrame({"cust": ["a", "b"], "day": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                  "total": [1.5, 2.0]}).to_parquet(path)
    frame = read(path, ("cust", "day", "total"))
    assert frame["amount"].tolist() == [1.5, 2.0]
    assert str(frame["occurred_at"].dt.tz) == "UTC"
    with pytest.raises(EnrichmentError, match=r"orders\.parquet, column 'amount': there is no "):
        read(path, ("cust", "day", "amount"))


def test_cli_reads_a_german_export_with_the_right_options(run_cli: RunCli,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = [f"K{i % 40};{1 + i % 28:02d}.{1 + i % 12:02d}.2024;{10 + i},{i % 100:02d} €"
            for i in range(400)]
    path.write_bytes(("Kunde;Datum;Betrag\n" + "\n".join(rows) + "\n").encode("cp1252"))
    result = run_cli("analyze", str(path), "--customer-col", "Kunde", "--date-col", "Datum",
                     "--amount-col", "Betrag", "--decimal", ",", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["transactions"] == 400 and document["customers"] == 40
    assert "not UTF-8" in result.stderr


def test_cli_refuses_an_ambiguous_export_with_the_format_to_pass(run_cli: RunCli,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,date,value\na,13/11/2024,1\nb,03/12/2024,2\n", encoding="utf-8")
    result = run_cli("analyze", str(path), "--customer-col", "id", "--date-col", "date",
                     "--amount-col", "value")
    assert result.exit_code == 2
    assert "pass --date-format %d/%m/%Y" in result.stderr
    ok = run_cli("analyze", str(path), "--customer-col", "id", "--date-col", "date",
                 "--amount-col", "value", "--date-format", "%d/%m/%Y", "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["end"].startswith("2024-12-03")


def test_umlauts_after_the_sample_are_read_as_cp1252_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "Umsatz.csv"
    rows = [f"K{i};01.02.2024;1,50" for i in range(8000)] + ["Müller;02.02.2024;2,00"]
    path.write_bytes(("Kunde;Datum;Betrag\n" + "\n".join(rows) + "\n").encode("cp1252"))
    assert path.stat().st_size > 1 << 16     # the umlaut is past the sniffed sample
    read_back = read_transactions(path, customer_col="Kunde", date_col="Datum",
                                  amount_col="Betrag")
    assert read_back.encoding == "cp1252"
    assert read_back.frame["customer_id"].iloc[-1] == "Müller"
    assert "Umsatz.csv is not UTF-8; reading it as cp1252" in caplog.text


def test_bytes_cp1252_does_not_define_fall_back_to_latin_1(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("c,d,a\nGrüße\x8d,2024-01-01,1\n".encode("latin-1"))
    read_back = read_transactions(path, customer_col="c", date_col="d", amount_col="a")
    assert read_back.encoding == "latin-1"
    assert read_back.frame["customer_id"].iloc[0] == "Grüße\x8d"
