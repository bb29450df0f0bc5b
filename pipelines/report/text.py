"""German text of the report's numbers: decimal comma, units, signs; one place for HTML and PDF.

A missing value is shown as its special sign (`.`, `-`, `/`, `x`, `...`), never as 0; a value
missing without a sign as "–".
"""

from __future__ import annotations

from pipelines.report.maps import format_number

# How a catalogue unit reads after a number, and which unit a difference of it has.
UNIT_SHORT = {
    "Prozent": "%",
    "Veränderung in %": "%",
    "Anzahl": "",
    "EUR je Einwohner": "EUR",
}
CHANGE_UNIT = {"Prozent": "Pp.", "Veränderung in %": "Pp.", "Anzahl": "", "EUR je Einwohner": "EUR"}
WHOLE_UNITS = ("Anzahl", "EUR je Einwohner")
NO_VALUE = "–"
MINUS = "−"


def decimals_of(unit: str) -> int:
    return 0 if unit in WHOLE_UNITS else 1


def number(
    value: float | None, unit: str, status: str | None = None, with_unit: bool = True
) -> str:
    """12.345 or 10,4 % (the unit after it, if asked); the sign when the value is missing."""
    if value is None:
        return status or NO_VALUE
    text = format_number(value, decimals_of(unit)).replace("-", MINUS)
    if text in (f"{MINUS}0", f"{MINUS}0,0"):
        text = text[1:]
    short = UNIT_SHORT.get(unit, unit)
    return f"{text} {short}" if with_unit and short else text


def change(value: float | None, unit: str) -> str:
    """+1.087 or −0,3 Pp.: a difference with its sign (percentage points for rates)."""
    if value is None:
        return NO_VALUE
    text = format_number(abs(value), decimals_of(unit))
    sign = "±" if set(text) <= {"0", ",", "."} else "+" if value > 0 else MINUS
    short = CHANGE_UNIT.get(unit, UNIT_SHORT.get(unit, unit))
    return f"{sign}{text} {short}".strip()


def rank(position: int | None, of: int | None) -> str:
    if position is None:
        return NO_VALUE
    return f"{position} von {of}" if of else str(position)


def index(value: float | None) -> str:
    """A z-score index: two decimals."""
    return NO_VALUE if value is None else format_number(value, 2).replace("-", MINUS)


def date_de(day) -> str:
    return f"{day:%d.%m.%Y}" if day else NO_VALUE


def latin1(text: str) -> str:
    """The text in the PDF's core fonts (Latin-1): dashes, quotes and minus as ASCII."""
    table = str.maketrans(
        {
            "–": "-",
            "—": "-",
            MINUS: "-",
            "„": '"',
            "“": '"',
            "”": '"',
            "‚": "'",
            "‘": "'",
            "’": "'",
            "…": "...",
            "≤": "<=",
            "≥": ">=",
            "\u2009": " ",
            "\u202f": " ",
        }
    )
    return text.translate(table).encode("latin-1", errors="replace").decode("latin-1")
