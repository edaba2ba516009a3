"""The reporting service: ingests outcome events and serves the coordinators."""
