"""The store port and its adapters.

:mod:`.port` defines what the services need; :mod:`.memory` is the in-memory fake
with state tests can assert on; :mod:`.embedded` is the one-machine default
(SQLite for records, tantivy for full text); :mod:`.elastic` is the institution-scale
adapter (Elasticsearch), tested against recorded exchanges and, when
``ACADEMICHUB_TEST_ELASTICSEARCH_URL`` is set, a live cluster.
"""
