"""``suitepulse analyze`` on a German and a US Excel export: the same customers and totals as
the plain CSV of the same purchases; an ambiguous export is refused with the option to pass."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests.unit.enrichment.btyd_simulation import transactions

RunCli = Callable[..., Result]


@pytest.fixture(scope="module")
def purchases() -> pd.DataFrame:
    """400 customers (some with umlauts), amounts into the thousands, a few refunds."""
    frame = transactions("bgnbd", (0.5, 6.0, 0.8, 2.5), 400, 78, seed=3)
    frame["customer_id"] = [f"Müller-{c}" if int(c[1:]) % 5 == 0 else c
                            for c in frame["customer_id"]]
    frame["amount"] = (frame["amount"] * 37).round(2)
    repeat = frame["customer_id"].duplicated()        # refunds after a first purchase
    frame.loc[repeat & (frame.index % 17 == 0), "amount"] *= -1
    assert (frame["amount"] < 0).any() and (frame["amount"] >= 1000).any()
    return frame


def cents(amount: float) -> tuple[str, str, str]:
    """Sign, whole part and cents of ``amount`` as text."""
    whole, part = f"{abs(amount):.2f}".split(".")
    return ("-" if amount < 0 else ""), whole, part


def plain_csv(frame: pd.DataFrame, path: Path) -> Path:
    pd.DataFrame({"customer": frame["customer_id"],
                  "date": frame["occurred_at"].dt.strftime("%Y-%m-%d"),
                  "amount": frame["amount"].map("{:.2f}".format)}).to_csv(path, index=False)
    return path


def german_excel(frame: pd.DataFrame, path: Path) -> Path:
    """Semicolons, decimal commas with dots for thousands and €, dd.mm.yyyy, cp1252, CRLF,
    spaces around header names and an umlaut in one."""
    def betrag(amount: float) -> str:
        sign, whole, part = cents(amount)
        return f"{sign}{int(whole):,}".replace(",", ".") + f",{part} €"

    lines = [" Kunde ;Bestelldatum; Betrag in € ;Straße"]
    lines += [f"{c};{d:%d.%m.%Y};{betrag(a)};Hauptstraße {i}" for i, (c, d, a) in
              enumerate(frame[["customer_id", "occurred_at", "amount"]].itertuples(
                  index=False))]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def us_excel(frame: pd.DataFrame, path: Path) -> Path:
    """Commas, "$1,234.50" (quoted), refunds in parentheses, mm/dd/yyyy, UTF-8 with a BOM."""
    def total(amount: float) -> str:
        sign, whole, part = cents(amount)
        text = f"${int(whole):,}.{part}"
        return f'"({text})"' if sign else f'"{text}"'

    lines = ["Customer,Order Date,Total"]
    lines += [f"{c},{d:%m/%d/%Y},{total(a)}" for c, d, a in
              frame[["customer_id", "occurred_at", "amount"]].itertuples(index=False)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return path


def analyzed(run_cli: RunCli, path: Path, columns: tuple[str, str, str],
             *options: str) -> tuple[pd.DataFrame, dict[str, object], str]:
    """The per-customer table, the --json summary and stderr of one analyze run."""
    customer, date, amount = columns
    out = path.with_suffix(".traits.csv")
    result = run_cli("analyze", str(path), "--customer-col", customer, "--date-col", date,
                     "--amount-col", amount, "--min-repeat-buyers", "20", "--out", str(out),
                     "--json", *options)
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out, encoding="utf-8").sort_values("customer_id", ignore_index=True)
    return table, json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def plain_result(purchases: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
                 ) -> tuple[pd.DataFrame, dict[str, object]]:
    path = plain_csv(purchases, tmp_path_factory.mktemp("plain") / "orders.csv")
    out = path.with_suffix(".traits.csv")
    result = CliRunner().invoke(cli, [
        "analyze", str(path), "--customer-col", "customer", "--date-col", "date",
        "--amount-col", "amount", "--min-repeat-buyers", "20", "--out", str(out), "--json"],
        catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out, encoding="utf-8").sort_values("customer_id", ignore_index=True)
    return table, json.loads(result.stdout)


def assert_same_as_plain(table: pd.DataFrame, document: dict[str, object],
                         plain: tuple[pd.DataFrame, dict[str, object]],
                         purchases: pd.DataFrame) -> None:
    plain_table, plain_document = plain
    assert document["customers"] == plain_document["customers"] == \
        purchases["customer_id"].nunique()
    assert document["transactions"] == len(purchases)
    assert document["end"] == plain_document["end"]
    assert document["params"] == plain_document["params"]
    pd.testing.assert_frame_equal(table, plain_table)
    totals = purchases.groupby("customer_id")["amount"].sum()
    assert table.set_index("customer_id")["historical_value"].to_dict() == \
        pytest.approx(totals.to_dict())
    assert "Müller-c0" in set(table["customer_id"])


def test_german_excel_export_reads_as_the_plain_csv(
        run_cli: RunCli, tmp_path: Path, purchases: pd.DataFrame,
        plain_result: tuple[pd.DataFrame, dict[str, object]]) -> None:
    path = german_excel(purchases, tmp_path / "Umsätze.csv")
    columns = ("Kunde", "Bestelldatum", "Betrag in €")
    table, document, _ = analyzed(run_cli, path, columns, "--sep", ";", "--decimal", ",",
                                  "--encoding", "cp1252", "--date-format", "%d.%m.%Y")
    assert_same_as_plain(table, document, plain_result, purchases)
    # and without the options: separator, encoding and decimal mark found, with a warning
    found, document, stderr = analyzed(run_cli, path, columns)
    assert "Umsätze.csv is not UTF-8; reading it as cp1252" in stderr
    assert_same_as_plain(found, document, plain_result, purchases)


def test_us_excel_export_reads_as_the_plain_csv_with_its_date_format(
        run_cli: RunCli, tmp_path: Path, purchases: pd.DataFrame,
        plain_result: tuple[pd.DataFrame, dict[str, object]]) -> None:
    path = us_excel(purchases, tmp_path / "orders-us.csv")
    refused = run_cli("analyze", str(path), "--customer-col", "Customer", "--date-col",
                      "Order Date", "--amount-col", "Total")
    assert refused.exit_code == 2
    assert "error: orders-us.csv, column 'Order Date': " in refused.stderr
    assert "hint: pass --date-format %m/%d/%Y\n" in refused.stderr
    table, document, _ = analyzed(run_cli, path, ("Customer", "Order Date", "Total"),
                                  "--date-format", "%m/%d/%Y")
    assert_same_as_plain(table, document, plain_result, purchases)


def test_an_ambiguous_export_is_refused_with_the_option_to_pass(run_cli: RunCli,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Kunde;Datum;Betrag\nK1;03/12/2024;12,50\nK2;04/11/2024;7,00\n",
                    encoding="utf-8")
    result = run_cli("analyze", str(path), "--customer-col", "Kunde", "--date-col", "Datum",
                     "--amount-col", "Betrag", "--json")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: export.csv, column 'Datum': dates such as '03/12/2024' (line 2) read both as "
        "day/month and as month/day",
        "hint: pass --date-format %d/%m/%Y or --date-format %m/%d/%Y"]
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "EnrichmentError"
    assert error["hint"] == "pass --date-format %d/%m/%Y or --date-format %m/%d/%Y"
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("id,date,value\na,13/11/2024,1\nb,03/12/2024,2\n", encoding="utf-8")
    result = run_cli("analyze", str(mixed), "--customer-col", "id", "--date-col", "date",
                     "--amount-col", "value")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: mixed.csv, column 'date': '13/11/2024' (line 2) and '03/12/2024' (line 3) "
        "both appear",
        "hint: pass --date-format %d/%m/%Y"]
