"""The sources an installation follows out of the box, named once for every service.

The ingestor polls them (its ``INGESTOR_FEEDS`` default); the gateway reports on them
(``GATEWAY_SOURCES`` default). Feed URLs are the publishers' own, as of 2026.
"""

from __future__ import annotations

from typing import Final

ARXIV_DEFAULT_CATEGORIES: Final = ("cs.AI", "cs.CL", "cs.CV", "cs.LG", "quant-ph")
PREPRINT_SERVERS: Final = ("medrxiv", "biorxiv")

# Tables of contents of major journals.
DEFAULT_JOURNALS: Final[tuple[tuple[str, str], ...]] = (
    ("nature", "https://www.nature.com/nature.rss"),
    ("science", "https://www.science.org/action/showFeed?type=etoc&feed=rss&jc=science"),
    ("cell", "https://www.cell.com/cell/current.rss"),
    ("pnas", "https://www.pnas.org/action/showFeed?type=etoc&feed=rss&jc=pnas"),
    ("prl", "https://feeds.aps.org/rss/recent/prl.xml"),
    ("lancet", "https://www.thelancet.com/rssfeed/lancet_current.xml"),
    ("nejm", "https://www.nejm.org/action/showFeed?jc=nejm&type=etoc&feed=rss"),
    ("jama", "https://jamanetwork.com/rss/site_3/67.xml"),
    ("nature-communications", "https://www.nature.com/ncomms.rss"),
)

DEFAULT_SOURCE_NAMES: Final[tuple[str, ...]] = (
    "arxiv",
    *PREPRINT_SERVERS,
    *(f"journal:{slug}" for slug, _ in DEFAULT_JOURNALS),
)
