"""Open edX XBlocks for the OPES programme (competency self-assessment first)."""
