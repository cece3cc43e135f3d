"""Plumbing every process needs: errors, settings, logging, metrics helpers."""
