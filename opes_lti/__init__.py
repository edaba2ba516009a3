"""OPES learning tools: LTI 1.3 tool, Open edX XBlocks and the reporting service."""

__version__ = "0.1.0"
