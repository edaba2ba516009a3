"""Translations for the blocks, found the way Open edX finds an XBlock's.

Open edX's XBlock i18n service reads ``translations/<lang>/LC_MESSAGES/text.mo`` beside
the block's module; this module reads the same files, so the blocks speak the learner's
language in the LMS, in Studio and in the workbench alike. Every string a person sees,
in Python, in templates and in JavaScript, comes from these catalogs: templates and
scripts receive the already-translated texts (see :data:`STRINGS`).
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("it", "en")
DOMAIN = "text"


def _(message: str) -> str:
    """Mark ``message`` for extraction; it is translated when shown (see :func:`strings`)."""
    return message


def current_language() -> str:
    """The learner's language as Django has it activated ('it' or 'en'; Italian first)."""
    try:
        from django.utils.translation import get_language
    except ImportError:  # pragma: no cover - the blocks always run under Django
        return "it"
    language = (get_language() or "it")[:2].lower()
    return language if language in LANGUAGES else "it"


@cache
def translator(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (English falls back to the source strings)."""
    return gettext.translation(DOMAIN, TRANSLATIONS, [language], fallback=True)


def gettext_for(language: str, message: str, **values: object) -> str:
    """``message`` translated, with ``%(name)s`` values filled in."""
    text = translator(language).gettext(message)
    return text % values if values else text


#: Every fixed text of the self-assessment block, by key: templates and the script use
#: the keys, and the catalogs hold the English messages.
STRINGS = {
    "title": _("Competency self-assessment"),
    "about_you": _("About you"),
    "about_you_intro": _(
        "These answers let the programme compare groups of learners. Every field is "
        "optional, and you can change them later."
    ),
    "role": _("Your role in your organisation"),
    "role_manager": _("Manager (board member, coordinator)"),
    "role_volunteer": _("Volunteer"),
    "role_staff": _("Staff member"),
    "prefer_not": _("I prefer not to say"),
    "organisation": _("Organisation"),
    "region": _("Region"),
    "save_continue": _("Save and continue"),
    "skip": _("Skip"),
    "pre_intro": _("Before the course: where do you stand today?"),
    "post_intro": _("After the course: where do you stand now?"),
    "area": _("Area"),
    "previous": _("Previous"),
    "next": _("Next"),
    "submit": _("Submit my answers"),
    "progress": _("Screen {screen} of {screens}. {answered} of {total} answered."),
    "saving": _("Saving…"),
    "saved": _("Saved. {answered} of {total} answered."),
    "failed": _("Not saved: check your connection, then choose again."),
    "missing": _("Some competences have no answer yet."),
    "change_profile": _("Change my profile"),
    "result_title": _("My competence profile"),
    "thanks": _("Thank you: your answers are recorded."),
    "no_pre": _("No answers from before the course were found, so growth cannot be shown."),
    "competence": _("Competence"),
    "your_level": _("Your level"),
    "expected": _("Expected for your role"),
    "before": _("Before"),
    "change": _("Change"),
    "reached": _("reached"),
    "table_caption": _("Your levels, competence by competence"),
    "chart_caption": _("Bars: your level. Lines: the level expected for your role."),
    "chart_description": _(
        "Bars show the level you chose for each competence; lines mark the level expected "
        "for your role; thin bars show your level before the course. The table below "
        "gives the same values."
    ),
    "expected_short": _("Expected"),
    "print": _("Print or save as PDF"),
    "class_title": _("Class view"),
    "class_learners": _("Learners who submitted here: {n}"),
    "class_average": _("Average level"),
    "class_answers": _("Answers"),
    "class_suppressed": _(
        "— : fewer than {k} learners, not shown so that nobody can be recognised."
    ),
    "class_empty": _("Nobody has submitted answers yet. Figures appear here as learners do."),
    "download_csv": _("Download as CSV"),
    "misconfigured": _("This block is set up wrongly: {reason}"),
    "studio_framework": _("Competency framework"),
    "studio_uploaded": _("Uploaded file (CASE JSON)"),
    "studio_from_tool": _("from the OPES tool"),
    "studio_tool_error": _(
        "The OPES tool could not be reached: its frameworks are not listed. Try again later."
    ),
    "studio_file": _("Framework file (CASE JSON, from opes-lti or a spreadsheet export)"),
    "studio_phase": _("Phase"),
    "studio_pre": _("Before the course (pre)"),
    "studio_post": _("After the course (post)"),
    "studio_areas": _("Areas to ask (none ticked: all of them)"),
    "studio_display": _("On each screen"),
    "studio_one": _("One competence"),
    "studio_area": _("A whole area"),
    "studio_weight": _("Weight in the course grade"),
    "studio_name": _("Display name"),
    "studio_save": _("Save"),
    "studio_cancel": _("Cancel"),
    "studio_saved": _("Saved."),
    "studio_error": _("Not saved:"),
}


#: The group exercise block's fixed texts, by key, as :data:`STRINGS` are.
GROUP_STRINGS = {
    "title": _("Group exercise"),
    "brief": _("The brief"),
    "due": _("Due: {due}"),
    "due_late_marked": _("Work handed in later is marked late."),
    "due_late_refused": _("After the deadline no work is taken."),
    "not_formed": _(
        "The groups are not formed yet. Your instructor forms them once everyone has "
        "opened this exercise; come back then."
    ),
    "no_group": _("You are not in a group yet: your instructor will place you."),
    "your_group": _("Your group"),
    "group_number": _("Group {n}"),
    "you": _("You"),
    "member_number": _("Member {n}"),
    "draft": _("The shared draft"),
    "draft_help": _(
        "Every member can write here. If someone saved since you opened the page, you "
        "will see both texts and can merge them."
    ),
    "draft_version": _("Version {n}, saved by {who} on {at}."),
    "draft_empty": _("Nobody has written anything yet."),
    "save_draft": _("Save the draft"),
    "saved": _("Saved as version {n}."),
    "unchanged": _("Nothing changed since the last version."),
    "conflict": _(
        "Someone saved a newer version while you were writing. Their text and yours are "
        "below: merge them in the box, then save again."
    ),
    "theirs_label": _("The newer version"),
    "mine": _("Your text"),
    "submit_title": _("Hand in"),
    "confirm": _("I have read version {n} with my group and we hand it in."),
    "link": _("The address of your group's work (http or https)"),
    "submit": _("Hand in the group's work"),
    "submitted": _("Handed in on {at} (version {n})."),
    "submitted_link": _("Handed in on {at}: {link}"),
    "late": _("Handed in late."),
    "grade": _("Your grade: {grade} out of {scale}."),
    "unavailable": _(
        "The OPES tool cannot be reached just now, so the group's work cannot be shown. "
        "Nothing is lost: try again in a few minutes."
    ),
    "not_set_up": _(
        "This exercise is not connected to the OPES tool yet: the platform's operator "
        "sets TOOL_URL and TOOL_TOKEN in XBLOCK_SETTINGS."
    ),
    "failed": _("Not done: check your connection, then try again."),
    "about_you": _("About you"),
    "about_you_intro": _(
        "Groups mix people from different organisations and regions: say where you come "
        "from (both may stay empty) before the groups are formed."
    ),
    "organisation": _("Organisation"),
    "region": _("Region"),
    "prefer_not": _("I prefer not to say"),
    "save_profile": _("Save"),
    "profile_saved": _("Saved: groups will be formed with this."),
    "staff_title": _("For instructors"),
    "staff_visitors": _("Learners who opened this exercise: {n}"),
    "staff_form": _("Form the groups now"),
    "staff_form_help": _(
        "Groups are formed once, from everyone who has opened the exercise; whoever comes "
        "later joins a group with room."
    ),
    "staff_groups": _("Groups"),
    "staff_group": _("Group"),
    "staff_members": _("Members"),
    "staff_handed_in": _("Handed in"),
    "staff_grade": _("Grade"),
    "staff_yes": _("yes"),
    "staff_no": _("not yet"),
    "staff_score": _("Score for group {n} (0 to {scale})"),
    "staff_save_grade": _("Save the grade"),
    "staff_publish": _("Publish to the members"),
    "staff_published": _("{n} grades published."),
    "staff_formed": _("{n} groups formed."),
    "staff_graded": _("The group's grade is saved."),
    "staff_empty": _("No groups yet."),
    "staff_actions": _("Actions"),
    "staff_ungraded": _("not graded"),
    "staff_open": _("Open"),
    "staff_open_group": _("Open {group}"),
    "staff_publish_group": _("Publish the grades of {group}"),
    "staff_code": _("Learner {code}"),
    "staff_learner": _("Learner"),
    "staff_unplaced": _("Learners without a group"),
    "staff_move_to": _("Into"),
    "staff_new_group": _("a new group"),
    "staff_take_out": _("out of the group"),
    "staff_place": _("Place"),
    "staff_move": _("Move"),
    "staff_reason": _("Reason (kept in the history)"),
    "staff_moved": _("Done: the group's history keeps it."),
    "staff_taken_out": _(
        "The learner is out of the group; what they wrote stays, and the history keeps it."
    ),
    "staff_team_group": _(
        "This group is one of the course's teams: its members change on the Teams page."
    ),
    "staff_history": _("Who was in the group, and when"),
    "staff_in_group": _("In the group"),
    "staff_why": _("Placed by, or why they left"),
    "staff_since": _("since {at}"),
    "staff_from_to": _("from {since} to {until}"),
    "staff_work": _("What the group handed in"),
    "staff_level": _("{label} ({points} points)"),
    "staff_comment": _("Comment for the group"),
    "staff_member_grades": _("Each member's grade"),
    "staff_computed": _("By the scheme"),
    "staff_factor": _("{grade} (peer factor {factor})"),
    "staff_override": _("Override"),
    "staff_overridden": _("{grade}: {reason}"),
    "staff_final": _("Grade"),
    "staff_is_published": _("(published)"),
    "staff_score_hint": _("Grade (0 to {scale})"),
    "staff_member_grade": _("Save the member's grade"),
    "staff_override_grade": _("Grade in place of the scheme's (empty: take the override back)"),
    "staff_save_override": _("Save the override"),
    "staff_member_saved": _("The member's grade is saved."),
    "rate_title": _("Rate your group"),
    "rate_help": _(
        "Give each member, yourself included, a mark from 0 to 5 for their part in the "
        "work. Nobody else in the group sees your marks; they adjust each member's grade. "
        "You can change them until the grades are published."
    ),
    "rate_member": _("Mark for {who}"),
    "rate_yourself": _("Mark for yourself"),
    "rate_save": _("Save my marks"),
    "rated": _("Your marks are saved."),
    "files_title": _("The group's files"),
    "files_empty": _("No files shared yet."),
    "file_line": _("{name} ({size} KB), shared by {who} on {at}"),
    "file_help": _(
        "PDF, office documents, images or plain text, up to {mb} MB. A file is checked by "
        "what it contains, not by its name."
    ),
    "file_choose": _("A file to share with the group"),
    "file_share": _("Share the file"),
    "uploading": _("Sending the file…"),
    "no_file": _("Choose a file to share first."),
    "file_download": _("Download {name}"),
    "file_withdraw": _("Withdraw {name}"),
    "file_uploaded": _("{name} is shared with the group."),
    "file_withdrawn": _("The file is withdrawn; it is kept, no longer shown."),
    "file_pick": _("The file to hand in"),
    "withdraw": _("Withdraw"),
    "confirm_file": _("My group has seen this file and we hand it in."),
    "file_none_yet": _("Share a file above first, then hand it in here."),
    "submitted_file": _("Handed in on {at}: {name}"),
    "reviews_title": _("Reviews to give"),
    "reviews_help": _(
        "Your group reviews these works by the rubric, once each. Reviewers and reviewed "
        "stay anonymous to each other."
    ),
    "review_work": _("Work {n}"),
    "review_done": _("Your group has reviewed this work."),
    "review_comment": _("Comment for the group that wrote it"),
    "review_send": _("Send the review"),
    "reviewed": _("Thank you: the review is sent."),
    "received_title": _("Reviews your work received"),
    "received_line": _("Review {n}: {score} points."),
    "staff_reviews": _("Reviews between groups"),
    "staff_reviews_help": _(
        "{n} groups have handed in. Draw the reviews once, when the hand-ins are in: each "
        "group then reviews others' work by the rubric."
    ),
    "staff_reviews_start": _("Draw the reviews"),
    "staff_reviews_drawn": _("{n} reviews drawn."),
    "staff_reassign": _("Move the reviews idle groups owe"),
    "staff_reassigned": _("{n} reviews moved away from groups that did not review."),
    "staff_waiting": _("Who is waiting on whom"),
    "staff_waiting_work": _("Work of"),
    "staff_waiting_received": _("Reviews received"),
    "staff_waiting_owed": _("Still owed by"),
    "staff_waiting_none": _("Every work has the reviews it needs."),
    "staff_owed_nobody": _("nobody: grade it yourself"),
    "staff_reviews_col": _("Reviews"),
    "versions_title": _("Every version"),
    "version_show": _("Show"),
    "version_show_n": _("Show version {n}"),
    "version_title": _("Version {n} of the draft"),
    "version_changes": _("What changed since the version before"),
    "version_whole": _("The whole text"),
    "diff_hint": _("Green lines were added, struck-through lines removed."),
    "diff_none": _("No change."),
    "past_title": _("Groups you were in"),
    "past_help": _("You keep reading what a group you were in wrote."),
    "past_open": _("Open {group}"),
    "choose_title": _("Choose your group"),
    "choose_help": _(
        "Take a place in a group with room. You can change group until your group hands in."
    ),
    "choose_row": _("{group}: {n} of {most} places taken"),
    "choose_join": _("Join"),
    "choose_join_group": _("Join {group}"),
    "choose_none": _("No group has room just now: your instructor will add one."),
    "chose": _("You joined the group."),
    "import_title": _("Groups from a spreadsheet"),
    "import_help": _(
        "A CSV file with the columns persona;gruppo (or learner,group): one line per "
        "learner, by username or e-mail, and the name of their group. Nothing changes "
        "unless every line can be used."
    ),
    "import_file": _("The spreadsheet (CSV, at most 1 MB)"),
    "import_send": _("Import the groups"),
    "import_done": _("{n} groups imported."),
    "import_too_big": _("Choose a CSV file of at most 1 MB."),
}
#: The communities block's fixed texts, by key.
COMMUNITY_STRINGS = {
    "intro": _(
        "Third Sector organisations share practices here, record partnerships and start "
        "interventions together. Join the communities you work with."
    ),
    "none": _("There are no communities yet: the programme's national coordinator creates them."),
    "open": _("Open"),
    "open_one": _("Open {name}"),
    "one_member": _("1 member"),
    "members": _("{n} members"),
    "you_are_member": _("You are a member"),
    "space": _("The community's own space"),
    "new_window": _("(opens in a new window)"),
    "nobody": _("Nobody has joined yet: be the first."),
    "you": _("You"),
    "member_number": _("Member {n}"),
    "showing": _("What the other members may see of you"),
    "organisation": _("Organisation"),
    "region": _("Region"),
    "prefer_not": _("I prefer not to say"),
    "show_organisation": _("Show my organisation"),
    "show_region": _("Show my region"),
    "join": _("Join the community"),
    "leave": _("Leave the community"),
    "leave_help": _("What you shared stays with the community if you leave."),
    "joined": _("Welcome to the community."),
    "left": _("You have left the community."),
    "all": _("All the communities"),
    "profile_problem": _("Not joined:"),
    "unavailable": _(
        "The OPES tool cannot be reached just now, so the communities cannot be shown. "
        "Try again in a few minutes."
    ),
    "not_set_up": _(
        "This block is not connected to the OPES tool yet: the platform's operator sets "
        "TOOL_URL and TOOL_TOKEN in XBLOCK_SETTINGS."
    ),
    "failed": _("Not done: check your connection, then try again."),
    # The screens beyond joining (community/screens.py), worded as the LTI pages are.
    "library": _("Practice library"),
    "words_to_find": _("Words to look for"),
    "search": _("Search"),
    "found": _("Practices found: {n}"),
    "waiting_review": _("Waiting for your review"),
    "your_practices": _("Your practices"),
    "share_practice": _("Share a practice"),
    "coordinator_comment": _("The coordinator's comment:"),
    "send_review": _("Send for review"),
    "publish": _("Publish"),
    "what_to_change": _("What the author should change"),
    "return_author": _("Return it to its author"),
    "plain_text": _("Write plain text: leave an empty line between paragraphs."),
    "f_title": _("Title"),
    "f_problem": _("Problem and context"),
    "f_audience": _("Who it is for"),
    "f_actions": _("What was done"),
    "f_resources": _("Resources used"),
    "f_results": _("Results"),
    "f_lessons": _("Difficulties and lessons"),
    "f_transfer": _("How it could be transferred"),
    "f_themes": _("Themes (short words separated by commas)"),
    "save_draft": _("Save the draft"),
    "meetings": _("Meetings"),
    "plan": _("Meetings held: {held} of the {planned} planned"),
    "code_read_out": _("Check-in code the coordinator read out"),
    "check_in": _("Check in"),
    "no_meeting": _("No meeting is scheduled yet."),
    "schedule": _("Schedule a meeting"),
    "open_meeting": _("Open meeting {n}"),
    "cancelled": _("This meeting is cancelled."),
    "video_room": _("Video room"),
    "answers": _("{going} going, {not_going} not going (answers are not attendance)"),
    "going_q": _("Are you going?"),
    "going": _("I am going"),
    "not_going": _("I am not going"),
    "code_for_members": _("Code for the members:"),
    "close_code": _("Close the code"),
    "open_code": _("Open a check-in code"),
    "register": _("Attendance"),
    "member": _("Member"),
    "attendance": _("Attendance"),
    "minutes_attended": _("Minutes attended"),
    "not_recorded": _("joined during the meeting: not recorded"),
    "save_attendance": _("Save the attendance"),
    "all_meetings": _("All the meetings"),
    "italian_time": _("Times are Italian time."),
    "date": _("Date"),
    "time": _("Time"),
    "length": _("Length in minutes"),
    "mode": _("Online or in person"),
    "place": _("Place (in person)"),
    "agenda": _("Agenda"),
    "save_meeting": _("Save the meeting"),
    "partnerships": _("Partnerships"),
    "interventions": _("Interventions"),
    "new_partnership": _("Record a partnership"),
    "new_intervention": _("Record an intervention"),
    "waiting_confirmation": _("Waiting for your confirmation"),
    "confirmed": _("Confirmed"),
    "none_confirmed": _("None is confirmed yet."),
    "yours_unconfirmed": _("Recorded by you, not yet confirmed"),
    "confirm": _("Confirm"),
    "new_stage": _("New stage"),
    "on_day": _("On (the day it started or ended)"),
    "save_stage": _("Save the stage"),
    "why_optional": _("Why (optional)"),
    "withdraw": _("Withdraw"),
    "history": _("History"),
    "partnership_help": _(
        "Name at least two parties. Co-programming and co-design (art. 55 of the Third "
        "Sector Code) are opened by a public body: name it."
    ),
    "intervention_help": _(
        "Say where it happens and how far it has gone; a running or completed intervention "
        "says when it started."
    ),
    "f_act": _("Formal act"),
    "f_act_reference": _("Reference of the act (number, date)"),
    "f_since": _("Since"),
    "f_organisations": _("Organisations"),
    "f_organisations_commas": _("Organisations (separated by commas)"),
    "f_public_bodies": _("Public bodies"),
    "public_body": _("Public body"),
    "kind": _("Kind"),
    "choose": _("Choose"),
    "f_stage": _("Stage"),
    "f_started_on": _("Started on"),
    "f_regions": _("Regions"),
    "f_partners": _("Partners"),
    "partner": _("Partner"),
    "an_organisation": _("an organisation"),
    "f_description": _("Description"),
    "f_practices": _("Practices it comes from"),
    "save": _("Save"),
    "back_community": _("Back to the community"),
    "n_saved": _("Saved."),
    "n_checked_in": _("You are checked in. Thank you."),
    "n_done": _("Done."),
    "w_p_draft": _("draft"),
    "w_p_submitted": _("waiting for review"),
    "w_p_published": _("published"),
    "w_p_returned": _("returned to its author"),
    "w_p_withdrawn": _("withdrawn"),
    "w_submitted": _("waiting for confirmation"),
    "w_confirmed": _("confirmed"),
    "w_returned": _("returned to its author"),
    "w_withdrawn": _("withdrawn"),
    "w_online": _("online"),
    "w_in_person": _("in person"),
    "w_present": _("present"),
    "w_late": _("late"),
    "w_excused": _("excused"),
    "w_absent": _("absent"),
    "w_protocol": _("memorandum of understanding"),
    "w_agreement": _("agreement"),
    "w_co_programming": _("co-programming (art. 55 of the Third Sector Code)"),
    "w_co_design": _("co-design (art. 55 of the Third Sector Code)"),
    "w_network": _("network agreement"),
    "w_other": _("other"),
    "w_municipality": _("municipality"),
    "w_region": _("region"),
    "w_health_authority": _("local health authority"),
    "w_school": _("school"),
    "w_planned": _("planned"),
    "w_running": _("running"),
    "w_completed": _("completed"),
    "w_record": _("recorded"),
    "w_edit": _("changed"),
    "w_confirm": _("confirmed"),
    "w_return": _("returned to its author"),
    "w_withdraw": _("withdrawn"),
    "w_progress": _("moved on"),
}
_TABLES = {"selfassessment": STRINGS, "groupwork": GROUP_STRINGS, "community": COMMUNITY_STRINGS}


@cache
def strings(language: str, block: str = "selfassessment") -> dict[str, str]:
    """A block's texts in ``language`` (one shared dict per language: read, never change)."""
    return {key: gettext_for(language, message) for key, message in _TABLES[block].items()}
