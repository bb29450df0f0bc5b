"""Problems found in a delivered file, with the place a user can look them up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is, what was expected, what was found."""

    file: str
    line: int | None
    column: str | None
    expected: str
    found: str
    more: int = 0  # further rows with the same problem
    sheet: str | None = None  # workbooks: the sheet; `column` then holds the cell, e.g. "C12"

    def __str__(self) -> str:
        place = self.file
        if self.sheet is not None:
            place += f", sheet '{self.sheet}'"
            if self.column:
                place += f", cell {self.column}"
            elif self.line is not None:
                place += f", row {self.line}"
        else:
            if self.line is not None:
                place += f", line {self.line}"
            if self.column:
                place += f", column '{self.column}'"
        text = f"{place}: expected {self.expected}, found {self.found}"
        if self.more:
            text += f" (and {self.more} more rows like it)"
        return text


class InputError(Exception):
    """A delivered file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(
        cls,
        path: Path | str,
        expected: str,
        found: str,
        line: int | None = None,
        column: str | None = None,
    ) -> InputError:
        return cls([Problem(Path(path).name, line, column, expected, found)])
