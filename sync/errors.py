"""The roots of sync errors: configuration and state."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ConfigError", "ConfigProblem", "StateError"]


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a client file: where (file, line, field path) and what."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(Exception):
    """A client configuration that cannot be used; one ``ConfigProblem`` per problem."""

    def __init__(self, problems: list[ConfigProblem], *, hint: str | None = None) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems
        self.reason = str(self)
        self.hint = hint

    @classmethod
    def single(cls, file: str, message: str, *, line: int | None = None, path: str = "",
               hint: str | None = None) -> ConfigError:
        """An error with a single problem."""
        return cls([ConfigProblem(file, line, path, message)], hint=hint)


class StateError(Exception):
    """The state store is unusable, locked by another run, or inconsistent."""

    def __init__(self, reason: str, *, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.reason} (hint: {self.hint})" if self.hint else self.reason
