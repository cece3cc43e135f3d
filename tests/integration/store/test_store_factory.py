"""The store factory opens the configured adapter: the embedded store on disk, and
Elasticsearch failing loudly when nothing answers (moved from the unit tests: it opens
files and a connection)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_the_factory_opens_the_configured_store(tmp_path: Path) -> None:
    from academichub.platform.settings import CommonSettings
    from academichub.store.embedded import EmbeddedStore
    from academichub.store.factory import open_store

    embedded = open_store(CommonSettings(data_dir=tmp_path), index_writer=True)
    assert isinstance(embedded, EmbeddedStore)
    embedded.close()
    # Nothing listens on port 9; ensure_indices must fail loudly rather than fall back.
    with pytest.raises(Exception, match=r"(?i)connect|connection"):
        open_store(
            CommonSettings(store="elasticsearch", elasticsearch_url="http://127.0.0.1:9"),
            index_writer=False,
        )
