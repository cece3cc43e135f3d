"""Query parameters several routes share, with the bounds the store can honour.

Dates: the full-text index keeps dates as 64-bit nanoseconds (1677-09-22 … 2262-04-11);
outside that a search cannot even be asked. The API takes 1700-01-01 … 2199-12-31 and
refuses anything else with a 422 naming the parameter, instead of failing inside the
store. The pattern repeats the year range in the OpenAPI document, where JSON Schema has
no minimum for dates.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Final

from fastapi import Query
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

EARLIEST_DATE: Final = dt.date(1700, 1, 1)
LATEST_DATE: Final = dt.date(2199, 12, 31)
_DATE_PATTERN: Final = r"^(1[7-9]|2[01])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_DATE_HELP: Final = f"A date, {EARLIEST_DATE} … {LATEST_DATE}"
# Cursors are base64url (see cursors.py): anything else was not issued by us.
CURSOR_PATTERN: Final = r"^[A-Za-z0-9_-]+$"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_text(value: object) -> object:
    # Pydantic would read "0" as 1970-01-01 (seconds since the epoch): only YYYY-MM-DD
    # is a date here.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_parsing", "Input should be a date, YYYY-MM-DD")
    return value


def _blank_is_none(value: object) -> object:
    # A form's date input left blank sends "from=": on a page that means no date.
    return None if value == "" else _iso_date_text(value)


BoundedDate = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


def _date(alias: str, what: str) -> Any:
    return Query(
        alias=alias,
        description=f"{what}. {_DATE_HELP}",
        json_schema_extra={"pattern": _DATE_PATTERN},
    )


_FROM, _TO = "Published on or after", "Published on or before"
# The API's: a blank value is a mistake, refused naming the parameter.
PublishedFrom = Annotated[BoundedDate | None, BeforeValidator(_iso_date_text), _date("from", _FROM)]
PublishedTo = Annotated[BoundedDate | None, BeforeValidator(_iso_date_text), _date("to", _TO)]
# The home page's form: a blank date input is no date.
PageFrom = Annotated[BoundedDate | None, BeforeValidator(_blank_is_none), _date("from", _FROM)]
PageTo = Annotated[BoundedDate | None, BeforeValidator(_blank_is_none), _date("to", _TO)]
