"""Pure normalisation rules that turn feed fields into canonical paper fields.

One small module per concern; every function is pure and imports no I/O or parsing library:

* :mod:`.text` -- plain text from feed text (HTML stripped, entities decoded, whitespace collapsed)
* :mod:`.tex` -- TeX accents to Unicode, for names
* :mod:`.authors` -- author lists from arXiv's comma-joined creator string
* :mod:`.identifiers` -- arXiv ids (without version) and lower-cased DOIs
* :mod:`.announcement` -- the ``arXiv:… Announce Type: … Abstract:`` description prefix
* :mod:`.dates` -- announcement dates from RFC 822 / ISO 8601 strings
"""

from academichub.ingestor.normalise.announcement import (
    Announcement,
    UnrecognisedPrefix,
    parse_announcement,
)
from academichub.ingestor.normalise.authors import split_authors
from academichub.ingestor.normalise.dates import parse_feed_date
from academichub.ingestor.normalise.identifiers import (
    ArxivRef,
    doi_paper_id,
    normalise_doi,
    parse_arxiv_ref,
)
from academichub.ingestor.normalise.tex import decode_tex_accents
from academichub.ingestor.normalise.text import clean_text, collapse_whitespace, strip_tags

__all__ = [
    "Announcement",
    "ArxivRef",
    "UnrecognisedPrefix",
    "clean_text",
    "collapse_whitespace",
    "decode_tex_accents",
    "doi_paper_id",
    "normalise_doi",
    "parse_announcement",
    "parse_arxiv_ref",
    "parse_feed_date",
    "split_authors",
    "strip_tags",
]
