"""Reading a client YAML file: data, the line of every key, and ``${VAR}`` interpolation."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values

from sync.errors import ConfigError, ConfigProblem
from sync.yaml_hints import yaml_hint

__all__ = ["ConfigSource", "FieldPath", "format_path", "load_env", "read_source"]

FieldPath = tuple[str | int, ...]
_REFERENCE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
_BROKEN_REFERENCE = re.compile(r"\$\{(?![A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})")


def format_path(path: FieldPath) -> str:
    """Render a field path as a user writes it: ``sources.imap[0].host``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass
class ConfigSource:
    """A parsed client file: its data, the line of each path, and which paths came from env."""

    file: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)
    interpolated: set[FieldPath] = field(default_factory=set)
    problems: list[ConfigProblem] = field(default_factory=list)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of ``path`` or of its nearest parent that is in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def problem(self, path: FieldPath, message: str) -> ConfigProblem:
        """A problem at ``path`` in this file."""
        return ConfigProblem(self.file, self.line_of(path), format_path(path), message)


def _index_lines(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int],
                 problems: list[ConfigProblem], file: str) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            if key == "<<":
                continue
            child = (*path, key)
            if key in seen:
                problems.append(
                    ConfigProblem(file, key_node.start_mark.line + 1, format_path(child),
                                  "key appears twice in the same mapping")
                )
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines, problems, file)


def load_env(config_dir: Path) -> dict[str, str]:
    """The environment for interpolation: ``.env`` beside the config, then the process env."""
    env: dict[str, str] = {}
    dotenv = config_dir / ".env"
    if dotenv.is_file():
        env.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    env.update(os.environ)
    return env


def _interpolate(source: ConfigSource, value: Any, path: FieldPath, env: Mapping[str, str],
                 problems: list[ConfigProblem], seen: set[int]) -> Any:
    if isinstance(value, dict):
        if id(value) in seen:
            return value
        seen.add(id(value))
        return {k: _interpolate(source, v, (*path, k), env, problems, seen)
                for k, v in value.items()}
    if isinstance(value, list):
        if id(value) in seen:
            return value
        seen.add(id(value))
        return [_interpolate(source, v, (*path, i), env, problems, seen)
                for i, v in enumerate(value)]
    if not isinstance(value, str) or "$" not in value:
        return value
    if _BROKEN_REFERENCE.search(value.replace("$$", "")):
        problems.append(source.problem(path, "malformed ${...} reference; write ${NAME} or "
                                              "${NAME:-default}, or $$ for a literal $"))
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group("name"), match.group("default")
        source.interpolated.add(path)
        if name in env:
            return env[name]
        if default is not None:
            return default
        problems.append(source.problem(
            path, f"environment variable {name} is not set (set it, add it to .env beside the "
                  f"config, or write ${{{name}:-default}})"))
        return ""

    return _REFERENCE.sub(substitute, value)


def read_source(path: Path, env: Mapping[str, str] | None = None) -> ConfigSource:
    """Parse ``path`` into a ``ConfigSource``.

    Raises ``ConfigError`` where the file cannot be read as YAML; problems found after that
    (duplicate keys, unset variables) are kept in ``source.problems`` for the caller to
    report together with the schema's.
    """
    file = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError.single(file, f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError.single(file, f"cannot read the file: {exc}") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        lines = text.splitlines()
        line_text = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
        raise ConfigError.single(file, f"YAML syntax error: {problem}", line=line,
                                 hint=yaml_hint(problem, line_text)) from None
    except yaml.YAMLError as exc:
        raise ConfigError.single(file, f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise ConfigError.single(file, "YAML nesting is too deep") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        raise ConfigError.single(file, f"the file is {kind}; expected keys such as client: "
                                       "and suitecrm:", line=1)
    source = ConfigSource(file=file, data=data)
    assert node is not None
    _index_lines(node, (), source.lines, source.problems, file)
    source.data = _interpolate(source, data, (), env if env is not None else
                               load_env(path.parent), source.problems, set())
    return source
