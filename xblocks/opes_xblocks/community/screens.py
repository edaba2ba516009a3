"""The community block's screens beyond joining: the library, meetings and records.

Each screen is one call to the tool's API for blocks (``opes_lti.cdp.*_api``); this
module turns what a form sends into that call's body, and the answer into what the
template shows, already worded. The forms are the LTI pages' own (the same pure
converters, :mod:`opes_lti.communities.sheetform` and ``recordform``), so both faces
save the same records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from opes_lti.communities import meeting, partnership, recordform, sheetform
from opes_lti.regions import REGIONS

Form = Mapping[str, Any]


def _text(form: Form, name: str, most: int = 4000) -> str:
    value = form.get(name)
    return str(value).strip()[:most] if isinstance(value, str | int) else ""


def _many(form: Form, name: str) -> list[str]:
    """A field a form may send several times (the script sends a list)."""
    value = form.get(name)
    values = value if isinstance(value, list) else [value] if value else []
    return [str(v)[:40] for v in values[:40]]


def _ref(form: Form, name: str) -> str:
    return _text(form, name, 40)


def _flat(form: Form) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _schedule(form: Form) -> dict[str, Any]:
    try:
        starts = meeting.from_local(_text(form, "day", 20), _text(form, "time", 10)).isoformat()
    except ValueError:
        starts = _text(form, "day", 20)  # the tool names the field
    minutes = _text(form, "minutes", 5)
    return {
        "starts_at": starts, "minutes": int(minutes) if minutes.isdigit() else minutes,
        "mode": _text(form, "mode", 20), "place": _text(form, "place", 300),
        "link": _text(form, "link", 2000), "agenda": _text(form, "agenda"),
    }  # fmt: skip


def _marks(form: Form) -> dict[str, dict[str, Any]]:
    marks: dict[str, dict[str, Any]] = {}
    for key, status in form.items():
        number = key.removeprefix("status-")
        if key.startswith("status-") and isinstance(status, str) and status:
            minutes = _text(form, f"minutes-{number}", 5)
            mark: dict[str, Any] = {"status": status}
            if minutes:
                mark["minutes"] = int(minutes) if minutes.isdigit() else minutes
            marks[number[:12]] = mark
    return marks


def _kind(form: Form) -> partnership.Kind:
    return "intervention" if form.get("kind") == "intervention" else "partnership"


def _record_sheet(form: Form) -> dict[str, Any]:
    kind = _kind(form)
    picked = {name: _many(form, name) for name in recordform.PICKED[kind]}
    return recordform.raw_of(kind, _flat(form), picked)


def _optional(form: Form, name: str, most: int) -> dict[str, str]:
    value = _text(form, name, most)
    return {name: value} if value else {}


#: Each call the block's forms and buttons make, and its body from what they send.
CALLS: dict[str, Callable[[Form], dict[str, Any]]] = {
    "library": lambda f: {"community": _text(f, "community", 60), "q": _text(f, "q", 200)},
    "practice": lambda f: {"practice": _ref(f, "practice")},
    "practice_save": lambda f: {"community": _text(f, "community", 60),
                                "sheet": sheetform.sheet_of(_flat(f))},
    "practice_move": lambda f: {"practice": _ref(f, "practice"), "move": _text(f, "move", 20),
                                "comment": _text(f, "comment", 2000)},
    "meetings": lambda f: {"community": _text(f, "community", 60)},
    "meeting": lambda f: {"meeting": _ref(f, "meeting")},
    "meeting_save": lambda f: {"community": _text(f, "community", 60),
                               "schedule": _schedule(f)},
    "meeting_answer": lambda f: {"meeting": _ref(f, "meeting"), "answer": _text(f, "answer", 20)},
    "meeting_code": lambda f: {"meeting": _ref(f, "meeting"), "do": _text(f, "do", 10)},
    "checkin": lambda f: {"community": _text(f, "community", 60), "code": _text(f, "code", 20)},
    "meeting_attendance": lambda f: {"meeting": _ref(f, "meeting"), "marks": _marks(f)},
    "records": lambda f: {"community": _text(f, "community", 60), "kind": _kind(f)},
    "record": lambda f: {"record": _ref(f, "record")},
    "record_save": lambda f: {"community": _text(f, "community", 60), "kind": _kind(f),
                              "sheet": _record_sheet(f)},
    "record_move": lambda f: {"record": _ref(f, "record"), "move": _text(f, "move", 20),
                              "comment": _text(f, "comment", 2000)},
    "record_progress": lambda f: {"record": _ref(f, "record"), "stage": _text(f, "stage", 20)}
    | _optional(f, "on", 10),
}  # fmt: skip
#: Screens that are a form to fill, drawn without asking the tool.
FORMS = ("practice_new", "meeting_new", "record_new")


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return meeting.local(datetime.fromisoformat(iso)).strftime("%d/%m/%Y %H:%M")


def _words(t: Mapping[str, str]) -> dict[str, str]:
    return {key.removeprefix("w_"): value for key, value in t.items() if key.startswith("w_")}


def view(t: Mapping[str, str], call: str, answer: Mapping[str, Any]) -> dict[str, Any]:
    """What the screen after ``call`` shows, from the tool's ``answer``."""
    words = _words(t)
    if "practices" in answer:
        return {"screen": "library", "community": answer["community"],
                "rows": answer["practices"], "mine": answer["mine"],
                "waiting": answer["waiting"], "can_share": answer["role"] != "visitor",
                "found": t["found"].format(n=answer["total"])}  # fmt: skip
    if "practice" in answer:
        p = dict(answer["practice"])
        sheet = p["sheet"]
        long = [(t[f"f_{name}"], sheet.get(name, "")) for name in sheetform.LONG
                if sheet.get(name)]  # fmt: skip
        return {"screen": "practice", "p": p, "long": long, "state": words[f"p_{p['state']}"],
                "community": p["community"],
                "may_submit": p["author"] and p["state"] in ("draft", "returned"),
                "may_review": p["reviewer"] and p["state"] == "submitted"}  # fmt: skip
    if "meetings" in answer:
        plan = answer["plan"]
        rows = [m | {"when": _when(m["starts_at"]), "mode_word": words[m["mode"]],
                     "open_label": t["open_meeting"].format(n=m["sequence"])}
                for m in answer["meetings"]]  # fmt: skip
        held = sum(p["held"] for p in plan.values())
        planned = sum(p["planned"] for p in plan.values())
        return {"screen": "meetings", "community": answer["community"], "rows": rows,
                "plan": t["plan"].format(held=held, planned=planned),
                "coordinator": answer["role"] in ("coordinator", "national"),
                "member": answer["role"] != "visitor"}  # fmt: skip
    if "meeting" in answer:
        m = dict(answer["meeting"])
        register = [
            line | {"label": t["member_number"].format(n=n), "choices": [
                (s, words[s], s == line["status"]) for s in meeting.STATUSES]}
            for n, line in enumerate(m.get("register") or [], start=1)
        ]  # fmt: skip
        return {"screen": "meeting", "m": m, "when": _when(m["starts_at"]),
                "mode_word": words[m["mode"]], "register": register,
                "code_closes": _when(m.get("code_closes_at")),
                "answers": t["answers"].format(going=m["answers"]["going"],
                                               not_going=m["answers"]["not_going"]),
                "community": m["community"],
                "may_answer": not m["held"] and not m["cancelled"]}  # fmt: skip
    if "records" in answer:
        kind = answer["kind"]
        return {"screen": "records", "kind": kind, "community": answer["community"],
                "heading": t[f"{kind}s"], "rows": [_summary(t, r) for r in answer["records"]],
                "mine": answer["mine"], "waiting": answer["waiting"],
                "can_share": answer["role"] != "visitor",
                "new_label": t[f"new_{kind}"]}  # fmt: skip
    if "record" in answer:
        r = dict(answer["record"])
        return {"screen": "record", "r": r, "kind": r["kind"], "community": r["community"],
                "back_label": t[f"{r['kind']}s"],
                "lines": _details(t, r), "state": words[r["state"]],
                "history": [f"{h['at'][:10]} · {words.get(h['move'], h['move'])}"
                            for h in r["history"]],
                "may_confirm": r["confirmer"] and r["state"] == "submitted",
                "may_withdraw": (r["author"] or r["confirmer"]) and r["state"] != "withdrawn",
                "next_stages": [(s, words[s]) for s in partnership.STAGES
                                if r["kind"] == "intervention" and r["confirmer"]
                                and r["state"] == "confirmed" and r["stage"]
                                and partnership.forward(r["stage"], s)]}  # fmt: skip
    return {"screen": ""}


def _parties(sheet: Mapping[str, Any]) -> str:
    names = [b["name"] for b in sheet.get("public_bodies", [])] + list(
        sheet.get("organisations", [])
    )
    return ", ".join(names)


def _summary(t: Mapping[str, str], row: Mapping[str, Any]) -> dict[str, Any]:
    sheet = row["sheet"]
    words = _words(t)
    if row["kind"] == "partnership":
        said = f"{words[sheet['act']]} · {_parties(sheet)}"
    else:
        said = words[row["stage"]] + " · " + ", ".join(REGIONS.get(g, g) for g in sheet["regions"])
    return dict(row) | {"said": said}


def _details(t: Mapping[str, str], r: Mapping[str, Any]) -> list[tuple[str, str]]:
    sheet = r["sheet"]
    words = _words(t)
    lines: list[tuple[str, str]] = []
    if r["kind"] == "partnership":
        lines.append((t["f_act"], words[sheet["act"]] + (
            f" · {sheet['act_reference']}" if sheet.get("act_reference") else "")))  # fmt: skip
        lines.append((t["f_since"], sheet["since"]))
        lines += [(t["public_body"], f"{b['name']} ({words[b['kind']]})")
                  for b in sheet["public_bodies"]]  # fmt: skip
        if sheet["organisations"]:
            lines.append((t["f_organisations"], ", ".join(sheet["organisations"])))
    else:
        lines.append((t["f_stage"], words[r["stage"]]))
        lines.append((t["f_regions"], ", ".join(REGIONS.get(g, g) for g in sheet["regions"])))
        if sheet.get("started_on"):
            lines.append((t["f_started_on"], sheet["started_on"]))
        lines += [(t["f_partners"], p["name"]) for p in sheet["partners"]]
    lines += [(t["f_practices"], p["title"]) for p in r["practices"]]
    return lines


def form(t: Mapping[str, str], screen: str, given: Form) -> dict[str, Any]:
    """An empty form: a practice's sheet, a meeting, or a record of the kind asked."""
    words = _words(t)
    kind = _kind(given)
    return {
        "screen": screen, "community": _text(given, "community", 60), "kind": kind,
        "rows": range(3), "long": [(name, t[f"f_{name}"]) for name in
                                   ("problem", "audience", "actions", "results")],
        "acts": [(a, words[a]) for a in partnership.ACTS],
        "bodies": [(b, words[b]) for b in partnership.PUBLIC_BODIES],
        "stages": [(s, words[s]) for s in partnership.STAGES],
        "regions": sorted(REGIONS.items(), key=lambda item: item[1]),
        "heading": t[f"new_{kind}"] if screen == "record_new" else "",
    }  # fmt: skip
