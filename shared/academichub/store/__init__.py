"""The store port and its adapters.

:mod:`.port` defines what the services need, one small protocol per part (papers,
radars, matches, briefings, ingest state, briefer state; :mod:`.facets` and
:mod:`.accounts` hold two more); :mod:`.memory` is the in-memory fake with state tests
can assert on; :mod:`.embedded` is the one-machine default (SQLite for records, tantivy
for full text); :mod:`.elastic` is the institution-scale adapter (Elasticsearch), tested
against recorded exchanges and, when ``ACADEMICHUB_TEST_ELASTICSEARCH_URL`` is set, a
live cluster. :mod:`.factory` opens the configured one; :mod:`.door` is how async code
reaches it.
"""
