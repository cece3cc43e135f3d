"""The briefer service: writes one briefing per radar window, by model or extractively.

Pure parts: :mod:`.policy` (which windows are due), :mod:`.extractive` (the summariser
without a model), :mod:`.prompt` (chat messages with the papers fenced as data),
:mod:`.citations` (a model draft held to the window's papers), :mod:`.draft` and
:mod:`.text`, :mod:`.fields`. :mod:`.composer` turns papers into a briefing (model first,
extractive fallback) and is what the CLI calls: :func:`.composer.compose_briefing`.
:mod:`.model` is the model port and its fake; :mod:`.openai_model` the OpenAI-compatible
adapter; :mod:`.service` the consume loop and window closer over the store port;
:mod:`.kafka_source` the aiokafka edge; :mod:`.bootstrap` wires one process
(``python -m academichub.briefer``).
"""
