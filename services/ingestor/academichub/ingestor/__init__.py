"""The ingestor: fetches paper feeds, turns them into canonical papers, publishes ``papers``.

Pure domain code lives in :mod:`.domain` (normalisation, schedules, paging, politeness); the
feed formats (:mod:`.formats`, one parser per format, each turning the bytes of a document
into a :class:`~academichub.ingestor.formats.FeedParse`) do no I/O but stand on feedparser.
"""
