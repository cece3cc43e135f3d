"""The matcher service: stores and indexes papers, matches them against every radar.

Pure parts are the :mod:`.domain` package: :mod:`.domain.registry` (which radars exist, at
which revision), :mod:`.domain.pipeline` (papers in, matches out, through the store port) and
:mod:`.domain.semantic` (the embedding role). The edges:
:mod:`.handlers` (what the two consumer loops of :mod:`academichub.broker.consumer` do
with papers and radar changes); :mod:`.bootstrap` wires one process and says when it is
ready.
"""
