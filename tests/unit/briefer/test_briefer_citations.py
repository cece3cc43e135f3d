import pytest

from academichub.briefer.domain.citations import canonical_citation, clean_draft
from academichub.briefer.domain.draft import BriefingDraft, DraftInvalid, parse_reply

WINDOW = ["arxiv:2606.00001", "arxiv:2606.00002", "doi:10.1038/s41586-026-0001-x"]


def draft(**parts: object) -> BriefingDraft:
    return BriefingDraft.model_validate({"overview": "Overview.", **parts})


def test_citations_outside_the_window_are_removed_and_counted() -> None:
    cleaned = clean_draft(
        draft(
            themes=[
                {
                    "title": "T",
                    "synthesis": "S",
                    "paper_ids": ["arxiv:2606.00001", "arxiv:1706.03762", "paper 3"],
                }
            ]
        ),
        WINDOW,
    )
    assert cleaned.parts.themes[0].paper_ids == ("arxiv:2606.00001",)
    assert cleaned.rejected == {"outside_window": 1, "not_a_paper_id": 1}
    assert not cleaned.dropped


def test_a_claim_left_without_citations_is_dropped() -> None:
    cleaned = clean_draft(
        draft(
            themes=[
                {"title": "Invented", "synthesis": "S", "paper_ids": ["arxiv:9999.99999"]},
                {"title": "Kept", "synthesis": "S", "paper_ids": ["arxiv:2606.00002"]},
            ],
            notable=[{"paper_id": "arxiv:1234.56789", "reason": "Famous."}],
            tldrs=[
                {"paper_id": "arxiv:2606.00001", "tldr": "Real."},
                {"paper_id": "arxiv:0000.00000", "tldr": "Invented."},
            ],
            connections=[
                {"finding": "Links one paper only", "fields": [], "paper_ids": [WINDOW[0]]}
            ],
        ),
        WINDOW,
    )
    assert [t.title for t in cleaned.parts.themes] == ["Kept"]
    assert cleaned.parts.notable == ()
    assert [t.paper_id for t in cleaned.parts.tldrs] == ["arxiv:2606.00001"]
    assert cleaned.parts.connections == ()
    assert cleaned.dropped == {"theme": 1, "notable": 1, "tldr": 1, "connection": 1}
    assert cleaned.rejected == {"outside_window": 3}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("arxiv:2606.00001", "arxiv:2606.00001"),
        ("arXiv:2606.00001v3", "arxiv:2606.00001"),
        ("[2606.00001]", "arxiv:2606.00001"),
        ("https://arxiv.org/abs/2606.00001v2", "arxiv:2606.00001"),
        ("arxiv:hep-th/9901001v1", "arxiv:hep-th/9901001"),
        ("DOI:10.1038/S41586-026-0001-X", "doi:10.1038/s41586-026-0001-x"),
        ("https://doi.org/10.1038/s41586-026-0001-x", "doi:10.1038/s41586-026-0001-x"),
        ("P1", None),
        ("", None),
    ],
)
def test_common_spellings_of_an_id_resolve_to_the_canonical_id(
    raw: str, expected: str | None
) -> None:
    assert canonical_citation(raw) == expected


def test_mangled_window_ids_are_kept_not_rejected() -> None:
    cleaned = clean_draft(
        draft(notable=[{"paper_id": "arXiv:2606.00002v2", "reason": "Good."}]), WINDOW
    )
    assert cleaned.parts.notable[0].paper_id == "arxiv:2606.00002"
    assert not cleaned.rejected


def test_ids_in_prose_outside_the_window_are_cut_out_and_counted() -> None:
    cleaned = clean_draft(
        draft(
            overview=("Builds on arxiv:1706.03762 and (arXiv:2606.00001) extends [2301.00001v2].")
        ),
        WINDOW,
    )
    assert cleaned.parts.overview == "Builds on and (arXiv:2606.00001) extends."
    assert cleaned.rejected == {"in_text_outside_window": 2}


def test_connections_need_two_papers_and_get_fields_when_the_model_gave_none() -> None:
    cleaned = clean_draft(
        draft(
            connections=[
                {"finding": "Shared idea", "fields": [], "paper_ids": WINDOW[:2]},
            ]
        ),
        WINDOW,
        fields_by_paper={WINDOW[0]: "quant-ph", WINDOW[1]: "cs"},
    )
    (conn,) = cleaned.parts.connections
    assert conn.fields == ("cs", "quant-ph")


def test_duplicates_are_merged_and_long_texts_capped() -> None:
    cleaned = clean_draft(
        draft(
            overview="x " * 5000,
            themes=[{"title": "T", "synthesis": "S", "paper_ids": [WINDOW[0], WINDOW[0]]}],
        ),
        WINDOW,
    )
    assert cleaned.parts.themes[0].paper_ids == (WINDOW[0],)
    assert len(cleaned.parts.overview) <= 2000


def test_parse_reply_accepts_a_markdown_fence_and_a_lone_id_string() -> None:
    content = (
        '```json\n{"overview": "O", "themes": '
        '[{"title": "T", "synthesis": "S", "paper_ids": "arxiv:2606.00001"}]}\n```'
    )
    parsed = parse_reply(content, BriefingDraft)
    assert parsed.themes[0].paper_ids == ["arxiv:2606.00001"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Sure! Here is your briefing:", "not valid JSON"),
        ("[1, 2]", "JSON list"),
        ('{"overview": ""}', "overview"),
        ('{"overview": "O", "themes": [{"title": "T"}]}', "themes.0.synthesis"),
    ],
)
def test_parse_reply_says_why_an_answer_is_unusable(content: str, message: str) -> None:
    with pytest.raises(DraftInvalid, match=message):
        parse_reply(content, BriefingDraft)


def test_a_staged_theme_is_held_to_its_group() -> None:
    from academichub.briefer.domain.citations import clean_theme
    from academichub.briefer.domain.draft import DraftTheme

    theme = DraftTheme(
        title="Decoders", synthesis="See arxiv:2606.00002.", paper_ids=[WINDOW[0], WINDOW[1]]
    )
    cleaned = clean_theme(theme, WINDOW[:1])  # paper 2 is in the window, not in the group
    assert cleaned.theme is not None
    assert cleaned.theme.paper_ids == (WINDOW[0],)
    assert "2606.00002" not in cleaned.theme.synthesis
    assert cleaned.rejected == {"outside_window": 1, "in_text_outside_window": 1}
    nothing = clean_theme(theme.model_copy(update={"paper_ids": ["arxiv:9999.99999"]}), WINDOW)
    assert nothing.theme is None
    assert nothing.dropped == {"theme": 1}
