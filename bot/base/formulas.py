"""Text that a spreadsheet would run as a formula, made inert in the CSV files we write.

Excel, LibreOffice and Google Sheets treat a cell starting with = + - @ (or a tab or carriage
return before one) as a formula, so text a member of the public typed, such as
`=HYPERLINK("http://evil", "click")`, would become a live link or worse when a team opens
its export. Such a cell is written with a leading apostrophe, which spreadsheets show as
text and hide; the importer takes it off again, so an export still imports unchanged.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(text: str) -> str:
    """`text` as a CSV cell that no spreadsheet runs."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restored_cell(text: str) -> str:
    """A cell as `inert_cell` wrote it, back to the text it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
