"""Kafka plumbing: the local Tansu broker, topic creation, publishing, dead letters."""
