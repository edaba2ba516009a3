"""What a refusal about a community says to the person who met it, in their language."""

from __future__ import annotations

from flask_babel import gettext as _

from opes_lti.communities.services import CommunityError


def message(exc: CommunityError) -> str:
    """The sentence for ``exc``, saying what to do next."""
    return {
        "no_such_community": _("That community does not exist: go back to the communities."),
        "disabled": _("That community is closed: go back to the communities."),
        "not_member": _("You are not a member of this community."),
        "slug_taken": _("A community with that short name exists already."),
    }[exc.what]
