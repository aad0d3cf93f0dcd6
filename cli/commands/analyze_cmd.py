"""``suitepulse analyze``: the customer value models on a transaction export."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO

import click
import pandas as pd

from cli.commands.model_output import backtest_table, model_lines
from cli.options import json_option
from cli.output import emit_json, err_console
from enrichment.amount_text import Decimal
from enrichment.analysis import analyze_transactions
from enrichment.errors import EnrichmentError
from enrichment.settings import Granularity, ModelChoice, TimeUnit, ValueModelSettings
from enrichment.transactions_file import ReadOptions, read_transactions

__all__ = ["analyze"]


_DECIMALS: dict[str, Decimal] = {".": ".", ",": ","}


def _write_csv(frame: pd.DataFrame, target: Path | BinaryIO) -> None:
    """One row per customer, written by pyarrow (pandas' writer takes 3 s per 100k rows)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), target,
                    pacsv.WriteOptions(quoting_style="needed"))


def _end(value: str | None) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        raise EnrichmentError(f"--end {value!r} is not a date",
                              hint="write it as YYYY-MM-DD") from None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if len(value.strip()) <= 10:
        stamp += pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    return stamp


@click.command()
@click.argument("transactions", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--customer-col", required=True, help="Column with the customer id.")
@click.option("--date-col", required=True, help="Column with the purchase date or time.")
@click.option("--amount-col", required=True, help="Column with the amount (refunds < 0).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one row per customer to this CSV (default: CSV on stdout).")
@click.option("--params", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the fitted parameters to this JSON file.")
@click.option("--model", type=click.Choice([m.value for m in ModelChoice]), default="auto",
              show_default=True,
              help="Purchase model; auto picks the best hold-out log-likelihood.")
@click.option("--backtest", "backtest_weeks", type=click.IntRange(1, 520), metavar="WEEKS",
              help="Hold out the last WEEKS weeks and compare every model on them.")
@click.option("--min-repeat-buyers", default=100, show_default=True,
              type=click.IntRange(0), help="Fewer repeat buyers: no value predictions.")
@click.option("--horizon", default=365, show_default=True, type=click.IntRange(1, 3650),
              help="Days ahead for expected purchases and CLV.")
@click.option("--time-unit", type=click.Choice([u.value for u in TimeUnit]), default="day",
              show_default=True, help="Unit of recency, T and alpha.")
@click.option("--granularity", type=click.Choice([g.value for g in Granularity]),
              default="exact", show_default=True,
              help="Purchases in the same day/hour/timestamp are one occasion.")
@click.option("--end", help="End of the observation period (default: last transaction).")
@click.option("--sep", "separator", type=click.Choice([",", ";", "tab", "|"]),
              help="CSV field separator (default: found from the file).")
@click.option("--decimal", type=click.Choice([".", ","]),
              help="Decimal mark of the amounts (default: what the values show).")
@click.option("--encoding", help="CSV encoding, e.g. utf-8, cp1252 (default: UTF-8 with or "
              "without BOM, else cp1252 or Latin-1 with a warning).")
@click.option("--date-format", help="strftime format of the dates, e.g. %d/%m/%Y (needed "
              "where day and month could be swapped).")
@click.option("--discount-rate", default=0.10, show_default=True,
              type=click.FloatRange(0, 1, max_open=True), help="Annual discount rate of CLV.")
@json_option
def analyze(transactions: Path, customer_col: str, date_col: str, amount_col: str,
            out: Path | None, params: Path | None, model: str, backtest_weeks: int | None,
            min_repeat_buyers: int, horizon: int, time_unit: str, granularity: str,
            end: str | None, separator: str | None, decimal: str | None,
            encoding: str | None, date_format: str | None, discount_rate: float,
            as_json: bool) -> None:
    """Fit a purchase model and Gamma-Gamma on a transaction CSV or Parquet file; predict
    value per customer.

    \b
    Examples:
      suitepulse analyze orders.csv --customer-col customer --date-col date \\
          --amount-col total --out traits.csv --params params.json
      suitepulse analyze orders.csv --customer-col id --date-col day --amount-col value \\
          --time-unit week --granularity day --end 1997-09-30 --model pnbd --json
      suitepulse analyze orders.csv --customer-col id --date-col day --amount-col value \\
          --time-unit week --backtest 39 --out traits.csv
      suitepulse analyze export.csv --customer-col Kunde --date-col Datum \\
          --amount-col Betrag --decimal , --date-format %d.%m.%Y
    """
    options = ReadOptions(separator="\t" if separator == "tab" else separator,
                          decimal=_DECIMALS.get(decimal or ""), encoding=encoding,
                          date_format=date_format)
    read = read_transactions(transactions, customer_col=customer_col, date_col=date_col,
                             amount_col=amount_col, options=options)
    frame = read.frame
    settings = ValueModelSettings(
        horizon_days=horizon, annual_discount_rate=discount_rate, time_unit=TimeUnit(time_unit),
        granularity=Granularity(granularity), model=ModelChoice(model),
        min_repeat_buyers=min_repeat_buyers, holdout_weeks=backtest_weeks)
    result = analyze_transactions(frame, settings, end=_end(end),
                                  compare_all=backtest_weeks is not None)
    report = result.report.as_dict()
    if params is not None:
        params.write_text(json.dumps(report["params"], indent=2) + "\n", encoding="utf-8")
    if out is not None:
        _write_csv(result.customers, out)
    elif not as_json:
        sys.stdout.flush()
        _write_csv(result.customers, sys.stdout.buffer)
    if as_json:
        segments = result.customers["segment"].value_counts().to_dict()
        document = {"ok": True, "transactions": len(frame),
                    "blank_amounts": read.blank_amounts,
                    "customers": len(result.customers), "end": result.end.isoformat(),
                    "params": report["params"], "value_model": report,
                    "segments": segments, "out": str(out) if out else None}
        if backtest_weeks is not None:
            document["backtest"] = [b.as_dict() for b in result.backtests]
        emit_json(document)
        return
    for line in model_lines(result.report):
        err_console.print(line, highlight=False)
    if backtest_weeks is not None:
        err_console.print(backtest_table(result.backtests), highlight=False)
