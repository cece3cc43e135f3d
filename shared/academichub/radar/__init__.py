"""The radar query language: analysis, AST, parser and the in-memory matcher.

Pure domain code: no I/O, no framework imports. The tantivy and Elasticsearch
compilations of the same AST live with their store adapters.
"""
