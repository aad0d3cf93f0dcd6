"""Sync an IMAP folder of N messages from a private Dovecot: messages per second, first and
incremental runs, against a bare IMAPClient header fetch of the same folder.

    python benchmarks/bench_imap.py --messages 10000 [--page-size 500] [--new 100]

A private Dovecot (tests/dovecot.py, Debian dovecot-imapd) gets a folder of N generated
messages written straight into its maildir. Each figure is one ``suitepulse sync CLIENT
--stream imap:bench:INBOX`` process timed from start to exit (into a fresh SQLite store,
interpreter start included): the first sync, an incremental sync with nothing new, and one
after ``--new`` more messages arrived. The comparator is a process that only logs in and
fetches the same header fields for every message with IMAPClient, in pages of the same
size: the floor set by the server and the library. Keep N modest on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.dovecot import PASSWORD, Dovecot, running_dovecot  # noqa: E402

USER = "bench"
_COMPARATOR = """
import sys, time
from imapclient import IMAPClient
from connectors.mail.message import HEADER_FIELDS
host, port, user, password, page = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], \
    int(sys.argv[5])
client = IMAPClient(host, port=port, ssl=False)
client.login(user, password)
client.select_folder("INBOX", readonly=True)
uids = sorted(client.search(["ALL"]))
fields = f"BODY.PEEK[HEADER.FIELDS ({' '.join(HEADER_FIELDS)})]"
count = 0
for first in range(0, len(uids), page):
    count += len(client.fetch(uids[first:first + page], ["UID", "FLAGS", "INTERNALDATE",
                                                          "MODSEQ", fields]))
client.logout()
print(count)
"""


def _fill(server: Dovecot, count: int, start: int = 0) -> None:
    """Write ``count`` messages into the user's INBOX maildir (as a delivery agent would)."""
    cur = server.maildir(USER) / "cur"
    cur.mkdir(parents=True, exist_ok=True)
    owner = cur.parent.stat()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(start, start + count):
        sent = moment + timedelta(minutes=number)
        outbound = number % 4 == 0
        sender, to = (("sales@ourshop.example", f"c{number % 900}@customer.example")
                      if outbound else (f"c{number % 900}@customer.example",
                                        "sales@ourshop.example"))
        raw = (f"From: Customer {number} <{sender}>\r\nTo: {to}\r\n"
               f"Date: {sent.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
               f"Message-ID: <{number}.bench@mail.example>\r\nSubject: Order {number}\r\n\r\n"
               + "Body line of a benchmark message.\r\n" * 20)
        path = cur / f"{int(sent.timestamp())}.M{number}P1.bench:2,{'S' if number % 3 else ''}"
        path.write_bytes(raw.encode())
        os.chown(path, owner.st_uid, owner.st_gid)


def _first_login(server: Dovecot) -> None:
    from imapclient import IMAPClient

    client = IMAPClient(server.host, port=server.port, ssl=False)
    client.login(USER, PASSWORD)
    client.select_folder("INBOX")
    client.logout()


def _client_file(folder: Path, server: Dovecot, page_size: int) -> Path:
    clients = folder / "clients"
    clients.mkdir()
    (clients / "bench.yaml").write_text(
        "client: bench\n"
        "suitecrm:\n  base_url: https://crm.invalid\n  client_id: x\n  client_secret: s\n"
        f"store:\n  url: sqlite:///{folder / 'bench.sqlite3'}\n"
        "sources:\n  imap:\n    - name: bench\n"
        f"      host: {server.host}\n      port: {server.port}\n      tls: false\n"
        f"      username: {USER}\n      password: ${{BENCH_IMAP_PASSWORD}}\n"
        f"      folders: [INBOX]\n      own_domains: [ourshop.example]\n"
        f"      page_size: {page_size}\n", encoding="utf-8")
    return clients


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of a process, and the CPU seconds it used (user + system)."""

    wall: float
    cpu: float

    def show(self, messages: int | None = None) -> str:
        rate = f"  {messages / self.wall:6.0f} msg/s" if messages else ""
        return f"{self.wall:6.2f} s wall, {self.cpu:6.2f} s CPU{rate}"


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], env: dict[str, str]) -> tuple[Timing, str]:
    cpu, began = _cpu_of_children(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    timing = Timing(time.perf_counter() - began, _cpu_of_children() - cpu)
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return timing, done.stdout


def _sync(clients: Path, env: dict[str, str]) -> tuple[Timing, dict[str, int]]:
    suitepulse = str(Path(sys.executable).with_name("suitepulse"))
    seconds, out = _timed([suitepulse, "--config-dir", str(clients), "sync", "bench",
                           "--stream", "imap:bench:INBOX", "--json"], env)
    (stream,) = [s for s in json.loads(out)["streams"] if s["name"] == "imap:bench:INBOX"]
    return seconds, {key: int(stream[key]) for key in ("new", "changed", "unchanged")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--new", type=int, default=100)
    args = parser.parse_args()
    with running_dovecot() as server, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _first_login(server)
        _fill(server, args.messages)
        _first_login(server)  # Dovecot indexes the folder once, before anything is timed
        clients = _client_file(folder, server, args.page_size)
        env = {**os.environ, "BENCH_IMAP_PASSWORD": PASSWORD,
               "SUITEPULSE_DATA_DIR": str(folder / "data")}
        floor, out = _timed([sys.executable, "-c", _COMPARATOR, server.host, str(server.port),
                             USER, PASSWORD, str(args.page_size)], env)
        assert int(out) == args.messages, out
        first, first_counts = _sync(clients, env)
        quiet, quiet_counts = _sync(clients, env)
        _fill(server, args.new, start=args.messages)
        _first_login(server)
        newer, newer_counts = _sync(clients, env)
    n = args.messages
    print(f"Dovecot, {n} messages, page size {args.page_size}, "
          f"as {pwd.getpwuid(os.getuid())[0]}; each line one process, start to exit")
    lines = [("comparator, IMAPClient header fetch", floor.show(n), ""),
             ("suitepulse sync, first", first.show(n), str(first_counts)),
             ("suitepulse sync, nothing new", quiet.show(), str(quiet_counts)),
             (f"suitepulse sync, {args.new} new", newer.show(), str(newer_counts))]
    for label, shown, counts in lines:
        print(f"  {label + ':':<37} {shown}  {counts}")
    startup, _ = _timed([str(Path(sys.executable).with_name("suitepulse")), "--help"], env)
    print(f"  {'suitepulse --help (start-up alone):':<37} {startup.show()}")


if __name__ == "__main__":
    main()
