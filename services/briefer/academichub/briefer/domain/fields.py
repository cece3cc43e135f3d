"""Which field a paper belongs to, for themes and cross-domain connections.

A field is the top-level archive of the paper's primary category: ``cs.LG`` and
``cs.AI`` are both ``cs``; ``quant-ph`` and ``hep-th`` are fields of their own;
``cond-mat.str-el`` is ``cond-mat``. bioRxiv/medRxiv subjects (``Genomics``) are their
own field. A paper without categories is filed under its source.
"""

from __future__ import annotations

from academichub.contracts import Paper


def primary_category(paper: Paper) -> str:
    return paper.categories[0] if paper.categories else paper.source


def top_level_field(category: str) -> str:
    return category.split(".", 1)[0]


def paper_field(paper: Paper) -> str:
    return top_level_field(primary_category(paper))


def paper_fields(paper: Paper) -> tuple[str, ...]:
    """Every distinct top-level field of the paper's categories, primary first."""
    fields: list[str] = []
    for category in paper.categories or (paper.source,):
        field = top_level_field(category)
        if field not in fields:
            fields.append(field)
    return tuple(fields)
