"""A hand-written in-process Elasticsearch, behind the real client's transport.

No cluster can run here. The recorded exchanges (``tests/unit/store/test_elastic_replay.py``)
pin the exact requests of single scenarios; this fake lets the *contract suites* (the same
tests the in-memory and embedded stores pass) run against the Elasticsearch adapter. The
real :class:`elasticsearch.Elasticsearch` client runs unchanged down to its transport; only
the node, the object that would open a socket, is :class:`FakeNode`, which answers from
:class:`FakeElasticsearch`'s state.

What it implements is what the adapter sends, written from the REST API documentation:

* indices: create (mappings validated: ``dynamic: strict``, the field types and options the
  adapter uses), exists, alias exists, put mapping (new fields only), refresh, delete;
* documents: index (external versions, ``if_seq_no``/``if_primary_term``), create (409 if
  it exists), get, mget, delete, update (partial ``doc`` merged recursively, ``upsert``, the
  one increment script ``ctx._source.<f> += params.<p>``, conditional writes, noop
  detection), bulk (index/create/update/delete items, ``require_alias``), delete by query;
* search and count: the query subset of :mod:`tests.support.elastic_dsl` with BM25
  scores, the top-level ``knn`` search over ``dense_vector`` fields (exact, ``dot_product``
  on unit vectors, ``filter``, ``k`` and ``num_candidates`` checked as documented), sort
  (missing values last, text fields refused), ``from``/``size`` (default 10, window
  10000), ``search_after``, ``_source`` filtering, ``track_total_hits`` (no ``total``
  when false), ``track_scores``, ``terms`` aggregations.

It is as strict as a cluster where a cluster is strict (a document with an undeclared field,
a wrong value type, a stale version, a missing index: the documented error answers) and
stricter where a cluster would quietly do the wrong thing: an unknown parameter, body key,
query clause or queried field raises :class:`Unsupported` (an ``AssertionError``, so it is
never mistaken for an Elasticsearch error); every such refusal is also kept, and
:meth:`FakeElasticsearch.assert_clean` fails a test that swallowed one.

Searches are near-real-time as in Elasticsearch: a search, count or delete-by-query sees
the documents as of the index's last refresh (``refresh=true``/``wait_for`` on a write,
or ``_refresh``); gets are real-time. Nothing is ever refreshed on a timer, so a missing
refresh shows as a failing test instead of a race.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final
from urllib.parse import parse_qsl, unquote, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType
from elasticsearch import Elasticsearch

from tests.support.elastic_dsl import CorpusStats, DslInterpreter, Unsupported

RESPONSE_HEADERS: Final = {
    "content-type": "application/vnd.elasticsearch+json;compatible-with=9",
    "x-elastic-product": "Elasticsearch",
}
MAX_RESULT_WINDOW: Final = 10_000
_SHARDS: Final = {"total": 1, "successful": 1, "failed": 0}
_INCREMENT: Final = re.compile(r"ctx\._source\.(\w+) \+= params\.(\w+)")
_FIELD_OPTIONS: Final[Mapping[str, frozenset[str]]] = {
    "keyword": frozenset({"ignore_above"}),
    "text": frozenset({"analyzer", "index_options", "norms", "position_increment_gap"}),
    "long": frozenset(),
    "double": frozenset(),
    "boolean": frozenset(),
    "date": frozenset({"format"}),
    "date_nanos": frozenset(),
    "object": frozenset({"enabled"}),
    "binary": frozenset(),
    "dense_vector": frozenset({"dims", "index", "similarity", "index_options", "element_type"}),
}
MAX_DIMS: Final = 4096
MAX_NUM_CANDIDATES: Final = 10_000
# Elasticsearch refuses a float vector for dot_product whose squared length is off 1 by more.
UNIT_TOLERANCE: Final = 1e-4

Json = dict[str, Any]


class ApiFailure(Exception):
    """An error answer, as Elasticsearch would give it."""

    def __init__(self, status: int, kind: str, reason: str, **extra: Any) -> None:
        super().__init__(reason)
        self.status = status
        self.body: Json = {
            "error": {
                "root_cause": [{"type": kind, "reason": reason, **extra}],
                "type": kind,
                "reason": reason,
                **extra,
            },
            "status": status,
        }


def _missing_index(name: str) -> ApiFailure:
    return ApiFailure(
        404,
        "index_not_found_exception",
        f"no such index [{name}]",
        index=name,
        **{"resource.type": "index_or_alias", "resource.id": name},
    )


def _conflict(index: str, doc_id: str, reason: str) -> ApiFailure:
    return ApiFailure(
        409,
        "version_conflict_engine_exception",
        f"[{doc_id}]: version conflict, {reason}",
        index=index,
        shard="0",
    )


@dataclass
class StoredDoc:
    source: Json
    version: int
    seq_no: int
    primary_term: int = 1


@dataclass
class FakeIndex:
    name: str
    properties: dict[str, Any]
    settings: Json
    docs: dict[str, StoredDoc] = field(default_factory=dict)
    searchable: dict[str, StoredDoc] = field(default_factory=dict)
    next_seq_no: int = 0

    @property
    def dsl(self) -> DslInterpreter:
        return DslInterpreter({"properties": self.properties}, self.settings)

    def refresh(self) -> None:
        self.searchable = dict(self.docs)

    def validate(self, source: Json) -> None:
        """Refuse a document as a strict mapping does."""
        for name, value in source.items():
            mapping = self.properties.get(name)
            if mapping is None:
                raise ApiFailure(
                    400,
                    "strict_dynamic_mapping_exception",
                    f"[1:1] mapping set to strict, dynamic introduction of [{name}] within "
                    "[_doc] is not allowed",
                )
            try:
                _check_value(name, value, mapping, self.dsl)
            except (ValueError, Unsupported) as exc:
                raise ApiFailure(
                    400,
                    "document_parsing_exception",
                    f"[1:1] failed to parse field [{name}] of type [{mapping['type']}]: {exc}",
                ) from None

    def write(self, doc_id: str, source: Json, version: int) -> StoredDoc:
        self.validate(source)
        self.next_seq_no += 1
        stored = StoredDoc(copy.deepcopy(source), version, self.next_seq_no)
        self.docs[doc_id] = stored
        return stored


def _check_value(name: str, value: Any, mapping: Mapping[str, Any], dsl: DslInterpreter) -> None:
    kind = mapping["type"]
    if value is None:
        return
    if kind == "dense_vector":
        _check_vector(name, value, mapping)
        return
    if kind == "object":
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(i, dict) for i in items):
            raise ValueError(f"an object field holds {value!r}")
        return
    if kind == "binary":  # Base64, stored in _source only (not searchable)
        if not isinstance(value, str):
            raise ValueError(f"a binary field holds {value!r}")
        base64.b64decode(value, validate=True)
        return
    items = value if isinstance(value, list) else [value]
    for item in items:
        if item is None:
            continue
        if kind == "text":
            if not isinstance(item, str):
                raise ValueError(f"{item!r} is not text")
        else:
            dsl.key(name, item)


class FakeElasticsearch:
    """The cluster's state, and the requests it was sent (``requests``, for assertions)."""

    def __init__(self) -> None:
        self.indices: dict[str, FakeIndex] = {}
        self.aliases: dict[str, str] = {}  # alias -> its one (write) index
        self.requests: list[tuple[str, str]] = []
        self.refusals: list[str] = []
        self._lock = threading.RLock()

    def client(self) -> Elasticsearch:
        """A real client whose every request this fake answers (only 127.0.0.1 appears,
        and nothing is ever connected to)."""
        cluster = self

        class Node(FakeNode):
            fake = cluster

        return Elasticsearch("http://127.0.0.1:9200", node_class=Node)

    def assert_clean(self) -> None:
        assert not self.refusals, "the fake refused requests:\n" + "\n".join(self.refusals)

    def documents(self, index: str) -> dict[str, Json]:
        """Every document of ``index`` (or of the alias's index) now, by id."""
        return {i: d.source for i, d in self._index(index).docs.items()}

    # --- the transport's entry point ----------------------------------------------
    def answer(
        self, method: str, target: str, body: bytes | None, headers: HttpHeaders | None
    ) -> tuple[int, Json | None]:
        url = urlsplit(target)
        segments = [unquote(s) for s in url.path.split("/")[1:]]
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        payload = _decode(body, headers)
        with self._lock:
            self.requests.append((method, url.path))
            try:
                return 200, self._route(method, segments, params, payload)
            except ApiFailure as failure:
                return failure.status, failure.body
            except _Answer as answer:
                return answer.status, answer.body
            except Unsupported as exc:
                message = f"{method} {target}: {exc}"
                self.refusals.append(message)
                raise Unsupported(message) from None

    # --- routing --------------------------------------------------------------------
    def _route(
        self, method: str, path: list[str], params: dict[str, str], body: Any
    ) -> Json | None:
        head, rest = path[0], path[1:]
        if head == "_bulk" and not rest and method in ("PUT", "POST"):
            _params(params, {"refresh"})
            return self._bulk(body, params.get("refresh"))
        if head == "_alias" and len(rest) == 1 and method == "HEAD":
            _params(params, set())
            raise _Answer(200 if rest[0] in self.aliases else 404, None)
        if head.startswith("_"):
            raise Unsupported(f"no such endpoint {method} /{'/'.join(path)}")
        names = head.split(",")
        if not rest:
            if method == "HEAD":
                _params(params, set())
                exists = all(n in self.indices or n in self.aliases for n in names)
                raise _Answer(200 if exists else 404, None)
            if method == "PUT":
                _params(params, set())
                return self._create_index(head, body)
            if method == "DELETE":
                _params(params, {"ignore_unavailable"})
                return self._delete_indices(names, params.get("ignore_unavailable") == "true")
        action = rest[0]
        if action == "_refresh" and len(rest) == 1 and method in ("POST", "GET"):
            _params(params, set())
            for name in names:
                self._index(name).refresh()
            return {"_shards": _SHARDS}
        if len(names) != 1:
            raise Unsupported(f"{method} {action} on several indices")
        index = self._index(head)
        if action == "_mapping" and len(rest) == 1 and method == "PUT":
            _params(params, set())
            return self._put_mapping(index, body)
        if action in ("_doc", "_create") and len(rest) == 2:
            doc_id = rest[1]
            if method == "GET" and action == "_doc":
                _params(params, {"_source", "_source_includes"})
                return self._get(index, doc_id, params)
            if method == "DELETE" and action == "_doc":
                _params(params, {"refresh"})
                return self._delete(index, doc_id, params.get("refresh"))
            if method in ("PUT", "POST"):
                _params(
                    params,
                    {
                        "refresh",
                        "version",
                        "version_type",
                        "if_seq_no",
                        "if_primary_term",
                        "op_type",
                        "require_alias",
                    },
                )
                op_type = "create" if action == "_create" else params.get("op_type", "index")
                status, answer = self._index_doc(head, index, doc_id, body, op_type, params)
                self._refresh_after(index, params.get("refresh"))
                raise _Answer(status, answer)
        if action == "_update" and len(rest) == 2 and method == "POST":
            _params(params, {"refresh", "retry_on_conflict", "if_seq_no", "if_primary_term"})
            status, answer = self._update(index, rest[1], body, params)
            self._refresh_after(index, params.get("refresh"))
            raise _Answer(status, answer)
        if len(rest) == 1 and method in ("POST", "GET"):
            if action == "_mget":
                _params(params, {"_source", "_source_includes"})
                return self._mget(index, body, params)
            if action == "_search":
                _params(params, set())
                return self._search(index, body or {})
            if action == "_count":
                _params(params, set())
                _keys(body or {}, {"query"})
                query = (body or {}).get("query", {"match_all": {}})
                return {"count": len(self._matching(index, query)), "_shards": _SHARDS}
            if action == "_delete_by_query" and method == "POST":
                _params(params, {"conflicts", "refresh"})
                return self._delete_by_query(index, body, params)
        raise Unsupported(f"no such endpoint {method} /{'/'.join(path)}")

    def _index(self, name: str) -> FakeIndex:
        name = self.aliases.get(name, name)
        if name not in self.indices:
            raise _missing_index(name)
        return self.indices[name]

    # --- indices ----------------------------------------------------------------------
    def _create_index(self, name: str, body: Any) -> Json:
        _keys(body, {"mappings", "settings", "aliases"})
        if name in self.indices:
            raise ApiFailure(
                400,
                "resource_already_exists_exception",
                f"index [{name}/uuid] already exists",
                index=name,
            )
        if name in self.aliases:
            raise ApiFailure(400, "invalid_index_name_exception", f"[{name}] is an alias")
        mappings = body.get("mappings", {})
        _keys(mappings, {"dynamic", "properties"})
        if mappings.get("dynamic") != "strict":
            raise Unsupported(f"index {name} without dynamic: strict")
        settings = body.get("settings") or {}
        _keys(settings, {"number_of_shards", "analysis"})
        properties = dict(mappings.get("properties", {}))
        _check_properties(properties, settings)
        for alias, options in (body.get("aliases") or {}).items():
            _keys(options, {"is_write_index"})
            if alias in self.aliases or alias in self.indices:
                raise ApiFailure(400, "invalid_alias_name_exception", f"alias [{alias}] exists")
        self.indices[name] = FakeIndex(name, properties, settings)
        for alias in body.get("aliases") or {}:
            self.aliases[alias] = name
        return {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _put_mapping(self, index: FakeIndex, body: Any) -> Json:
        _keys(body, {"dynamic", "properties"})
        if body.get("dynamic", "strict") != "strict":
            raise Unsupported("a mapping update that is not strict")
        properties = dict(body.get("properties", {}))
        _check_properties(properties, index.settings)
        for name, mapping in properties.items():
            old = index.properties.get(name)
            if old is not None and old != mapping:
                raise ApiFailure(
                    400,
                    "illegal_argument_exception",
                    f"mapper [{name}] cannot be changed from {old} to {mapping}",
                )
        index.properties.update(properties)
        return {"acknowledged": True}

    def _delete_indices(self, names: list[str], ignore_unavailable: bool) -> Json:
        for name in names:
            if name not in self.indices:
                if ignore_unavailable:
                    continue
                raise _missing_index(name)
            del self.indices[name]
            for alias in [a for a, i in self.aliases.items() if i == name]:
                del self.aliases[alias]
        return {"acknowledged": True}

    # --- documents ----------------------------------------------------------------------
    def _index_doc(
        self,
        named: str,
        index: FakeIndex,
        doc_id: str,
        body: Any,
        op_type: str,
        meta: Mapping[str, Any],
    ) -> tuple[int, Json]:
        if not isinstance(body, dict):
            raise Unsupported(f"a document that is not an object: {body!r}")
        if str(meta.get("require_alias", "false")).lower() == "true" and named not in self.aliases:
            raise ApiFailure(
                404,
                "index_not_found_exception",
                f"no such index [{named}] and [require_alias] request flag is [true] and "
                f"[{named}] is not an alias",
                index=named,
            )
        stored = index.docs.get(doc_id)
        version_type = meta.get("version_type")
        if op_type == "create":
            if stored is not None:
                raise _conflict(index.name, doc_id, "document already exists")
            if "version" in meta:
                raise Unsupported("a create with a version")
        elif op_type != "index":
            raise Unsupported(f"op_type {op_type}")
        self._check_if_seq_no(index, doc_id, stored, meta)
        if version_type in ("external", "external_gte"):
            version = int(meta["version"])
            newer = (
                version >= stored.version
                if stored and version_type == "external_gte"
                else (stored is None or version > stored.version)
            )
            if not newer:
                assert stored is not None
                relation = "higher than" if version_type == "external_gte" else "higher or equal to"
                raise _conflict(
                    index.name,
                    doc_id,
                    f"current version [{stored.version}] is {relation} the one "
                    f"provided [{version}]",
                )
        elif version_type is not None or "version" in meta:
            raise Unsupported(f"versioning {dict(meta)}")
        else:
            version = 1 if stored is None else stored.version + 1
        written = index.write(doc_id, body, version)
        created = stored is None
        return (201 if created else 200), self._write_answer(
            index, doc_id, written, "created" if created else "updated"
        )

    @staticmethod
    def _check_if_seq_no(
        index: FakeIndex, doc_id: str, stored: StoredDoc | None, meta: Mapping[str, Any]
    ) -> None:
        if ("if_seq_no" in meta) != ("if_primary_term" in meta):
            raise ApiFailure(
                400,
                "action_request_validation_exception",
                "if_seq_no and if_primary_term go together",
            )
        if "if_seq_no" not in meta:
            return
        if stored is None:
            raise _conflict(index.name, doc_id, "required seqNo, but no document was found")
        if (int(meta["if_seq_no"]), int(meta["if_primary_term"])) != (
            stored.seq_no,
            stored.primary_term,
        ):
            raise _conflict(
                index.name,
                doc_id,
                f"required seqNo [{meta['if_seq_no']}], primary term [{meta['if_primary_term']}]. "
                f"current document has seqNo [{stored.seq_no}] and primary term "
                f"[{stored.primary_term}]",
            )

    @staticmethod
    def _write_answer(index: FakeIndex, doc_id: str, doc: StoredDoc, result: str) -> Json:
        return {
            "_index": index.name,
            "_id": doc_id,
            "_version": doc.version,
            "result": result,
            "_shards": _SHARDS,
            "_seq_no": doc.seq_no,
            "_primary_term": doc.primary_term,
        }

    def _update(
        self, index: FakeIndex, doc_id: str, body: Any, meta: Mapping[str, Any]
    ) -> tuple[int, Json]:
        _keys(body, {"doc", "upsert", "script", "doc_as_upsert", "_source"})
        if ("doc" in body) == ("script" in body):
            raise ApiFailure(
                400,
                "action_request_validation_exception",
                "an update needs either a doc or a script",
            )
        increment = _parse_script(body["script"]) if "script" in body else None
        stored = index.docs.get(doc_id)
        self._check_if_seq_no(index, doc_id, stored, meta)
        if stored is None:
            if body.get("doc_as_upsert"):
                upsert = body["doc"]
            elif "upsert" in body:
                upsert = body["upsert"]
            else:
                raise ApiFailure(
                    404,
                    "document_missing_exception",
                    f"[{doc_id}]: document missing",
                    index=index.name,
                    shard="0",
                )
            written = index.write(doc_id, upsert, 1)
            status, result = 201, "created"
        else:
            source = copy.deepcopy(stored.source)
            if increment is None:
                _merge(source, body["doc"])
            else:
                target, amount = increment
                if not isinstance(source.get(target), int):
                    raise ApiFailure(
                        400, "illegal_argument_exception", "script failed: not a number"
                    )
                source[target] += amount
            if source == stored.source:
                written, status, result = stored, 200, "noop"
            else:
                written = index.write(doc_id, source, stored.version + 1)
                status, result = 200, "updated"
        answer = self._write_answer(index, doc_id, written, result)
        if body.get("_source"):
            answer["get"] = {
                "_seq_no": written.seq_no,
                "_primary_term": written.primary_term,
                "found": True,
                "_source": copy.deepcopy(written.source),
            }
        return status, answer

    def _get(self, index: FakeIndex, doc_id: str, params: Mapping[str, str]) -> Json:
        found = self._doc_answer(index, doc_id, params)
        if not found["found"]:
            raise _Answer(404, found)
        return found

    def _doc_answer(self, index: FakeIndex, doc_id: str, params: Mapping[str, str]) -> Json:
        stored = index.docs.get(doc_id)
        if stored is None:
            return {"_index": index.name, "_id": doc_id, "found": False}
        answer: Json = {
            "_index": index.name,
            "_id": doc_id,
            "_version": stored.version,
            "_seq_no": stored.seq_no,
            "_primary_term": stored.primary_term,
            "found": True,
        }
        source = _source_filter(stored.source, params)
        if source is not None:
            answer["_source"] = source
        return answer

    def _mget(self, index: FakeIndex, body: Any, params: Mapping[str, str]) -> Json:
        _keys(body, {"ids"})
        return {"docs": [self._doc_answer(index, str(i), params) for i in body["ids"]]}

    def _delete(self, index: FakeIndex, doc_id: str, refresh: str | None) -> Json:
        stored = index.docs.pop(doc_id, None)
        index.next_seq_no += 1
        answer = {
            "_index": index.name,
            "_id": doc_id,
            "_version": 1 if stored is None else stored.version + 1,
            "result": "not_found" if stored is None else "deleted",
            "_shards": _SHARDS,
            "_seq_no": index.next_seq_no,
            "_primary_term": 1,
        }
        self._refresh_after(index, refresh)
        if stored is None:
            raise _Answer(404, answer)
        return answer

    def _refresh_after(self, index: FakeIndex, refresh: str | None) -> None:
        if refresh in ("true", "", "wait_for"):
            index.refresh()
        elif refresh not in (None, "false"):
            raise Unsupported(f"refresh={refresh!r}")

    # --- bulk -------------------------------------------------------------------------
    def _bulk(self, lines: Any, refresh: str | None) -> Json:
        if not isinstance(lines, list):
            raise Unsupported("a _bulk body that is not NDJSON")
        items: list[Json] = []
        touched: list[FakeIndex] = []
        position = 0
        while position < len(lines):
            ((action, meta),) = lines[position].items()
            _keys(
                meta,
                {
                    "_index",
                    "_id",
                    "version",
                    "version_type",
                    "retry_on_conflict",
                    "require_alias",
                    "if_seq_no",
                    "if_primary_term",
                },
            )
            source = None
            if action != "delete":
                position += 1
                source = lines[position]
            position += 1
            items.append({action: self._bulk_item(action, meta, source, touched)})
        for index in touched:
            self._refresh_after(index, refresh)
        errors = any("error" in next(iter(i.values())) for i in items)
        return {"took": 1, "errors": errors, "items": items}

    def _bulk_item(self, action: str, meta: Json, source: Any, touched: list[FakeIndex]) -> Json:
        named, doc_id = str(meta["_index"]), str(meta["_id"])
        try:
            index = self._index(named)
            touched.append(index)
            if action in ("index", "create"):
                if "retry_on_conflict" in meta:
                    raise Unsupported("retry_on_conflict on an index item")
                status, answer = self._index_doc(named, index, doc_id, source, action, meta)
            elif action == "update":
                if "version" in meta:
                    raise Unsupported("a versioned update")
                status, answer = self._update(index, doc_id, source, meta)
            elif action == "delete":
                answer = self._delete(index, doc_id, None)
                status = 200
            else:
                raise Unsupported(f"bulk action {action}")
        except ApiFailure as failure:
            return {
                "_index": named,
                "_id": doc_id,
                "status": failure.status,
                "error": failure.body["error"],
            }
        except _Answer as answer_:
            status, answer = answer_.status, answer_.body or {}
        answer.pop("get", None)
        return {**answer, "status": status}

    # --- search -------------------------------------------------------------------------
    def _matching(
        self, index: FakeIndex, query: Json, stats: CorpusStats | None = None
    ) -> list[tuple[str, StoredDoc, float]]:
        dsl = index.dsl
        dsl.check(query)
        found = []
        for doc_id, doc in index.searchable.items():
            score = dsl.evaluate(query, doc.source, stats)
            if score is not None:
                found.append((doc_id, doc, score))
        return found

    def _knn(self, index: FakeIndex, spec: Any) -> list[tuple[str, StoredDoc, float]]:
        """The top-level ``knn`` search, exact: every searchable document passing
        ``filter``, scored as Elasticsearch scores ``dot_product`` (``(1 + dot) / 2``), the
        ``k`` best kept (an HNSW graph may miss some; this never does)."""
        _keys(spec, {"field", "query_vector", "k", "num_candidates", "filter"})
        name = spec["field"]
        mapping = index.properties.get(name)
        if mapping is None or mapping.get("type") != "dense_vector":
            raise ApiFailure(
                400,
                "illegal_argument_exception",
                f"[knn] queries are only supported on [dense_vector] fields, not [{name}]",
            )
        k, candidates = int(spec["k"]), int(spec.get("num_candidates", 0))
        if k < 1:
            raise ApiFailure(400, "illegal_argument_exception", "[k] must be greater than 0")
        if candidates < k:
            raise ApiFailure(
                400, "illegal_argument_exception", "[num_candidates] cannot be less than [k]"
            )
        if candidates > MAX_NUM_CANDIDATES:
            raise ApiFailure(
                400,
                "illegal_argument_exception",
                f"[num_candidates] cannot exceed [{MAX_NUM_CANDIDATES}]",
            )
        try:
            query = _check_vector(name, spec["query_vector"], mapping)
        except ValueError as exc:
            raise ApiFailure(400, "illegal_argument_exception", str(exc)) from None
        restriction = spec.get("filter", {"match_all": {}})
        allowed = {doc_id for doc_id, _, _ in self._matching(index, restriction)}
        scored = []
        for doc_id, doc in index.searchable.items():
            vector = doc.source.get(name)
            if doc_id not in allowed or vector is None:
                continue
            dot = sum(q * float(v) for q, v in zip(query, vector, strict=True))
            scored.append((doc_id, doc, (1.0 + dot) / 2.0))
        scored.sort(key=lambda hit: (-hit[2], hit[0]))
        return scored[:k]

    def _search(self, index: FakeIndex, body: Json) -> Json:
        _keys(
            body,
            {
                "query",
                "sort",
                "track_total_hits",
                "from",
                "size",
                "_source",
                "search_after",
                "aggs",
                "track_scores",
                "knn",
            },
        )
        dsl = index.dsl
        if "knn" in body:
            if "query" in body or "sort" in body or "aggs" in body:
                raise Unsupported("knn with a query, sort or aggregations")
            hits = self._knn(index, body["knn"])
        else:
            query = body.get("query", {"match_all": {}})
            stats = dsl.stats([d.source for d in index.searchable.values()])
            hits = self._matching(index, query, stats)
        start, size = int(body.get("from", 0)), int(body.get("size", 10))
        if start < 0 or size < 0:
            raise ApiFailure(400, "illegal_argument_exception", "[from] and [size] must be >= 0")
        if start + size > MAX_RESULT_WINDOW:
            raise ApiFailure(
                400,
                "illegal_argument_exception",
                f"Result window is too large, from + size must be less than or equal to: "
                f"[{MAX_RESULT_WINDOW}] but was [{start + size}]",
            )
        sort = _sort_spec(body.get("sort"), dsl)
        keyed = [
            (self._sort_values(sort, dsl, doc, score), doc_id, doc, score)
            for doc_id, doc, score in hits
        ]
        keyed.sort(key=lambda k: _order_key(sort, k[0], k[1]))
        if "search_after" in body:
            if start:
                raise ApiFailure(
                    400,
                    "illegal_argument_exception",
                    "[from] parameter must be set to 0 when [search_after] is used",
                )
            after = list(body["search_after"])
            if len(after) != len(sort):
                raise ApiFailure(
                    400,
                    "illegal_argument_exception",
                    "search_after has a different number of values than sort",
                )
            cursor = _order_key(sort, after, "")
            keyed = [k for k in keyed if _order_key(sort, k[0], "")[:-1] > cursor[:-1]]
        by_score = not body.get("sort") or any(name == "_score" for name, _ in sort)
        scored = by_score or bool(body.get("track_scores"))
        page = keyed[start : start + size]
        result_hits = []
        for values_, doc_id, doc, score in page:
            hit: Json = {"_index": index.name, "_id": doc_id, "_score": score if scored else None}
            source = _source_filter(
                doc.source,
                {"_source_includes": body["_source"]}
                if isinstance(body.get("_source"), list)
                else {"_source": json.dumps(body.get("_source", True))},
            )
            if source is not None:
                hit["_source"] = source
            if body.get("sort"):
                hit["sort"] = values_
            result_hits.append(hit)
        found: Json = {
            "max_score": max((h["_score"] for h in result_hits), default=None) if scored else None,
            "hits": result_hits,
        }
        tracking = body.get("track_total_hits", MAX_RESULT_WINDOW)
        if tracking is True:
            found["total"] = {"value": len(hits), "relation": "eq"}
        elif tracking is not False:
            limit = int(tracking)
            found["total"] = (
                {"value": len(hits), "relation": "eq"}
                if len(hits) <= limit
                else {"value": limit, "relation": "gte"}
            )
        answer: Json = {"took": 1, "timed_out": False, "_shards": _SHARDS, "hits": found}
        if "aggs" in body:
            answer["aggregations"] = {
                name: self._aggregate(dsl, index, spec, [doc for _, doc, _ in hits])
                for name, spec in body["aggs"].items()
            }
        return answer

    def _sort_values(
        self, sort: list[tuple[str, str]], dsl: DslInterpreter, doc: StoredDoc, score: float
    ) -> list[Any]:
        out: list[Any] = []
        for name, order in sort:
            if name == "_score":
                out.append(score)
                continue
            keys = dsl.terms(doc.source, name)
            out.append(None if not keys else (min(keys) if order == "asc" else max(keys)))
        return out

    def _aggregate(
        self, dsl: DslInterpreter, index: FakeIndex, spec: Json, docs: list[StoredDoc]
    ) -> Json:
        if set(spec) != {"terms"}:
            raise Unsupported(f"aggregation {spec}")
        terms = spec["terms"]
        _keys(terms, {"field", "size", "order"})
        name = terms["field"]
        mapping = index.properties.get(name) or {}
        if mapping.get("type") == "text":
            raise ApiFailure(
                400,
                "illegal_argument_exception",
                f"Text fields are not optimised for aggregations: [{name}]",
            )
        counts: dict[Any, int] = {}
        for doc in docs:
            for key in set(dsl.terms(doc.source, name)):
                counts[key] = counts.get(key, 0) + 1
        size = int(terms.get("size", 10))
        if size < 1:
            raise ApiFailure(400, "illegal_argument_exception", "[size] must be greater than 0")
        order = terms.get("order", [{"_count": "desc"}, {"_key": "asc"}])
        order = order if isinstance(order, list) else [order]
        ranking: list[tuple[str, str]] = []
        for item in order:
            ((what, direction),) = item.items()
            if what not in ("_count", "_key") or direction not in ("asc", "desc"):
                raise Unsupported(f"terms order {item}")
            ranking.append((what, direction))
        if ranking[-1][0] != "_key":
            ranking.append(("_key", "asc"))  # Elasticsearch breaks count ties by key
        buckets = list(counts.items())
        for what, direction in reversed(ranking):
            buckets.sort(
                key=lambda kv: kv[0] if what == "_key" else kv[1], reverse=direction == "desc"
            )
        shown = buckets[:size]
        out = []
        for key, count in shown:
            bucket: Json = {"key": key, "doc_count": count}
            if mapping.get("type") in ("date", "date_nanos"):
                millis = key // 1_000_000 if mapping["type"] == "date_nanos" else key
                bucket["key"] = millis
                moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=millis)
                bucket["key_as_string"] = (
                    moment.date().isoformat()
                    if mapping.get("format") == "strict_date"
                    else moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
                )
            elif mapping.get("type") == "boolean":
                bucket["key"], bucket["key_as_string"] = int(key), str(key).lower()
            out.append(bucket)
        return {
            "doc_count_error_upper_bound": 0,
            "sum_other_doc_count": sum(c for _, c in buckets[size:]),
            "buckets": out,
        }

    def _delete_by_query(self, index: FakeIndex, body: Any, params: Mapping[str, str]) -> Json:
        _keys(body, {"query"})
        proceed = params.get("conflicts") == "proceed"
        deleted = conflicts = 0
        for doc_id, doc, _ in self._matching(index, body["query"]):
            live = index.docs.get(doc_id)
            if live is None or live.seq_no != doc.seq_no:
                conflicts += 1  # changed or deleted since the last refresh
                if not proceed:
                    raise _conflict(index.name, doc_id, "changed since the search")
                continue
            del index.docs[doc_id]
            deleted += 1
        if params.get("refresh") == "true":
            index.refresh()
        elif "refresh" in params:
            raise Unsupported(f"delete_by_query refresh={params['refresh']!r}")
        return {
            "took": 1,
            "timed_out": False,
            "total": deleted + conflicts,
            "deleted": deleted,
            "batches": 1,
            "version_conflicts": conflicts,
            "noops": 0,
            "failures": [],
        }


class _Answer(Exception):
    def __init__(self, status: int, body: Json | None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class FakeNode(BaseNode):
    """A transport node answering from a :class:`FakeElasticsearch`."""

    _CLIENT_META_HTTP_CLIENT = ("fake", "1")
    fake: ClassVar[FakeElasticsearch]

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        status, answer = self.fake.answer(method, target, body, headers)
        payload = b"" if method == "HEAD" or answer is None else json.dumps(answer).encode()
        return node_response(self, status, payload)


def node_response(node: BaseNode, status: int, payload: bytes) -> NodeApiResponse:
    """What a transport node returns for an answer made up in-process."""
    meta = ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(RESPONSE_HEADERS),
        duration=0.0,
        node=node.config,
    )
    return NodeApiResponse(meta, payload)


# --- helpers ---------------------------------------------------------------------------


def _decode(body: bytes | None, headers: HttpHeaders | None) -> Any:
    if body is None:
        return None
    text = body.decode("utf-8")
    content_type = (headers.get("content-type") if headers is not None else None) or ""
    if "ndjson" in content_type:
        if not text.endswith("\n"):
            raise Unsupported("a _bulk body must end with a newline")
        return [json.loads(line) for line in text.splitlines()]
    return json.loads(text) if text else None


def _params(params: Mapping[str, str], allowed: set[str]) -> None:
    unknown = set(params) - allowed
    if unknown:
        raise Unsupported(f"unexpected parameters {sorted(unknown)} (allowed: {sorted(allowed)})")


def _keys(body: Any, allowed: set[str]) -> None:
    if not isinstance(body, Mapping):
        raise Unsupported(f"expected an object, got {body!r}")
    unknown = set(body) - allowed
    if unknown:
        raise Unsupported(f"unexpected keys {sorted(unknown)} (allowed: {sorted(allowed)})")


def _check_properties(properties: Mapping[str, Any], settings: Mapping[str, Any]) -> None:
    analyzers = settings.get("analysis", {}).get("analyzer", {})
    for name, mapping in properties.items():
        kind = mapping.get("type")
        if kind not in _FIELD_OPTIONS:
            raise Unsupported(f"field {name!r} of type {kind!r}")
        extra = set(mapping) - {"type"} - _FIELD_OPTIONS[kind]
        if extra:
            raise Unsupported(f"field {name!r}: options {sorted(extra)}")
        if kind == "object" and mapping.get("enabled") is not False:
            raise Unsupported(f"object field {name!r} that is indexed")
        if kind == "text" and mapping.get("analyzer") not in analyzers:
            raise Unsupported(f"text field {name!r} with an undefined analyzer")
        if kind == "date" and mapping.get("format", "strict_date") != "strict_date":
            raise Unsupported(f"date format of {name!r}")
        if kind == "dense_vector":
            dims = mapping.get("dims")
            if not isinstance(dims, int) or not 1 <= dims <= MAX_DIMS:
                raise Unsupported(f"dense_vector {name!r} without dims in 1..{MAX_DIMS}")
            if mapping.get("element_type", "float") != "float":
                raise Unsupported(f"element_type of {name!r}")
            if mapping.get("index") is not True or mapping.get("similarity") != "dot_product":
                raise Unsupported(f"dense_vector {name!r}: the fake searches indexed dot_product")
            options = mapping.get("index_options", {"type": "hnsw"})
            if set(options) != {"type"} or options["type"] not in ("hnsw", "int8_hnsw"):
                raise Unsupported(f"index_options of {name!r}: {options}")


def _check_vector(name: str, value: Any, mapping: Mapping[str, Any]) -> list[float]:
    """A dense vector as Elasticsearch accepts it: numbers, ``dims`` of them, unit length
    for ``dot_product`` (a document's or a query's)."""
    if not isinstance(value, list) or not all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in value
    ):
        raise ValueError(f"a dense vector is an array of numbers, not {value!r:.60}")
    if len(value) != mapping["dims"]:
        raise ValueError(
            f"The [dense_vector] field [{name}] in doc has a different number of dimensions "
            f"[{len(value)}] than defined in the mapping [{mapping['dims']}]"
        )
    squared = sum(float(x) * float(x) for x in value)
    if mapping.get("similarity") == "dot_product" and abs(squared - 1.0) > UNIT_TOLERANCE:
        raise ValueError("The [dot_product] similarity can only be used with unit-length vectors.")
    return [float(x) for x in value]


def _merge(target: Json, patch: Mapping[str, Any]) -> None:
    """A partial update: objects merge recursively, anything else replaces."""
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _parse_script(script: Any) -> tuple[str, int]:
    """(field, amount) of the one script shape the adapter sends: an increment."""
    _keys(script, {"source", "lang", "params"})
    if script.get("lang", "painless") != "painless":
        raise Unsupported(f"script language {script.get('lang')}")
    found = _INCREMENT.fullmatch(str(script.get("source", "")))
    if found is None:
        raise Unsupported(f"the fake runs one script shape only, not {script.get('source')!r}")
    target, param = found.groups()
    amount = script.get("params", {}).get(param)
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise ApiFailure(400, "illegal_argument_exception", f"script param {param} is not a number")
    return target, amount


def _source_filter(source: Json, params: Mapping[str, str]) -> Json | None:
    if "_source_includes" in params:
        wanted = params["_source_includes"]
        names = wanted if isinstance(wanted, list) else str(wanted).split(",")
        return {k: copy.deepcopy(v) for k, v in source.items() if k in names}
    flag = params.get("_source", "true")
    if flag not in ("true", "false"):
        raise Unsupported(f"_source={flag!r}")
    return copy.deepcopy(source) if flag == "true" else None


def _sort_spec(sort: Any, dsl: DslInterpreter) -> list[tuple[str, str]]:
    if sort is None:
        return [("_score", "desc")]
    spec: list[tuple[str, str]] = []
    for item in sort if isinstance(sort, list) else [sort]:
        if isinstance(item, str):
            name, order = item, "desc" if item == "_score" else "asc"
        else:
            ((name, options),) = item.items()
            if isinstance(options, Mapping):
                _keys(options, {"order"})
                order = options.get("order", "desc" if name == "_score" else "asc")
            else:
                order = options
        if order not in ("asc", "desc"):
            raise Unsupported(f"sort order {order!r}")
        if name != "_score":
            mapping = dsl.fields.get(name)
            if mapping is None:
                raise Unsupported(f"sort on undeclared field {name!r}")
            if mapping["type"] == "text":
                raise ApiFailure(
                    400,
                    "illegal_argument_exception",
                    f"Text fields are not optimised for operations that require per-document "
                    f"field data like aggregations and sorting: [{name}]",
                )
            if mapping["type"] == "object":
                raise Unsupported(f"sort on stored-only object {name!r}")
        spec.append((name, order))
    return spec


class _Desc:
    """Reverses the order of a value (for descending sort keys)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.value < self.value)

    def __gt__(self, other: _Desc) -> bool:
        return bool(other.value > self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)


def _order_key(sort: list[tuple[str, str]], values_: list[Any], doc_id: str) -> tuple[Any, ...]:
    """A comparable key: per sort value (missing last either way), then the document id."""
    out: list[Any] = []
    for (_, order), value in zip(sort, values_, strict=True):
        missing = value is None
        out.append((missing, None if missing else (value if order == "asc" else _Desc(value))))
    out.append(doc_id)
    return tuple(_comparable(o) for o in out)


def _comparable(value: Any) -> Any:
    if isinstance(value, tuple):
        missing, inner = value
        return (1, 0) if missing else (0, inner)
    return value
