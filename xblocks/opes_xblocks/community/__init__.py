"""The communities of practice block."""

from opes_xblocks.community.block import CommunityXBlock

__all__ = ["CommunityXBlock"]
