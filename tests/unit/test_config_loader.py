"""Loading client files: valid configs, every kind of invalid one, and interpolation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cli.demo_session import EXAMPLE_PATH, example_client_text
from sync.config import load_client, store_url
from sync.errors import ConfigError
from tests.conftest import VALID_CLIENT

WriteClient = Callable[[str, str], Path]


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_client(path)
    return [str(problem) for problem in info.value.problems]


def test_valid_config_loads_with_defaults(write_client: WriteClient, tmp_path: Path) -> None:
    loaded = load_client(write_client("acme", VALID_CLIENT))
    config = loaded.config
    assert config.client == "acme"
    assert str(config.suitecrm.base_url) == "https://crm.example.com/"
    assert config.suitecrm.client_secret.get_secret_value() == "s3cr3t-value"
    assert config.suitecrm.page_size == 100
    assert config.sync.modules == ["Accounts", "Contacts", "Opportunities"]
    assert config.enrichment.purchases.won_values == ["Closed Won"]
    assert loaded.warnings == []
    assert store_url(config) == f"sqlite:///{tmp_path / 'data' / 'acme.sqlite3'}"


def test_bad_yaml_syntax_names_file_and_line(write_client: WriteClient) -> None:
    path = write_client("acme", "client: acme\nsuitecrm:\n  base_url: [unclosed\n  x: 1\n")
    [problem] = problems_of(path)
    assert problem.startswith("acme.yaml:4: YAML syntax error")


def test_wrong_type_names_line_and_path(write_client: WriteClient) -> None:
    path = write_client("acme", VALID_CLIENT + "  page_size: lots\n")
    assert problems_of(path) == [
        "acme.yaml:6 suitecrm.page_size: input should be a valid integer, unable to parse "
        "string as an integer"
    ]


def test_unknown_key_is_an_error_with_a_suggestion(write_client: WriteClient) -> None:
    path = write_client("acme", VALID_CLIENT + "  pagesize: 50\n")
    assert problems_of(path) == [
        "acme.yaml:6 suitecrm.pagesize: unknown key (did you mean 'page_size'?)"
    ]


def test_unknown_top_level_key(write_client: WriteClient) -> None:
    path = write_client("acme", VALID_CLIENT + "schedul:\n  cron: '* * * * *'\n")
    assert problems_of(path) == ["acme.yaml:6 schedul: unknown key (did you mean 'schedule'?)"]


def test_missing_required_field_points_at_its_parent(write_client: WriteClient) -> None:
    text = VALID_CLIENT.replace("  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c\n", "")
    assert problems_of(write_client("acme", text)) == [
        "acme.yaml:2 suitecrm.client_id: required, but missing"
    ]


def test_bad_url(write_client: WriteClient) -> None:
    text = VALID_CLIENT.replace("https://crm.example.com", "crm.example.com")
    [problem] = problems_of(write_client("acme", text))
    assert problem.startswith("acme.yaml:3 suitecrm.base_url: not a valid URL")


def test_bad_cron_and_timezone(write_client: WriteClient) -> None:
    text = VALID_CLIENT + "schedule:\n  cron: '0 25 * * *'\n  timezone: Mars/Olympus\n"
    problems = problems_of(write_client("acme", text))
    assert problems[0].startswith("acme.yaml:7 schedule.cron: not a valid cron expression")
    assert problems[1] == (
        "acme.yaml:8 schedule.timezone: unknown timezone 'Mars/Olympus' (use an IANA name)"
    )


def test_every_problem_is_reported_at_once(write_client: WriteClient) -> None:
    text = VALID_CLIENT.replace("https://crm.example.com", "nope") + "  pagesize: 1\n"
    text = text.replace("${ACME_SECRET}", "${UNSET_SECRET_VARIABLE}")
    problems = problems_of(write_client("acme", text))
    assert len(problems) == 3
    assert any("UNSET_SECRET_VARIABLE is not set" in p for p in problems)


def test_list_items_are_addressed_by_index(write_client: WriteClient) -> None:
    text = VALID_CLIENT + (
        "sources:\n  imap:\n    - name: sales\n      host: imap.example.com\n"
        "      username: u\n      password: ${ACME_SECRET}\n      port: 99999\n"
    )
    assert problems_of(write_client("acme", text)) == [
        "acme.yaml:12 sources.imap[0].port: input should be less than or equal to 65535"
    ]


def test_duplicate_keys_are_errors(write_client: WriteClient) -> None:
    text = VALID_CLIENT + "  page_size: 10\n  page_size: 20\n"
    assert problems_of(write_client("acme", text)) == [
        "acme.yaml:7 suitecrm.page_size: key appears twice in the same mapping"
    ]


def test_client_name_must_match_file_name(write_client: WriteClient) -> None:
    path = write_client("beta", VALID_CLIENT)
    assert problems_of(path) == [
        "beta.yaml:1 client: 'acme' does not match the file name 'beta.yaml'; each client's "
        "file is named after it"
    ]


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just a string\n"])
def test_a_file_that_is_not_a_mapping(write_client: WriteClient, text: str) -> None:
    [problem] = problems_of(write_client("acme", text))
    assert problem.startswith("acme.yaml:1: the file is")


def test_core_field_mapping_refused_unless_allowed(write_client: WriteClient) -> None:
    text = VALID_CLIENT + "writeback:\n  fields:\n    clv: Accounts.annual_revenue\n"
    [problem] = problems_of(write_client("acme", text))
    assert "mapping to core (non-_c) fields is refused" in problem
    assert problem.startswith("acme.yaml:6 writeback:")
    allowed = text.replace("writeback:\n", "writeback:\n  allow_core_fields: true\n")
    config = load_client(write_client("acme", allowed)).config
    assert config.writeback.fields["clv"].field_name == "annual_revenue"


def test_mapping_short_and_long_form(write_client: WriteClient) -> None:
    text = VALID_CLIENT + (
        "writeback:\n  fields:\n    clv: Accounts.sp_clv_c\n"
        "    churn_risk: {field: Accounts.sp_churn_c, policy: fill_empty}\n"
    )
    fields = load_client(write_client("acme", text)).config.writeback.fields
    assert (fields["clv"].module, fields["clv"].policy.value) == ("Accounts", "overwrite")
    assert fields["churn_risk"].policy.value == "fill_empty"


class TestInterpolation:
    def test_default_used_when_unset(self, write_client: WriteClient) -> None:
        text = VALID_CLIENT.replace("${ACME_SECRET}", "${ACME_UNSET:-fallback}")
        config = load_client(write_client("acme", text)).config
        assert config.suitecrm.client_secret.get_secret_value() == "fallback"

    def test_environment_wins_over_default(self, write_client: WriteClient) -> None:
        text = VALID_CLIENT.replace("${ACME_SECRET}", "${ACME_SECRET:-fallback}")
        config = load_client(write_client("acme", text)).config
        assert config.suitecrm.client_secret.get_secret_value() == "s3cr3t-value"

    def test_dotenv_beside_config(self, write_client: WriteClient, clients_dir: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("ACME_SECRET")
        (clients_dir / ".env").write_text("ACME_SECRET=from-dotenv\n")
        config = load_client(write_client("acme", VALID_CLIENT)).config
        assert config.suitecrm.client_secret.get_secret_value() == "from-dotenv"

    def test_environment_wins_over_dotenv(self, write_client: WriteClient,
                                          clients_dir: Path) -> None:
        (clients_dir / ".env").write_text("ACME_SECRET=from-dotenv\n")
        config = load_client(write_client("acme", VALID_CLIENT)).config
        assert config.suitecrm.client_secret.get_secret_value() == "s3cr3t-value"

    def test_unset_variable_names_line(self, write_client: WriteClient,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("ACME_SECRET")
        [problem] = problems_of(write_client("acme", VALID_CLIENT))
        assert problem.startswith(
            "acme.yaml:5 suitecrm.client_secret: environment variable ACME_SECRET is not set")

    def test_interpolated_numbers_are_converted(self, write_client: WriteClient,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ACME_PAGE", "250")
        config = load_client(write_client("acme", VALID_CLIENT + "  page_size: ${ACME_PAGE}\n"))
        assert config.config.suitecrm.page_size == 250

    def test_dollar_escape_and_embedded_reference(self, write_client: WriteClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ACME_HOST", "crm.acme.test")
        text = VALID_CLIENT.replace("https://crm.example.com", "https://${ACME_HOST}/x")
        text = text.replace("${ACME_SECRET}", "pa$$word")
        loaded = load_client(write_client("acme", text))
        assert str(loaded.config.suitecrm.base_url) == "https://crm.acme.test/x"
        assert loaded.config.suitecrm.client_secret.get_secret_value() == "pa$word"

    def test_malformed_reference_is_an_error(self, write_client: WriteClient) -> None:
        text = VALID_CLIENT.replace("${ACME_SECRET}", "${ACME SECRET}")
        [problem] = problems_of(write_client("acme", text))
        assert problem.startswith("acme.yaml:5 suitecrm.client_secret: malformed ${...}")


def test_literal_secret_is_accepted_with_a_warning(write_client: WriteClient) -> None:
    text = VALID_CLIENT.replace("${ACME_SECRET}", "literal-secret")
    loaded = load_client(write_client("acme", text))
    assert loaded.config.suitecrm.client_secret.get_secret_value() == "literal-secret"
    assert [str(w) for w in loaded.warnings] == [
        "acme.yaml:5 suitecrm.client_secret: secret written literally in the file; use ${VAR} "
        "and an environment variable or .env entry"
    ]


def test_password_grant_needs_user_and_password(write_client: WriteClient) -> None:
    text = VALID_CLIENT + "  grant_type: password\n  username: api\n"
    assert problems_of(write_client("acme", text)) == [
        "acme.yaml:2 suitecrm: the password grant needs username and password"
    ]


def test_example_demo_config_validates() -> None:
    example = Path(__file__).resolve().parents[2] / EXAMPLE_PATH
    loaded = load_client(example)
    assert loaded.config.client == "demo"
    assert loaded.warnings == []


def test_example_demo_config_is_the_demo_client() -> None:
    example = Path(__file__).resolve().parents[2] / EXAMPLE_PATH
    assert example.read_text(encoding="utf-8") == example_client_text(), (
        "config/examples/demo.yaml differs from the demo client; "
        "run python tools/write_demo_example.py")
