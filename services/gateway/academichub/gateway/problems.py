"""What was wrong with a request, in words for people: the parameter named, in their language.

Pydantic reports each bad input as a location (``("query", "page")``) and an error type
with its context (``greater_than_equal``, ``{"ge": 1}``). The JSON API keeps pydantic's
English message beside the location; a page shown to a person says the same thing in
the page's language, naming the field as the form labels it. Pure: no framework.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from academichub.gateway.domain.i18n import Translator

# Where an input was, as the JSON API names it ("query parameter 'limit'").
_KIND: Final = {"query": "query parameter", "path": "path parameter", "body": "body field"}

# Inputs a person fills in on our pages, named as the pages label them (other names are
# API parameters and are shown as written).
_LABELS: Final = {
    "name": "radars.name",
    "query": "radars.query",
    "q": "radars.query",
    "page": "field.page",
    "from": "field.from",
    "to": "field.to",
    "hour": "schedule.hour",
    "weekday": "schedule.weekday",
    "timezone": "schedule.timezone",
    "n": "schedule.n",
    "kind": "schedule.kind",
    "language": "radars.language",
}

# Pydantic error types → the catalogue entry that says what was wanted.
_WANTED: Final = {
    "missing": "problem.missing",
    "int_parsing": "problem.integer",
    "int_type": "problem.integer",
    "int_from_float": "problem.integer",
    "float_parsing": "problem.number",
    "bool_parsing": "problem.boolean",
    "date_parsing": "problem.date",
    "date_from_datetime_parsing": "problem.date",
    "date_from_datetime_inexact": "problem.date",
    "datetime_parsing": "problem.datetime",
    "datetime_from_date_parsing": "problem.datetime",
    "timezone_aware": "problem.datetime",
    "greater_than_equal": "problem.at_least",
    "greater_than": "problem.more_than",
    "less_than_equal": "problem.at_most",
    "less_than": "problem.less_than",
    "string_too_short": "problem.too_short",
    "string_too_long": "problem.too_long",
    "string_pattern_mismatch": "problem.pattern",
    "literal_error": "problem.one_of",
    "enum": "problem.one_of",
    "extra_forbidden": "problem.unknown_field",
    # raised by routes (parameter_problem)
    "after": "problem.after",
    "cursor": "problem.cursor",
}


@dataclass(frozen=True)
class Problem:
    """One bad input: where (``query parameter 'page'``) and what was wrong, in English."""

    location: str
    message: str
    field: str  # the bare name ("page", "schedule.hour"); "" for the request as a whole
    kind: str  # pydantic's error type, or ours
    context: Mapping[str, Any]

    def as_json(self) -> dict[str, str]:
        return {"location": self.location, "message": self.message}


def problem_from(error: Mapping[str, Any]) -> Problem:
    """A pydantic error (one of ``RequestValidationError.errors()``) as a :class:`Problem`."""
    where, *rest = [str(part) for part in error.get("loc", ())] or ["request"]
    field = ".".join(rest)
    kind = _KIND.get(where, where)
    location = f"{kind} '{field}'" if field else kind
    return Problem(
        location=location,
        message=str(error.get("msg", "invalid")),
        field=field,
        kind=str(error.get("type", "")),
        context=dict(error.get("ctx") or {}),
    )


def parameter_problem(name: str, message: str, kind: str = "invalid", **context: Any) -> Problem:
    """A problem with query parameter ``name`` found by a route, not by pydantic."""
    return Problem(f"query parameter '{name}'", message, name, kind, context)


def field_label(field: str, t: Translator) -> str:
    """The name a person knows the field by: the form's label, else the parameter name."""
    last = field.rsplit(".", 1)[-1]
    key = _LABELS.get(last)
    return t(key) if key else field


def describe(problem: Problem, t: Translator) -> str:
    """``页码：应不小于 1`` / ``Page: must be at least 1``."""
    key = _WANTED.get(problem.kind)
    context = {k: _shown(v) for k, v in problem.context.items()}
    if key is None:
        wanted = t("problem.invalid")
    else:
        try:
            wanted = t(key, **context)
        except KeyError:  # a context value our sentence needs is not there
            wanted = t("problem.invalid")
    if not problem.field:
        return wanted
    return t("problem.line", field=field_label(problem.field, t), wanted=wanted)


def describe_all(problems: Sequence[Problem], t: Translator) -> list[str]:
    return [describe(p, t) for p in problems]


def _shown(value: Any) -> str:
    # Pydantic's context holds the bound itself (a date stays a date): show it as written.
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)
