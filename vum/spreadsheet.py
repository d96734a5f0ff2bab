"""Cells for files that a spreadsheet program opens (CSV, Excel). A text that starts with =, +, -,
@, a tab or a carriage return may be taken for a formula ("CSV injection", OWASP): such text is
written with a leading apostrophe, so that the program shows it as the text it is. Tab and
carriage return are on the list because a program may strip them and read what follows."""

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# A lone minus is no formula in any spreadsheet program, and the dashboard's "no figure" is one:
# "'-" in every empty share would only make the files harder to read.
LONE_MINUS = "-"


def starts_like_formula(value: object) -> bool:
    """Whether a spreadsheet program could take the cell for a formula. Only text: a negative
    number is a number, and stays one."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and value != LONE_MINUS


def safe_cell(value: Any) -> Any:
    """`value` as a CSV cell: numbers unchanged, formula-like text neutralised."""
    return f"'{value}" if starts_like_formula(value) else value
