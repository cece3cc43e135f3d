"""Every feed format by the name the ingestor's source configuration uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from academichub.ingestor.formats.arxiv_atom import parse_arxiv_atom
from academichub.ingestor.formats.arxiv_oai import parse_arxiv_oai
from academichub.ingestor.formats.arxiv_rss import parse_arxiv_rss
from academichub.ingestor.formats.biorxiv_json import parse_biorxiv_json
from academichub.ingestor.formats.biorxiv_rss import parse_biorxiv_rss
from academichub.ingestor.formats.crossref_json import parse_crossref_json
from academichub.ingestor.formats.results import FeedParse
from academichub.ingestor.formats.rss import parse_rss

FORMATS: Final[dict[str, Callable[[bytes], FeedParse]]] = {
    "arxiv-rss": parse_arxiv_rss,
    "arxiv-atom": parse_arxiv_atom,
    "arxiv-oai": parse_arxiv_oai,
    "biorxiv-json": parse_biorxiv_json,
    "biorxiv-rss": parse_biorxiv_rss,
    "rss": parse_rss,
    "crossref-json": parse_crossref_json,
}
