"""Competency self-assessment: frameworks, answers, and the knowledge gap closed."""
