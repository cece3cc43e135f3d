"""The embedded store: SQLite records plus a tantivy full-text index, for one machine.

:class:`EmbeddedStore` implements :class:`academichub.store.port.Store`; exactly one
process (the matcher) opens it with ``index_writer=True``.
"""

from academichub.store.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
