"""The briefer service: one briefing per radar window, by model or extractively.

Pure parts (no framework, no I/O of their own) are the :mod:`.domain` package, which an
import contract keeps free of frameworks and I/O libraries.

Edges: :mod:`.openai_model` (any OpenAI-compatible endpoint), :mod:`.service` (the
consume loop and the closer: windows, late publications, upgrades), :mod:`.kafka_source`,
:mod:`.metrics`, :mod:`.settings`; :mod:`.bootstrap` wires one process
(``python -m academichub.briefer``).
"""
