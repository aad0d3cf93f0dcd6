"""YAML mistakes keep their line and say what to do (issue 20)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

CASES = {
    "tab": ("client: acme\nsuitecrm:\n\tbase_url: https://crm.example.org\n", 3,
            "indent with spaces"),
    "cron": ("client: acme\nschedule:\n  cron: */15 * * * *\n", 3,
             'cron: "*/15 * * * *"'),
    "star": ("client: acme\nschedule:\n  cron: * * * * *\n", 3, "must be quoted"),
    "colon": ("client: acme\nsuitecrm:\n  base_url: https://x\n   client_id: abc\n", 4,
              "quote the value, or align the key"),
    "dedent": ("client: acme\nsuitecrm:\n  base_url: https://x\n client_id: abc\n", 4,
               "the indentation does not line up"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_yaml_mistake_names_its_line_and_the_fix(
        name: str, write_client: Callable[[str, str], Path],
        run_cli: Callable[..., Result]) -> None:
    text, line, hint = CASES[name]
    write_client(name, text)
    result = run_cli("config", "validate", name)
    assert result.exit_code == 2
    assert f"{name}.yaml:{line}: YAML syntax error" in result.stderr
    assert hint in result.stderr
    assert result.stderr.count("hint:") == 1
