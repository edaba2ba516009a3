"""Outcome events: the schema every activity reports in, and their durable delivery."""
