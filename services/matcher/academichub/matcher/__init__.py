"""The matcher service: stores and indexes papers, matches them against every radar.

Pure parts: :mod:`.registry` (which radars exist, at which revision) and
:mod:`.pipeline` (papers in, matches out, through the store port). The faust app
(:mod:`.app`) and the radar follower (:mod:`.radar_feed`) are the edges;
:mod:`.bootstrap` wires one process.
"""
