"""A small interpreter of the Elasticsearch query DSL subset the adapter sends.

No cluster runs here, so this reads queries the way Elasticsearch would, over documents
indexed with a given mapping: the analysis the mapping declares (whitespace tokens, the
tokenizer's maximum token length, the position gap between the values of a multi-valued
text field, ``ignore_above`` on keywords), typed comparisons (keywords as strings, longs
and doubles as numbers, ``date`` and ``date_nanos`` as instants) and BM25 scoring (k1 1.2,
b 0.75; norms and term frequencies as the mapping keeps them).

It refuses any query clause, option or field it does not know (:class:`Unsupported`), so
an adapter change that leaves the subset fails a test instead of being judged by a
too-kind interpreter. Querying a field the mapping does not declare is refused too, where
Elasticsearch would silently match nothing: that is always a bug here.

Used by ``tests/unit/store/test_elastic_query.py`` (the compiled radar queries agree with
the evaluator) and by :mod:`tests.support.fake_elasticsearch`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from academichub.store.elastic import mappings as f

K1: Final = 1.2
B: Final = 0.75
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SCALARS: Final = {"keyword", "long", "double", "boolean", "date", "date_nanos"}


class Unsupported(AssertionError):
    """A query, option or field outside what the interpreter (and the adapter) should use."""


@dataclass
class CorpusStats:
    """What BM25 needs of the searchable documents: per text field, how many documents have
    it, their average length, and how many contain each term."""

    docs: int = 0
    fields: dict[str, tuple[int, float]] = field(default_factory=dict)
    frequencies: dict[tuple[str, str], int] = field(default_factory=dict)


class DslInterpreter:
    """Decides whether an indexed document matches a query, and how it scores.

    ``mappings`` and ``index_settings`` are an index's creation body parts (the papers
    index by default).
    """

    def __init__(
        self,
        mappings: Mapping[str, Any] = f.PAPERS_MAPPINGS,
        index_settings: Mapping[str, Any] | None = f.PAPERS_SETTINGS,
    ) -> None:
        self.fields: Mapping[str, Any] = mappings["properties"]
        self.analysis: Mapping[str, Any] = (index_settings or {}).get("analysis", {})

    # -- analysis --
    def _mapping(self, name: str) -> Mapping[str, Any]:
        mapping = self.fields.get(name)
        if mapping is None:
            raise Unsupported(f"the query names {name!r}, which the mapping does not declare")
        if mapping.get("type") == "object":
            raise Unsupported(f"{name!r} is a stored-only object: it cannot be queried or sorted")
        declared: Mapping[str, Any] = mapping
        return declared

    def _split(self, text: str, analyzer: str) -> list[str]:
        definition = self.analysis["analyzer"][analyzer]
        if definition != {"type": "custom", "tokenizer": definition["tokenizer"]}:
            raise Unsupported(f"analyzer {definition}")
        tokenizer = self.analysis["tokenizer"][definition["tokenizer"]]
        if tokenizer["type"] != "whitespace":
            raise Unsupported(f"tokenizer {tokenizer}")
        longest = tokenizer.get("max_token_length", 255)
        tokens: list[str] = []
        for token in text.split():
            # The whitespace tokenizer cuts a longer token at max_token_length intervals.
            tokens.extend(token[i : i + longest] for i in range(0, len(token), longest))
        return tokens

    def positions(self, doc: Mapping[str, Any], name: str) -> list[list[str]]:
        """For a text field: the tokens of each value, in order (values never join)."""
        mapping = self._mapping(name)
        if mapping["type"] != "text":
            raise Unsupported(f"{name!r} is not a text field: {mapping}")
        # A phrase can never span two values as long as the gap is positive (default 100).
        if mapping.get("position_increment_gap", 100) <= 0:
            raise Unsupported(f"position_increment_gap of {name!r}")
        return [self._split(str(v), mapping["analyzer"]) for v in values(doc, name)]

    def terms(self, doc: Mapping[str, Any], name: str) -> list[Any]:
        """The indexed terms of a field: tokens of a text field, comparable keys otherwise
        (keyword strings within ``ignore_above``, numbers, instants)."""
        mapping = self._mapping(name)
        if mapping["type"] == "text":
            return [t for value in self.positions(doc, name) for t in value]
        limit = mapping.get("ignore_above")
        keys = []
        for value in values(doc, name):
            if mapping["type"] == "keyword" and limit is not None and len(str(value)) > limit:
                continue  # kept in _source, never indexed
            keys.append(self.key(name, value))
        return keys

    def key(self, name: str, value: Any) -> Any:
        """A value of a scalar field as Elasticsearch compares it."""
        mapping = self._mapping(name)
        kind = mapping["type"]
        if kind not in _SCALARS:
            raise Unsupported(f"comparing values of {name!r} ({kind})")
        if kind == "keyword":
            if not isinstance(value, str):
                raise Unsupported(f"a non-string value {value!r} for keyword {name!r}")
            return value
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            if value in ("true", "false"):
                return value == "true"
            raise Unsupported(f"{value!r} for boolean {name!r}")
        if kind in ("long", "double"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise Unsupported(f"{value!r} for {kind} {name!r}")
            return int(value) if kind == "long" else float(value)
        return instant_key(value, mapping)

    # -- queries --
    def check(self, query: Mapping[str, Any]) -> None:
        """Refuse a query outside the subset whatever the documents: every clause is
        read, where matching stops at the first that decides."""
        if len(query) == 1 and "bool" in query:
            spec = query["bool"]
            _options(spec, set(), {"must", "filter", "should", "must_not", "minimum_should_match"})
            for key in ("must", "filter", "should", "must_not"):
                for clause in _clauses(spec, key):
                    self.check(clause)
        elif len(query) == 1 and "constant_score" in query:
            spec = query["constant_score"]
            _options(spec, {"filter"}, {"boost"})
            self.check(spec["filter"])
        else:
            self.evaluate(query, {}, None)

    def matches(self, query: Mapping[str, Any], doc: Mapping[str, Any]) -> bool:
        return self.evaluate(query, doc, None) is not None

    def evaluate(
        self, query: Mapping[str, Any], doc: Mapping[str, Any], stats: CorpusStats | None
    ) -> float | None:
        """None if ``doc`` does not match, else its score (0.0 when ``stats`` is None)."""
        if len(query) != 1:
            raise Unsupported(f"a query must have exactly one clause: {query}")
        ((kind, spec),) = query.items()
        if kind == "match_all":
            _options(spec, set(), {"boost"})
            return float(spec.get("boost", 1.0))
        if kind == "match_none":
            _options(spec, set(), set())
            return None
        if kind == "bool":
            return self._bool(spec, doc, stats)
        if kind == "constant_score":
            _options(spec, {"filter"}, {"boost"})
            if self.evaluate(spec["filter"], doc, None) is None:
                return None
            return float(spec.get("boost", 1.0))
        if kind == "exists":
            _options(spec, {"field"}, set())
            return 1.0 if self.terms(doc, spec["field"]) else None
        if kind == "terms":
            boost = float(spec.get("boost", 1.0))
            named = [k for k in spec if k != "boost"]
            if len(named) != 1 or not isinstance(spec[named[0]], list):
                raise Unsupported(f"terms {spec}")
            name = named[0]
            wanted = {self._query_value(name, v) for v in spec[name]}
            return boost if wanted & set(self.terms(doc, name)) else None
        if kind == "range":
            return self._range(spec, doc)
        if not isinstance(spec, Mapping) or len(spec) != 1:
            raise Unsupported(f"{kind} {spec}")
        ((name, options),) = spec.items()
        if kind == "term":
            value, boost = _value_and_boost(options, "value")
            wanted = self._query_value(name, value)
            found = self.terms(doc, name)
            if wanted not in found:
                return None
            return self._bm25(name, [str(wanted)], found.count(wanted), doc, stats) * boost
        if kind == "prefix":
            value, boost = _value_and_boost(options, "value")
            mapping = self._mapping(name)
            if mapping["type"] not in ("keyword", "text"):
                raise Unsupported(f"prefix on {mapping['type']} {name!r}")
            hit = any(str(t).startswith(value) for t in self.terms(doc, name))
            return boost if hit else None  # prefix queries score a constant
        if kind == "match_phrase":
            text, boost = _value_and_boost(options, "query")
            words = self._split(text, self._mapping(name)["analyzer"])
            if not words:  # zero_terms_query defaults to "none"
                return None
            n = len(words)
            occurrences = sum(
                value[i : i + n] == words
                for value in self.positions(doc, name)
                for i in range(len(value) - n + 1)
            )
            if not occurrences:
                return None
            return self._bm25(name, words, occurrences, doc, stats) * boost
        raise Unsupported(f"the interpreter does not know the query {kind!r}: {query}")

    def _query_value(self, name: str, value: Any) -> Any:
        if self._mapping(name)["type"] == "text":
            if not isinstance(value, str):
                raise Unsupported(f"a non-string term {value!r} for text field {name!r}")
            return value  # a term query is never analysed
        return self.key(name, value)

    def _range(self, spec: Any, doc: Mapping[str, Any]) -> float | None:
        if not isinstance(spec, Mapping) or len(spec) != 1:
            raise Unsupported(f"range {spec}")
        ((name, bounds),) = spec.items()
        _options(bounds, set(), {"gt", "gte", "lt", "lte", "boost"})
        if not set(bounds) - {"boost"}:
            raise Unsupported(f"a range without bounds: {spec}")
        if self._mapping(name)["type"] == "text":
            raise Unsupported(f"range on text field {name!r}")
        bounded = {
            op: self.key(name, bounds[op]) for op in ("gt", "gte", "lt", "lte") if op in bounds
        }
        checks = {
            "gt": lambda v, b: v > b,
            "gte": lambda v, b: v >= b,
            "lt": lambda v, b: v < b,
            "lte": lambda v, b: v <= b,
        }
        for value in self.terms(doc, name):
            if all(checks[op](value, bound) for op, bound in bounded.items()):
                return float(bounds.get("boost", 1.0))
        return None

    def _bool(
        self, spec: Mapping[str, Any], doc: Mapping[str, Any], stats: CorpusStats | None
    ) -> float | None:
        _options(spec, set(), {"must", "filter", "should", "must_not", "minimum_should_match"})
        must = _clauses(spec, "must")
        filters = _clauses(spec, "filter")
        should = _clauses(spec, "should")
        score = 0.0
        for clause in must:
            found = self.evaluate(clause, doc, stats)
            if found is None:
                return None
            score += found
        if any(self.evaluate(q, doc, None) is None for q in filters):
            return None
        if any(self.evaluate(q, doc, None) is not None for q in _clauses(spec, "must_not")):
            return None
        scored = [s for s in (self.evaluate(q, doc, stats) for q in should) if s is not None]
        # Elasticsearch: with no must/filter clause at least one should clause must match.
        required = int(spec.get("minimum_should_match", 0 if must or filters or not should else 1))
        if len(scored) < required:
            return None
        return score + sum(scored)

    def _bm25(
        self,
        name: str,
        words: Sequence[str],
        frequency: int,
        doc: Mapping[str, Any],
        stats: CorpusStats | None,
    ) -> float:
        if stats is None:
            return 0.0
        mapping = self._mapping(name)
        count, average = stats.fields.get(name, (stats.docs, 1.0))
        idf = sum(
            math.log(
                1
                + (count - stats.frequencies.get((name, w), 0) + 0.5)
                / (stats.frequencies.get((name, w), 0) + 0.5)
            )
            for w in words
        )
        if mapping.get("index_options") == "docs" or mapping["type"] == "keyword":
            frequency = 1
        if mapping.get("norms", mapping["type"] == "text"):
            length = len(self.terms(doc, name))
            norm = 1 - B + B * length / average if average else 1.0
        else:
            norm = 1.0
        return idf * frequency / (frequency + K1 * norm)

    def stats(self, docs: Sequence[Mapping[str, Any]]) -> CorpusStats:
        """The BM25 statistics of the text fields over ``docs``."""
        corpus = CorpusStats(docs=len(docs))
        for name, mapping in self.fields.items():
            if mapping.get("type") != "text":
                continue
            lengths = []
            for doc in docs:
                tokens = self.terms(doc, name)
                if not tokens:
                    continue
                lengths.append(len(tokens))
                for token in set(tokens):
                    corpus.frequencies[(name, token)] = corpus.frequencies.get((name, token), 0) + 1
            if lengths:
                corpus.fields[name] = (len(lengths), sum(lengths) / len(lengths))
        return corpus


def values(doc: Mapping[str, Any], name: str) -> list[Any]:
    value = doc.get(name)
    if value is None:
        return []
    return [v for v in value if v is not None] if isinstance(value, list) else [value]


def instant_key(value: Any, mapping: Mapping[str, Any]) -> int:
    """A ``date`` as epoch milliseconds, a ``date_nanos`` as epoch nanoseconds."""
    nanos = mapping["type"] == "date_nanos"
    if isinstance(value, int) and not isinstance(value, bool):
        return value * 1_000_000 if nanos else value  # epoch_millis
    if not isinstance(value, str):
        raise Unsupported(f"{value!r} is not a date")
    fmt = mapping.get("format")
    if fmt == "strict_date":
        day = dt.date.fromisoformat(value)  # YYYY-MM-DD only
        if len(value) != 10:
            raise Unsupported(f"{value!r} is not a strict_date")
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    elif fmt is None:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
    else:
        raise Unsupported(f"date format {fmt!r}")
    delta = moment - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return micros * 1000 if nanos else micros // 1000


def _clauses(spec: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    found = spec.get(key, [])
    return list(found) if isinstance(found, list) else [found]


def _options(spec: Any, required: set[str], optional: set[str]) -> None:
    if not isinstance(spec, Mapping):
        raise Unsupported(f"expected an object, got {spec!r}")
    keys = set(spec)
    if not required <= keys or not keys <= required | optional:
        raise Unsupported(
            f"options {sorted(keys)}: expected {sorted(required)} + {sorted(optional)}"
        )


def _value_and_boost(options: Any, key: str) -> tuple[Any, float]:
    """``{"field": value}`` or ``{"field": {"value": ..., "boost": ...}}``."""
    if not isinstance(options, Mapping):
        return options, 1.0
    _options(options, {key}, {"boost"})
    return options[key], float(options.get("boost", 1.0))
