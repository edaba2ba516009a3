"""The competency self-assessment block (entry point ``opes_selfassessment``)."""

from opes_xblocks.selfassessment.block import SelfAssessmentXBlock

__all__ = ["SelfAssessmentXBlock"]
