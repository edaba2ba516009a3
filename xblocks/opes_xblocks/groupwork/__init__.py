"""The group exercise block."""

from opes_xblocks.groupwork.block import GroupWorkXBlock

__all__ = ["GroupWorkXBlock"]
