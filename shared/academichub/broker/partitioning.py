"""Which partition the producer gives a key: Kafka's default partitioner (murmur2 of the
key's bytes, as aiokafka and the Java client compute it), so that an event grouping several
keys can be built for the partition each of them would land on alone."""

from __future__ import annotations

from aiokafka.partitioner import murmur2


class KeyPartitions:
    """The partition of each key among ``count``, remembered (murmur2 is pure Python,
    ~5 µs a key, and the matcher meets the same radar ids batch after batch)."""

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError(f"a topic has at least one partition, not {count}")
        self.count = count
        self._known: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = (murmur2(key.encode("utf-8")) & 0x7FFFFFFF) % self.count
        return found
