"""Reading the audit log (`storage/auditing.py` writes it)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, SQLModel, col, select

from storage.models import AuditEntry


def audit_entries(
    *,
    session: Session,
    since: datetime | None = None,
    before: datetime | None = None,
    table: str | None = None,
    limit: int,
) -> list[AuditEntry]:
    """The newest `limit` entries made from `since` up to (not including) `before`, of
    `table` when given, oldest first."""
    query = select(AuditEntry)
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    if before is not None:
        query = query.where(col(AuditEntry.at) < before)
    if table is not None:
        query = query.where(AuditEntry.table_name == table)
    newest = session.exec(
        query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
    ).all()
    return list(reversed(newest))


def staff_fields() -> dict[str, frozenset[str]]:
    """Each table's fields holding a member of staff's Slack user id (marked `SLACK_USER`
    in `storage/models.py`), by table name."""
    return {
        table.name: frozenset(column.name for column in table.c if column.info.get("slack_user"))
        for table in SQLModel.metadata.tables.values()
    }
