"""HTTP content codings: which ones the ingestor reads, and a body reader that never holds
more than its cap, inflated or not.

A compressed body is small on the wire and may be huge inflated: 2.3 KB of
``Content-Encoding: gzip, gzip`` is a gibibyte of XML. So the raw bytes are inflated here,
by the project, never by the HTTP client, and every call to the decompressor is told how
much output it may produce (:meth:`BodyReader.feed`): the body held never exceeds the cap by
more than one byte, and no more than :data:`INFLATE_STEP` bytes are inflated at a time,
however the input is shaped. What is accepted::

    (none), identity     read as it is
    gzip, x-gzip         inflated (several gzip members in a row are read one after another)
    deflate              inflated (the zlib format RFC 9110 means, or the raw deflate
                         stream some servers send instead)
    anything else        refused: br and zstd (no decoder is installed, and none is offered
                         in Accept-Encoding), compress, and any name this module does not know
    two or more codings  refused: a server that compresses twice is broken or hostile

Refusals are :class:`UnsupportedEncoding`, a body over the cap :class:`ResponseTooLarge`;
both say what was refused and why, for the source's status. A compressed body that ends
before its stream does, or that is not what it claims to be, is a :class:`BodyUnreadable`:
a damaged transfer, worth fetching again.

Pure: zlib only, no HTTP library; :class:`~academichub.ingestor.fetch.HttpFetcher` feeds it
the raw chunks.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Final

from academichub.platform.errors import TransientError

__all__ = [
    "ACCEPT_ENCODING",
    "INFLATE_STEP",
    "BodyReader",
    "BodyUnreadable",
    "ResponseRefused",
    "ResponseTooLarge",
    "UnsupportedEncoding",
    "content_coding",
]

# What the fetcher offers in Accept-Encoding: exactly the codings it inflates.
ACCEPT_ENCODING: Final = "gzip, deflate"
_GZIP: Final = frozenset({"gzip", "x-gzip"})
_DEFLATE: Final = "deflate"
_GZIP_MAGIC: Final = b"\x1f\x8b"
# The most one call of the decompressor may inflate (one network read is 64 KiB).
INFLATE_STEP: Final = 64 * 1024


class ResponseRefused(TransientError):
    """The response was refused as it came: fetching it again at once cannot help.

    A :class:`TransientError` because the next poll may find the provider fixed; the
    retrying fetcher does not retry it.
    """


class ResponseTooLarge(ResponseRefused):
    """The body (inflated, when compressed) passed the cap.

    ``received`` is how many body bytes were held when it was refused: at most the cap + 1.
    """

    def __init__(self, message: str, *, received: int) -> None:
        super().__init__(message)
        self.received = received


class UnsupportedEncoding(ResponseRefused):
    """The Content-Encoding is stacked or not one this module inflates."""


class BodyUnreadable(TransientError):
    """A compressed body that cannot be inflated: cut short, or not the coding it claims."""


def content_coding(values: Iterable[str]) -> str | None:
    """The one coding to undo for a response's ``Content-Encoding`` header values.

    None means the body is read as it is. Raises :class:`UnsupportedEncoding` for more than
    one coding (``gzip, gzip``) or one this module does not inflate; ``identity`` and empty
    items are ignored, case is not significant (RFC 9110 section 8.4).
    """
    codings = [
        item.strip().lower()
        for value in values
        for item in value.split(",")
        if item.strip() and item.strip().lower() != "identity"
    ]
    if len(codings) > 1:
        raise UnsupportedEncoding(
            f"refused: the body is encoded {len(codings)} times over "
            f"(Content-Encoding: {', '.join(codings)}); one coding at most is accepted"
        )
    if not codings:
        return None
    coding = codings[0]
    if coding in _GZIP or coding == _DEFLATE:
        return coding
    raise UnsupportedEncoding(
        f"refused: Content-Encoding {coding!r} is not one this fetcher inflates "
        f"(accepted: {ACCEPT_ENCODING}, or none)"
    )


class BodyReader:
    """Collects one response body of at most ``cap`` bytes after undoing ``coding``.

    :meth:`feed` the raw chunks as they arrive, then :meth:`finish`. ``url`` only names the
    response in messages.
    """

    def __init__(self, url: str, coding: str | None, cap: int) -> None:
        if cap < 0:
            raise ValueError(f"cap must be >= 0, not {cap}")
        self._url = url
        self._coding = coding
        self._cap = cap
        self._body = bytearray()
        self._inflater: zlib._Decompress | None = None
        self._started = False  # a decompressor was chosen (deflate sniffs its first bytes)
        self._ended = coding is None  # the compressed stream reached its end
        self._held = b""  # a byte to decide on: a zlib header's or a next gzip member's

    @property
    def received(self) -> int:
        """Body bytes held so far (inflated)."""
        return len(self._body)

    def feed(self, chunk: bytes) -> None:
        """Take one raw chunk; raises :class:`ResponseTooLarge` once past the cap."""
        if not chunk:
            return
        if self._coding is None:
            self._keep(chunk)
            return
        data, self._held = self._held + chunk, b""
        while data:
            if not self._started and self._coding == _DEFLATE and len(data) < 2:
                self._held = data  # the zlib header is two bytes: wait for the second
                return
            inflater = self._inflater_for(data)
            if inflater is None:
                if _GZIP_MAGIC.startswith(data) and self._coding in _GZIP:
                    self._held = data  # one byte: the next chunk says if a member follows
                return  # else trailing bytes after the last member: ignored, as gzip does
            data = self._inflate(inflater, data)

    def _inflate(self, inflater: zlib._Decompress, data: bytes) -> bytes:
        """Inflate ``data`` step by step; return what follows the end of the stream, if any.

        Each call of the decompressor may produce at most one step, and never more than
        still fits under the cap plus the one byte that proves the body too large: the
        decompressor holds the rest of its input back (``unconsumed_tail``) instead of
        inflating it. So the body held never passes the cap + 1, and the inflated bytes
        in flight never pass one step.
        """
        while True:
            step = min(self._cap - len(self._body) + 1, INFLATE_STEP)
            try:
                out = inflater.decompress(data, step)
            except zlib.error as exc:
                raise BodyUnreadable(
                    f"{self._url}: the {self._coding} body cannot be inflated: {exc}"
                ) from None
            self._keep(out)
            if inflater.eof:
                # The stream ended; what follows may be another gzip member.
                self._inflater, self._ended = None, True
                return inflater.unused_data + inflater.unconsumed_tail
            data = inflater.unconsumed_tail
            if not data and len(out) < step:
                return b""  # all input inflated and no output held back

    def finish(self) -> bytes:
        """The whole body; raises :class:`BodyUnreadable` if the compressed stream was cut."""
        if (self._held and not self._started) or (self._started and not self._ended):
            raise BodyUnreadable(
                f"{self._url}: the {self._coding} body ends before its compressed stream "
                f"does ({len(self._body)} bytes inflated): the transfer was cut short"
            )
        return bytes(self._body)

    def _inflater_for(self, data: bytes) -> zlib._Decompress | None:
        if self._inflater is not None:
            return self._inflater
        if self._started:
            # A finished stream: only a following gzip member is read on.
            if self._coding in _GZIP and data.startswith(_GZIP_MAGIC):
                self._inflater, self._ended = zlib.decompressobj(16 + zlib.MAX_WBITS), False
            return self._inflater
        self._started, self._ended = True, False
        if self._coding in _GZIP:
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            # "deflate" is the zlib format; some servers send the bare deflate stream.
            self._inflater = zlib.decompressobj(
                zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS
            )
        return self._inflater

    def _keep(self, data: bytes) -> None:
        self._body.extend(data)
        if len(self._body) > self._cap:
            inflated = " inflated" if self._coding is not None else ""
            raise ResponseTooLarge(
                f"{self._url}: refused: the body{inflated} exceeds {self._cap} bytes",
                received=len(self._body),
            )


def _zlib_header(data: bytes) -> bool:
    """Whether ``data`` starts with a zlib header (RFC 1950: method 8, check bits right)."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
