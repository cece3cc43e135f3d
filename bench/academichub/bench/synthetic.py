"""Synthetic but realistic papers, as many as a benchmark needs, deterministic per seed.

Each paper belongs to a field with its own vocabulary and category; titles and abstracts
mix that vocabulary (drawn Zipf-like, so a few words are common and most are rare, as in
real text) with the general words of scientific prose, plus an occasional TeX fragment.
Sources, dates (weekday announcements over a year) and authors vary like a real feed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from typing import Final

from academichub.contracts import Paper

FIELDS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "quant-ph": (
        (
            "quantum",
            "qubit",
            "entanglement",
            "decoherence",
            "error correction",
            "surface code",
            "superconducting",
            "photonic",
            "Hamiltonian",
            "variational",
            "annealing",
            "fidelity",
            "teleportation",
            "Bell inequality",
            "tomography",
            "magic state",
            "logical qubit",
            "trapped ion",
            "circuit depth",
            "noise channel",
            "Clifford",
            "syndrome",
            "topological",
        ),
        "arxiv",
    ),
    "cs.LG": (
        (
            "neural network",
            "transformer",
            "attention",
            "gradient descent",
            "diffusion model",
            "reinforcement learning",
            "representation",
            "contrastive",
            "fine-tuning",
            "benchmark",
            "generalization",
            "overparameterized",
            "kernel",
            "bandit",
            "policy",
            "distillation",
            "sparsity",
            "pruning",
            "federated",
            "graph neural network",
            "embedding",
            "optimizer",
        ),
        "arxiv",
    ),
    "cs.CL": (
        (
            "language model",
            "tokenizer",
            "translation",
            "instruction tuning",
            "retrieval",
            "summarization",
            "hallucination",
            "multilingual",
            "reasoning",
            "chain of thought",
            "alignment",
            "dialogue",
            "evaluation",
            "prompt",
            "corpus",
            "parsing",
            "speech",
        ),
        "arxiv",
    ),
    "cs.CV": (
        (
            "image segmentation",
            "object detection",
            "vision transformer",
            "point cloud",
            "depth estimation",
            "video",
            "generative",
            "pose estimation",
            "super-resolution",
            "self-supervised",
            "radiance field",
            "optical flow",
            "tracking",
            "captioning",
        ),
        "arxiv",
    ),
    "hep-th": (
        (
            "string theory",
            "holography",
            "black hole",
            "gauge theory",
            "supersymmetry",
            "conformal field theory",
            "scattering amplitude",
            "entropy",
            "de Sitter",
            "anomaly",
            "dark matter",
            "inflation",
            "brane",
            "duality",
            "renormalization",
        ),
        "arxiv",
    ),
    "cond-mat.str-el": (
        (
            "superconductivity",
            "Mott insulator",
            "spin liquid",
            "magnon",
            "Hubbard model",
            "topological insulator",
            "phase transition",
            "quasiparticle",
            "moiré",
            "graphene",
            "Kondo",
            "frustration",
            "phonon",
            "band structure",
        ),
        "arxiv",
    ),
    "astro-ph.GA": (
        (
            "galaxy",
            "star formation",
            "dark matter halo",
            "redshift",
            "supernova",
            "exoplanet",
            "gravitational wave",
            "accretion",
            "quasar",
            "interstellar medium",
            "telescope",
            "spectroscopy",
            "cosmic ray",
            "lensing",
        ),
        "arxiv",
    ),
    "math.PR": (
        (
            "random walk",
            "martingale",
            "Brownian motion",
            "large deviations",
            "percolation",
            "stochastic process",
            "Markov chain",
            "mixing time",
            "concentration",
            "random matrix",
            "branching process",
            "ergodic",
        ),
        "arxiv",
    ),
    "Epidemiology": (
        (
            "cohort",
            "vaccine",
            "incidence",
            "mortality",
            "randomized trial",
            "infection",
            "surveillance",
            "risk factor",
            "prevalence",
            "hospitalization",
            "public health",
            "immunotherapy",
            "cancer",
            "diabetes",
            "meta-analysis",
        ),
        "medrxiv",
    ),
    "Genomics": (
        (
            "genome",
            "sequencing",
            "single-cell",
            "transcriptome",
            "CRISPR",
            "gene expression",
            "protein folding",
            "enhancer",
            "variant",
            "chromatin",
            "RNA",
            "methylation",
            "microbiome",
            "phylogenetic",
        ),
        "biorxiv",
    ),
}
GENERAL: Final = (
    "we",
    "propose",
    "a",
    "novel",
    "method",
    "for",
    "the",
    "of",
    "and",
    "in",
    "show",
    "that",
    "results",
    "demonstrate",
    "approach",
    "model",
    "data",
    "analysis",
    "framework",
    "based",
    "on",
    "using",
    "performance",
    "improves",
    "state-of-the-art",
    "experiments",
    "study",
    "new",
    "efficient",
    "robust",
    "scalable",
    "theory",
    "we find",
    "significant",
    "large",
    "across",
    "with",
    "to",
    "this",
    "paper",
    "present",
    "evidence",
    "effect",
    "estimate",
    "accuracy",
    "limit",
    "regime",
    "structure",
    "dynamics",
    "learning",
    "measurement",
)
SURNAMES: Final = (
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Smith",
    "Johnson",
    "Müller",
    "García",
    "Rossi",
    "Nguyen",
    "Kim",
    "Sato",
    "Ivanov",
    "Dubois",
    "Silva",
    "Cohen",
    "Okafor",
    "Patel",
    "Hansen",
    "Lovelace",
    "Turing",
    "Noether",
    "Curie",
    "Feynman",
    "Dirac",
    "Hopper",
    "Shannon",
)
GIVEN: Final = (
    "Wei",
    "Jing",
    "Hao",
    "Anna",
    "John",
    "Maria",
    "Luca",
    "Yuki",
    "Olga",
    "Pierre",
    "Ana",
    "David",
    "Amara",
    "Priya",
    "Lars",
    "Ada",
    "Alan",
    "Emmy",
    "Marie",
    "Grace",
    "Claude",
)
TEX: Final = ("$\\mathcal{O}(n \\log n)$", "$\\theta$", "$SU(2)$", "$\\alpha_s$", "$10^{-3}$")


def _zipf_pick(rng: random.Random, words: Sequence[str]) -> str:
    # Rank r drawn with weight 1/r: the first words of each list are the common ones.
    return rng.choices(words, weights=[1.0 / (r + 1) for r in range(len(words))])[0]


def _sentence(rng: random.Random, topic: Sequence[str], length: int) -> str:
    words = [
        _zipf_pick(rng, topic) if rng.random() < 0.35 else rng.choice(GENERAL)
        for _ in range(length)
    ]
    if rng.random() < 0.05:
        words.insert(rng.randrange(len(words)), rng.choice(TEX))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def synthetic_papers(count: int, seed: int = 7, newest: dt.date | None = None) -> Iterator[Paper]:
    rng = random.Random(seed)
    fields = list(FIELDS)
    last = newest or dt.date(2026, 6, 12)
    weekdays = [d for d in (last - dt.timedelta(days=i) for i in range(366)) if d.weekday() < 5]
    for n in itertools.count():
        if n >= count:
            return
        field = rng.choices(fields, weights=[5, 6, 4, 3, 2, 2, 2, 1, 2, 2])[0]
        topic, source = FIELDS[field]
        if source == "arxiv" and rng.random() < 0.03:
            source = "journal:nature-physics"
        title = _sentence(rng, topic, rng.randint(6, 12))[:-1]
        abstract = " ".join(
            _sentence(rng, topic, rng.randint(12, 24)) for _ in range(rng.randint(5, 9))
        )
        authors = tuple(
            f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" for _ in range(rng.randint(1, 6))
        )
        published = weekdays[min(int(rng.expovariate(1 / 60)), len(weekdays) - 1)]
        categories = (
            (field, *rng.sample(fields, rng.randint(0, 1))) if source == "arxiv" else (field,)
        )
        if source == "arxiv":
            # Unique and canonical (YYMM.NNNNN) however many papers are asked for.
            paper_id = f"arxiv:{20 + n // 100_000:02d}06.{n % 100_000:05d}"
        else:
            paper_id = f"doi:10.1101/{published:%Y.%m.%d}.{n:08d}"
        yield Paper(
            id=paper_id,
            version=1 if source == "arxiv" else None,
            source=source,
            announce_type="new" if source == "arxiv" else None,
            title=title,
            abstract=abstract,
            authors=authors,
            categories=tuple(dict.fromkeys(categories)),
            published=published,
            url=f"https://arxiv.org/abs/{paper_id.removeprefix('arxiv:')}"
            if source == "arxiv"
            else None,
        )
