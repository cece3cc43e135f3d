"""What a backfill is asked: checked before any request, with the problem named."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from academichub.ingestor.backfill import BackfillRequest, backfill_job
from academichub.ingestor.settings import IngestorSettings

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("request_", "problem"),
    [
        (BackfillRequest("arxiv"), "--from DATE is required"),
        (BackfillRequest("arxiv", dt.date(2026, 11, 5), dt.date(2026, 11, 1)), "is before --from"),
        (BackfillRequest("medrxiv", dt.date(2026, 12, 1)), "is in the future"),
        (BackfillRequest("biorxiv", dt.date(2026, 11, 1), set_spec="cs:cs:AI"), "--set applies"),
        (BackfillRequest("arxiv", ids=("2504.17830", "nonsense", "hep-th/99")), "nonsense"),
        (BackfillRequest("biorxiv", ids=("2504.17830",)), "--ids looks up arXiv ids"),
        (
            BackfillRequest("arxiv", dt.date(2026, 11, 1), ids=("2504.17830",)),
            "takes no --from",
        ),
    ],
)
def test_bad_requests_are_refused_with_the_problem_named(
    request_: BackfillRequest, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        request_.validate(TODAY)


def test_an_id_look_up_asks_the_api_for_exactly_those_ids() -> None:
    request = BackfillRequest("arxiv", ids=("arXiv:2504.17830v2", "math.GT/0309136"))
    request.validate(TODAY)
    job = backfill_job(request, IngestorSettings(), TODAY, None)
    query = parse_qs(urlsplit(job.first_url).query)
    assert query["id_list"] == ["2504.17830v2,math/0309136"]
    assert query["max_results"] == ["2"]
    same = BackfillRequest("arxiv", ids=("math.GT/0309136", "arXiv:2504.17830v2"))
    assert same.key() == request.key()  # one checkpoint whatever the order


def test_an_open_ended_biorxiv_backfill_resumes_the_window_it_started() -> None:
    request = BackfillRequest("biorxiv", dt.date(2026, 11, 1))
    started = "https://api.biorxiv.org/details/biorxiv/2026-11-01/2026-11-20/0/json"
    saved = {"first_url": started, "state": "running", "next_url": started}
    job = backfill_job(request, IngestorSettings(), TODAY, saved)
    assert job.first_url == started
    fresh = backfill_job(request, IngestorSettings(), TODAY, None)
    assert fresh.first_url.endswith("/2026-11-01/2026-11-24/0/json")
