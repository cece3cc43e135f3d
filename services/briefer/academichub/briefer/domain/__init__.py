"""The briefer's pure parts: no framework, no I/O of their own (an import contract holds it).

- :mod:`.policy` — which windows are due (each radar's schedule, the configured maximum);
- :mod:`.extractive` — the briefer without a model, and the plan a model refines: themes
  by meaning (:mod:`.vectors`, :mod:`.clustering`) named by keyphrases
  (:mod:`.keyphrases`) scored against the store (:mod:`.corpus`), cross-field
  connections, notable papers, contribution-sentence TL;DRs (:mod:`.contribution`),
  TeX made plain (:mod:`.tex`), field names in zh/en (:mod:`.field_names`);
- :mod:`.prompt` — chat messages with the untrusted data fenced; :mod:`.draft` — the
  shapes a model answers in and their JSON schemas; :mod:`.citations` — answers held
  to the window's papers; :mod:`.text`, :mod:`.fields`;
- :mod:`.model` — the :class:`~.model.ChatModel` port and its scripted fake;
  :mod:`.structured` — ask for JSON, validate, repair once; :mod:`.breaker` — the
  circuit breaker; :mod:`.tokens` — estimates and the per-briefing meter;
- :mod:`.summaries` — per-paper TL;DRs computed once and shared; :mod:`.budget` — daily
  token budgets per radar and user; :mod:`.synthesis` — direct or staged briefings
  planned inside the token budget; :mod:`.composer` — all of it into a ``Briefing``
  (the one path for the service and ``academichub brief``); :mod:`.store_parts` (what
  it needs of the store).
"""
