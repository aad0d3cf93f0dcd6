"""What to do about the YAML syntax errors people make in client files.

PyYAML names the token it choked on, not the mistake: a tab reads "found character '\\t'
that cannot start any token", an unquoted cron expression "expected alphabetic or numeric
character" (``*`` starts an alias). ``yaml_hint`` maps its words, and the offending line, to
a hint in the file's terms.
"""

from __future__ import annotations

__all__ = ["yaml_hint"]


def yaml_hint(problem: str, line_text: str) -> str | None:
    """A hint for PyYAML's ``problem`` on the line ``line_text`` (None when there is none)."""
    value = line_text.partition(":")[2].strip() if ":" in line_text else line_text.strip()
    if "\t" in line_text or "'\\t'" in problem:
        return "YAML does not allow tabs: indent with spaces"
    if value.startswith(("*", "&")) or "alphabetic or numeric character" in problem:
        return ('a value starting with * or & must be quoted (a cron expression?): '
                'cron: "*/15 * * * *"')
    if value.startswith(("@", "`", "%")):
        return f"a value starting with {value[0]} must be quoted"
    if "mapping values are not allowed" in problem:
        return ("a value holds ': ' or the line is indented under a value: quote the value, "
                "or align the key with the keys above")
    if ("expected <block end>" in problem or "did not find expected key" in problem
            or "could not find expected ':'" in problem):
        return ("the indentation does not line up: keys of one mapping start in the same "
                "column (spaces only)")
    if "found duplicate anchor" in problem or "found undefined alias" in problem:
        return "quote values that start with * or &"
    return None
