"""Benchmark programs (`academichub bench …`): figures and ratios measured side by side
in one run. Tests never time anything; these programs do, and print what they saw."""
