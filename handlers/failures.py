"""A database that fails, told to the person: the one place that turns `SQLAlchemyError`
into what they see. A listener (or the subcommand runner, or the helper doing its work)
says how its failure is told, once, with `@when_the_database_fails(...)`: the failure ends
it, is logged with its traceback, and the person gets the words below; the database's own
detail stays in the log.

How it is told depends on what failed (the names are the decorated function's parameters):

- `Notice(text)`: a message (by default, that nothing was recorded), to `call.respond` for
  a subcommand, else to `respond` (beside the message clicked, which stays);
- `HandBack()`: the subcommand's typed text given back whole with "Nothing was recorded",
  so that nothing typed is lost;
- `FormProblem(title, text)`: a modal saying so, opened on the request's `trigger_id`;
- `HomeProblem(text)`: the Home tab saying so;
- `NoOptions()`: a type-ahead menu with nothing to offer.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from handlers.views.entries import handed_back_message, notice_message, problem_modal
from handlers.views.home import home_problem_view

# What the person is told, by what failed; `{error}` is the kind of failure (OperationalError).
NOT_ANSWERING = "the database is not answering"
NOTHING_RECORDED = (
    "Nothing was recorded: the database could not save it ({error}). Please try again in a minute."
)
NOTHING_DELETED = "Nothing was deleted: the database could not do it ({error})."
NOTHING_CHANGED = f"Nothing was changed: {NOT_ANSWERING}. Please try again in a minute."
NOTHING_SENT = f"Nothing was sent: {NOT_ANSWERING}."
TRY_AGAIN = "The database is not answering: please try again in a minute."
NO_ANSWER = f"I can't answer that now: {NOT_ANSWERING}. Please try again in a minute."
LIST_DOWN = f"The list can't be shown: {NOT_ANSWERING}."
USERS_MAP_DOWN = f"The users map can't be shown: {NOT_ANSWERING}."
REVIEW_DOWN = f"The review can't be made now: {NOT_ANSWERING}."
HOME_DOWN = f"Your entries can't be shown: {NOT_ANSWERING}."
FORM_DOWN = f"The form can't be opened: {NOT_ANSWERING}."
FORM_DOWN_TRY_AGAIN = f"{FORM_DOWN} Please try again."
FORM_DOWN_IN_A_MINUTE = f"{FORM_DOWN} Please try again in a minute."

P = ParamSpec("P")
T = TypeVar("T")
Arguments = dict[str, Any]


def nothing_recorded(error: SQLAlchemyError) -> str:
    """Why a save failed, for the person: the database detail stays in the log."""
    return NOTHING_RECORDED.format(error=type(error).__name__)


class Telling(Protocol):
    def tell(self, error: SQLAlchemyError, arguments: Arguments) -> None: ...


@dataclass(frozen=True)
class Notice:
    text: str = NOTHING_RECORDED

    def tell(self, error: SQLAlchemyError, arguments: Arguments) -> None:
        message = notice_message(f":warning: {self.text.format(error=type(error).__name__)}")
        if "call" in arguments:
            arguments["call"].respond(**message)
        else:
            arguments["respond"](**message, replace_original=False)


@dataclass(frozen=True)
class HandBack:
    def tell(self, error: SQLAlchemyError, arguments: Arguments) -> None:
        call = arguments["call"]
        call.respond(**handed_back_message(nothing_recorded(error), call.args))


@dataclass(frozen=True)
class FormProblem:
    """`title` None: the label of the entry kind whose flows (`self`) failed."""

    title: str | None
    text: str = FORM_DOWN

    def tell(self, error: SQLAlchemyError, arguments: Arguments) -> None:
        title = self.title or arguments["self"].kind.label
        arguments["client"].views_open(
            trigger_id=_trigger_id(arguments), view=problem_modal(title, self.text)
        )


@dataclass(frozen=True)
class HomeProblem:
    text: str = HOME_DOWN

    def tell(self, error: SQLAlchemyError, arguments: Arguments) -> None:
        view = home_problem_view(self.text)
        arguments["client"].views_publish(user_id=arguments["user_id"], view=view)


@dataclass(frozen=True)
class NoOptions:
    def tell(self, error: SQLAlchemyError, arguments: Arguments) -> None:
        arguments["ack"](options=[])


def _trigger_id(arguments: Arguments) -> str:
    if "trigger_id" in arguments:
        return arguments["trigger_id"]
    if "call" in arguments:
        return arguments["call"].command["trigger_id"]
    return arguments["body"]["trigger_id"]


def when_the_database_fails(
    telling: Telling,
) -> Callable[[Callable[P, T]], Callable[P, T | None]]:
    """Decorate a listener, or what does its work: a `SQLAlchemyError` it raises ends it
    (returning None), logged, and is told to the person as `telling` says. Bolt still sees
    the listener's own parameters (`functools.wraps` keeps them: Bolt passes arguments by
    their names)."""

    def decorate(listener: Callable[P, T]) -> Callable[P, T | None]:
        signature = inspect.signature(listener)

        @functools.wraps(listener)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> T | None:
            try:
                return listener(*args, **kwargs)
            except SQLAlchemyError as error:
                arguments = signature.bind(*args, **kwargs).arguments
                logger = arguments["call"].logger if "call" in arguments else arguments["logger"]
                logger.exception("%s: the database failed", listener.__qualname__)
                telling.tell(error, arguments)
                return None

        return guarded

    return decorate
