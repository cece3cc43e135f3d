"""Pure normalisation rules that turn feed fields into canonical paper fields.

One small module per concern; every function is pure and imports no I/O or parsing library:

* :mod:`.text` -- plain text from feed text (HTML stripped, entities decoded, whitespace collapsed)
* :mod:`.tex` -- TeX accents and letters to Unicode outside math, for every text field
* :mod:`.authors` -- author lists from arXiv's comma-joined creator string
* :mod:`.identifiers` -- arXiv ids (without version) and lower-cased DOIs
* :mod:`.announcement` -- the ``arXiv:… Announce Type: … Abstract:`` description prefix
* :mod:`.dates` -- announcement dates from RFC 822 / ISO 8601 strings, and partial dates
* :mod:`.abstracts` -- JATS abstracts: Crossref's XML strings, bioRxiv's flattened tokens
* :mod:`.sources` -- ``journal:<slug>`` and preprint-server sources
* :mod:`.citation` -- a journal reference from volume/issue/pages
"""

from academichub.contracts.identifiers import (
    ArxivRef,
    doi_from_identifier,
    doi_paper_id,
    normalise_doi,
    parse_arxiv_ref,
)
from academichub.ingestor.domain.normalise.abstracts import (
    clean_flattened_abstract,
    clean_jats_abstract,
)
from academichub.ingestor.domain.normalise.announcement import (
    Announcement,
    UnrecognisedPrefix,
    parse_announcement,
)
from academichub.ingestor.domain.normalise.authors import (
    clean_name,
    forenames_first,
    split_authors,
    split_semicolon_authors,
    split_surname_initials,
)
from academichub.ingestor.domain.normalise.citation import journal_reference
from academichub.ingestor.domain.normalise.dates import (
    date_from_parts,
    parse_feed_date,
    parse_partial_date,
)
from academichub.ingestor.domain.normalise.sources import (
    PreprintServer,
    journal_slug,
    journal_source,
    preprint_server,
)
from academichub.ingestor.domain.normalise.text import (
    clean_text,
    clean_text_or_none,
    collapse_whitespace,
    strip_tags,
)
from academichub.tex import (
    decode_tex_accents,
    decode_tex_name,
    decode_tex_paper,
)

__all__ = [
    "Announcement",
    "ArxivRef",
    "PreprintServer",
    "UnrecognisedPrefix",
    "clean_flattened_abstract",
    "clean_jats_abstract",
    "clean_name",
    "clean_text",
    "clean_text_or_none",
    "collapse_whitespace",
    "date_from_parts",
    "decode_tex_accents",
    "decode_tex_name",
    "decode_tex_paper",
    "doi_from_identifier",
    "doi_paper_id",
    "forenames_first",
    "journal_reference",
    "journal_slug",
    "journal_source",
    "normalise_doi",
    "parse_announcement",
    "parse_arxiv_ref",
    "parse_feed_date",
    "parse_partial_date",
    "preprint_server",
    "split_authors",
    "split_semicolon_authors",
    "split_surname_initials",
    "strip_tags",
]
