"""Control, bidi-override and invisible characters out of feed text; undecodable text counted."""

from __future__ import annotations

import pytest

from academichub.ingestor.domain.normalise.characters import CleanedText, clean_characters


def test_plain_text_is_untouched() -> None:
    assert clean_characters("Schrödinger's 猫, $\\theta$ < 1") == CleanedText(
        "Schrödinger's 猫, $\\theta$ < 1"
    )


def test_a_right_to_left_override_cannot_disguise_a_file_name() -> None:
    assert clean_characters("invoice\u202egnp.exe") == CleanedText("invoicegnp.exe", bidi=1)


@pytest.mark.parametrize("isolate", ["\u2066", "\u2067", "\u2068", "\u2069", "\u202a", "\u202c"])
def test_embeddings_and_isolates_are_removed(isolate: str) -> None:
    assert clean_characters(f"a{isolate}b").text == "ab"


def test_bidi_marks_stay_for_the_scripts_that_need_them() -> None:
    text = "\u05e9\u05dc\u05d5\u05dd\u200f (1)"
    assert clean_characters(text) == CleanedText(text)


def test_nul_and_other_controls_are_removed_and_line_breaks_become_spaces() -> None:
    cleaned = clean_characters("a\x00b\x07c\x7fd\x9be\tf\ng\r\nh\x85i")
    assert cleaned == CleanedText("abcde f g h i", control=4)


def test_invisible_characters_are_removed() -> None:
    cleaned = clean_characters("a\ufeffb\U000e0049\U000e0047c\ufffe")
    assert cleaned == CleanedText("abc", invisible=4)


def test_undecodable_text_is_kept_and_counted_lone_surrogates_included() -> None:
    assert clean_characters("caf\ufffd \ud800") == CleanedText("caf\ufffd \ufffd", undecodable=2)


def test_removals_leave_no_run_of_spaces() -> None:
    assert clean_characters("a \x00 b \u202e c").text == "a b c"
