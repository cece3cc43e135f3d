"""The ingestor's pure parts: no framework, no I/O of their own (an import contract holds it).

- :mod:`.normalise` — text, author, date and TeX rules that make a canonical paper;
- :mod:`.schedule` — when each source is polled next, and when arXiv's silence is expected;
- :mod:`.pages` — where each paged source's first page is and how to ask for the next;
- :mod:`.politeness` — at most one request at a time per host, and the gap between them.
"""
