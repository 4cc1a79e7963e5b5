"""`engagebot deliveries`: the delivery queue as lines a person can read."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from bot.base.clock import local_display
from storage.deliveries import SKIPPED
from storage.models import Delivery


def delivery_lines(deliveries: Iterable[Delivery], timezone: ZoneInfo) -> list[str]:
    """One line per delivery: when due, status, what, to whom, attempts and the last error
    (for a skipped one, why it was skipped)."""
    lines = []
    for delivery in deliveries:
        line = (
            f"{local_display(delivery.due_at, timezone)}  {delivery.status:<8} "
            f"{delivery.kind} -> {delivery.target}  ({delivery.key})"
        )
        if delivery.attempts:
            line += f"  attempts: {delivery.attempts}"
        if delivery.last_error:
            why = "because" if delivery.status == SKIPPED else "last error:"
            line += f"  {why} {delivery.last_error}"
        lines.append(line)
    return lines
