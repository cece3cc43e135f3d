"""Content codings: which are read, which refused, and a body that never outgrows its cap
however the compressed input is shaped."""

from __future__ import annotations

import gzip
import zlib

import pytest

from academichub.ingestor.content_coding import (
    BodyReader,
    BodyUnreadable,
    ResponseTooLarge,
    UnsupportedEncoding,
    content_coding,
)

URL = "https://journal.example/rss"
FEED = b"<rss><channel><title>T</title></channel></rss>" * 200


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def read(coding: str | None, data: bytes, cap: int, size: int = 1000) -> bytes:
    reader = BodyReader(URL, coding, cap)
    for chunk in chunks(data, size):
        reader.feed(chunk)
    return reader.finish()


def zeros_gzip(inflated: int) -> bytes:
    """A gzip bomb: ``inflated`` zero bytes, about a thousandth of that on the wire."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    out = [packer.compress(block) for _ in range(inflated // len(block))]
    return b"".join([*out, packer.flush()])


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ([], None),
        (["identity"], None),
        (["gzip"], "gzip"),
        (["GZip "], "gzip"),
        (["x-gzip"], "x-gzip"),
        (["deflate"], "deflate"),
        (["identity, gzip"], "gzip"),
        (["", "gzip"], "gzip"),
    ],
)
def test_one_known_coding_or_none_is_accepted(header: list[str], coding: str | None) -> None:
    assert content_coding(header) == coding


@pytest.mark.parametrize("header", [["gzip, gzip"], ["gzip", "gzip"], ["deflate, gzip"]])
def test_stacked_codings_are_refused_naming_them(header: list[str]) -> None:
    with pytest.raises(UnsupportedEncoding, match=r"encoded 2 times over .*one coding at most"):
        content_coding(header)


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "rot13"])
def test_unknown_codings_are_refused_naming_them(coding: str) -> None:
    with pytest.raises(UnsupportedEncoding, match=f"'{coding}' is not one this fetcher inflates"):
        content_coding([coding])


@pytest.mark.parametrize(
    ("coding", "data"),
    [
        (None, FEED),
        ("gzip", gzip.compress(FEED)),
        ("x-gzip", gzip.compress(FEED)),
        ("deflate", zlib.compress(FEED)),  # the zlib format RFC 9110 means by "deflate"
        ("deflate", zlib.compress(FEED, wbits=-zlib.MAX_WBITS)),  # the bare stream some send
    ],
)
@pytest.mark.parametrize("size", [1, 7, 1000, 1 << 20])
def test_bodies_are_read_whole_whatever_the_chunking(
    coding: str | None, data: bytes, size: int
) -> None:
    assert read(coding, data, cap=len(FEED), size=size) == FEED


def test_gzip_members_in_a_row_are_read_one_after_another() -> None:
    data = gzip.compress(FEED[:500]) + gzip.compress(FEED[500:])
    for size in (1, 2, 999):
        assert read("gzip", data, cap=len(FEED), size=size) == FEED


def test_bytes_after_the_last_gzip_member_are_ignored() -> None:
    assert read("gzip", gzip.compress(FEED) + b"\x00\x00\x00", cap=len(FEED)) == FEED


@pytest.mark.parametrize("size", [1, 64, 65536, 1 << 22])
def test_a_gzip_bomb_is_refused_holding_at_most_the_cap_plus_one_byte(size: int) -> None:
    cap = 100_000
    bomb = zeros_gzip(16 << 20)
    reader = BodyReader(URL, "gzip", cap)

    def feed_all() -> None:
        for chunk in chunks(bomb, size):
            reader.feed(chunk)

    with pytest.raises(ResponseTooLarge, match=r"refused: the body inflated exceeds 100000") as err:
        feed_all()

    assert err.value.received == cap + 1
    assert reader.received == cap + 1


def test_an_identity_body_over_the_cap_is_refused() -> None:
    with pytest.raises(ResponseTooLarge, match=r"the body exceeds 10 bytes") as err:
        read(None, b"x" * 11, cap=10, size=4)
    assert err.value.received <= 10 + 4


def test_a_body_exactly_at_the_cap_is_read() -> None:
    assert read("gzip", gzip.compress(FEED), cap=len(FEED)) == FEED


def test_a_compressed_body_cut_short_is_unreadable_not_half_a_feed() -> None:
    data = gzip.compress(FEED)
    with pytest.raises(BodyUnreadable, match="cut short"):
        read("gzip", data[: len(data) // 2], cap=len(FEED))


def test_a_body_that_is_not_what_its_coding_claims_is_unreadable() -> None:
    with pytest.raises(BodyUnreadable, match="cannot be inflated"):
        read("gzip", FEED, cap=len(FEED))
