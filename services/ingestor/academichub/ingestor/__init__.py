"""The ingestor: fetches paper feeds, turns them into canonical papers, publishes ``papers``.

Pure domain code lives in :mod:`academichub.ingestor.normalise` (text, author, identifier and
date rules) and :mod:`academichub.ingestor.formats` (one parser per feed format, each turning
the bytes of a document into a :class:`~academichub.ingestor.formats.FeedParse`).
"""
