"""The matcher's pure parts: no framework, no I/O of their own (an import contract holds it).

- :mod:`.registry` — which radars exist, at which revision;
- :mod:`.pipeline` — papers in, matches out, through the store port;
- :mod:`.semantic` — the embedding role: papers' vectors in, semantic matches out.
"""
