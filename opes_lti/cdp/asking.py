"""Who a launch is to the communities: a person, perhaps a national coordinator."""

from __future__ import annotations

from opes_lti.communities.access import Asker
from opes_lti.lti.launch import Launch

#: LIS roles of people who run the platform, not a course: they coordinate every community.
NATIONAL_ROLES = frozenset(
    {
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
    }
)


def asker_of(launch: Launch) -> Asker:
    """Who the launch is, as the communities' rules see them."""
    return Asker(launch.user, national=any(r in NATIONAL_ROLES for r in launch.roles))
