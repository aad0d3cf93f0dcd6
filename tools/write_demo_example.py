"""Write config/examples/demo.yaml from the demo client of cli/demo_session.py.

Run after changing the demo client; a unit test fails while the two differ:

    python tools/write_demo_example.py
"""

from __future__ import annotations

from pathlib import Path

from cli.demo_session import EXAMPLE_PATH, example_client_text

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    (ROOT / EXAMPLE_PATH).write_text(example_client_text(), encoding="utf-8")
    print(f"wrote {EXAMPLE_PATH}")
