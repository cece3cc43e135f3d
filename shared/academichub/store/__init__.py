"""The store port and its adapters.

:mod:`.port` defines what the services need; :mod:`.memory` is the in-memory fake
with state tests can assert on; :mod:`.embedded` is the one-machine default
(SQLite for records, tantivy for full text). An Elasticsearch adapter joins later.
"""
