"""The gateway's pure parts: no framework, no I/O of their own (an import contract holds it).

What a person reads and types, with no HTTP in it: papers and queries as they read
(:mod:`.presentation`, :mod:`.query_text`, :mod:`.search_hints`, :mod:`.meaning_query`),
the pages' words (:mod:`.i18n`, :mod:`.delivery_words`), feeds and citations
(:mod:`.atom`, :mod:`.bibtex`), seed papers as given (:mod:`.seeds`), page cursors
(:mod:`.cursors`), source freshness (:mod:`.freshness`), and who may do what
(:mod:`.principal`, :mod:`.owners`).
"""
