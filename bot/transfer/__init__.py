"""Data outside Slack: export stored records as CSV or JSON, import engagements and feedback.

Each kind of record is described once, as a table of columns (`bot.transfer.kinds`),
which both directions read, so what is exported can be imported again unchanged.
"""

from bot.transfer.export import UnknownTeam, export_records
from bot.transfer.importing import ImportRejected, RowProblem, import_records
from bot.transfer.kinds import KINDS

__all__ = [
    "KINDS",
    "ImportRejected",
    "RowProblem",
    "UnknownTeam",
    "export_records",
    "import_records",
]
