"""Cells written to CSV files people open in spreadsheets.

A cell that begins with = + - @, a tab or a carriage return would be run as a formula by a
spreadsheet ("CSV injection"): every CSV the app writes puts an apostrophe before it, and
the chronology import takes that apostrophe off again, so export -> import round-trips.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unguard(value: str) -> str:
    """Undo `guard` ('=SUM -> =SUM); any other text is returned as it is."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value
