"""Reading a submitted modal's state, where every input's block_id and action_id are its field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from logging import Logger
from typing import Any, TypeVar

from slack_bolt import Ack
from sqlalchemy.exc import SQLAlchemyError

from bot.base.text import storable
from bot.base.validation import Invalid, record_id_in
from bot.people.permissions import Refused
from handlers.failures import nothing_recorded
from handlers.permissions import refused_modal

_T = TypeVar("_T")


class FormValues:
    """Typed access to `view.state.values`; a field left empty reads as None or []."""

    def __init__(self, view: dict[str, Any]) -> None:
        self._values: dict[str, dict[str, Any]] = view.get("state", {}).get("values", {})

    def _element(self, field: str) -> dict[str, Any]:
        return self._values.get(field, {}).get(field, {})

    def text(self, field: str) -> str | None:
        value = storable(self._element(field).get("value") or "")
        return value if value.strip() else None

    def day(self, field: str) -> date | None:
        value = self._element(field).get("selected_date")
        return _parsed(field, value, date.fromisoformat, "Choose a date.") if value else None

    def number(self, field: str) -> int | None:
        value = self._element(field).get("value")
        if value in (None, ""):
            return None
        return _parsed(field, str(value), int, "Enter a whole number.")

    # An option's value is one the bot offered, or (an organisation's) typed: either way
    # without a NUL, which PostgreSQL can't even be asked about.
    def choice(self, field: str) -> str | None:
        selected = self._element(field).get("selected_option")
        return storable(str(selected["value"])) if selected else None

    def choices(self, field: str) -> list[str]:
        selected = self._element(field).get("selected_options") or []
        return [storable(str(option["value"])) for option in selected]

    def checked(self, field: str) -> bool:
        return bool(self._element(field).get("selected_options"))

    def conversation(self, field: str) -> str | None:
        return self._element(field).get("selected_conversation")

    def users(self, field: str) -> list[str]:
        return list(self._element(field).get("selected_users") or [])

    def id_choice(self, field: str) -> int | None:
        value = self.choice(field)
        return _parsed(field, value, _record_id, "Choose from the list.") if value else None

    def id_choices(self, field: str) -> list[int]:
        return [
            _parsed(field, value, _record_id, "Choose from the list.")
            for value in self.choices(field)
        ]


def _record_id(value: str) -> int:
    """An option's record id; a value no list offers (too large to be one) is refused."""
    number = record_id_in(value)
    if number is None:
        raise ValueError(value)
    return number


def _parsed(field: str, value: str, parse: Callable[[str], _T], message: str) -> _T:
    try:
        return parse(value)
    except ValueError:
        raise Invalid({field: message}) from None


def save_form(
    ack: Ack,
    view: dict[str, Any],
    logger: Logger,
    save: Callable[[], _T],
    *,
    fallback_field: str,
) -> _T | None:
    """Run `save` for a submitted form. On bad input, or a database that fails, acknowledge
    with the errors on their fields (the form stays open with what was typed) and return
    None; an error about no field of this form shows on `fallback_field`. If `save` finds
    the person may not do this (`Refused`), the form turns into the reason."""
    fields = {block.get("block_id") for block in view.get("blocks", [])}
    try:
        return save()
    except Invalid as invalid:
        errors = {
            (field if field in fields else fallback_field): message
            for field, message in invalid.errors.items()
        }
        ack(response_action="errors", errors=errors)
    except Refused as refused:
        title = str(view.get("title", {}).get("text") or "engagebot")
        ack(response_action="update", view=refused_modal(title, refused.message))
    except SQLAlchemyError as error:  # a form's submission is told on its field instead
        logger.exception("saving the %s form failed", view.get("callback_id"))
        ack(response_action="errors", errors={fallback_field: nothing_recorded(error)})
    return None
