"""Where themes get their vectors: the embedding port, remembered; TF-IDF when it fails."""

from prometheus_client import CollectorRegistry

from academichub.briefer.domain.composer import Composer
from academichub.briefer.domain.corpus import CountedPhraseStatistics
from academichub.briefer.domain.vectors import EmbedderVectors, tfidf_vectors
from academichub.briefer.metrics import BrieferMetrics
from academichub.embedding.fake import FakeEmbedder
from academichub.embedding.port import EmbeddingRejected, EmbeddingUnavailable
from academichub.embedding.text import paper_text
from tests.unit.briefer.briefer_samples import paper, radar
from tests.unit.briefer.test_briefer_extractive import window


async def test_each_paper_version_is_embedded_once() -> None:
    fake = FakeEmbedder()
    source = EmbedderVectors(fake)
    papers = window()
    first = await source.vectors(papers)
    assert first is not None
    assert first.space == "fake-bag-of-words"
    assert first.matrix.shape == (6, fake.dimension)
    again = await source.vectors([*papers[:3], paper(99)])
    assert again is not None
    assert fake.batches[-1] == (paper_text(paper(99)),)  # only the new paper
    assert fake.texts_embedded == 7
    assert (again.matrix[:3] == first.matrix[:3]).all()


async def test_an_embedder_that_fails_gives_no_vectors() -> None:
    for failure in (EmbeddingUnavailable("endpoint down"), EmbeddingRejected("bad dimension")):
        source = EmbedderVectors(FakeEmbedder(failures=[failure]))
        assert await source.vectors(window()) is None


async def test_the_composer_says_which_vectors_grouped_the_themes() -> None:
    metrics = BrieferMetrics(CollectorRegistry())
    papers = window()
    embedded = Composer(model=None, observer=metrics, vectors=EmbedderVectors(FakeEmbedder()))
    b = (await embedded.compose(papers, radar=radar(), window=1)).briefing
    assert "fake-bag-of-words embeddings" in b.overview
    down = FakeEmbedder(failures=[EmbeddingUnavailable("endpoint down")])
    fallback = Composer(model=None, observer=metrics, vectors=EmbedderVectors(down))
    b = (await fallback.compose(papers, radar=radar(), window=1)).briefing
    assert "grouped by shared vocabulary (TF-IDF)" in b.overview
    assert not b.degraded  # a briefing without embeddings is still a whole briefing


async def test_the_composer_scores_phrases_against_the_statistics_it_is_given() -> None:
    papers = window()
    vectors = EmbedderVectors(FakeEmbedder())
    alone = Composer(model=None, vectors=vectors)
    b = (await alone.compose(papers, radar=radar(), window=1)).briefing
    assert any(t.title.split(": ")[1].startswith("lattice surgery") for t in b.themes)
    # A store where every other paper does lattice surgery: it names nothing here.
    others = [
        paper(1000 + i, title=f"Note {i}", abstract="Intro. We use lattice surgery daily.")
        for i in range(300)
    ]
    store = CountedPhraseStatistics([*papers, *others], source="store")
    informed = Composer(model=None, vectors=vectors, statistics=store)
    b = (await informed.compose(papers, radar=radar(), window=1)).briefing
    # Still a name of the theme, no longer its first.
    assert any("lattice surgery" in t.title for t in b.themes)
    assert not any(t.title.split(": ")[1].startswith("lattice surgery") for t in b.themes)


def test_tfidf_vectors_are_unit_rows_of_the_window() -> None:
    vectors = tfidf_vectors(window())
    assert vectors.space == "tf-idf"
    assert vectors.matrix.shape[0] == 6
    norms = (vectors.matrix**2).sum(axis=1)
    assert abs(norms - 1).max() < 1e-5
