"""What every edit form shares (issue 11): the reason and source of a change, and turning a
refusal of the core (bad input, SHACL violations) into messages at the form's fields.
Flask-free; the trajectory edit form (``edit_trajectory.py``) and the forms that add or correct
entities (``entity_forms.py``) use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from amkg.graph.changes import BadChange, ChangeSource, Violation, parse_date

#: The form fields of a change's reason and source (the "Reden en bron" part of every form).
SOURCE_FIELDS = ("reason", "source_title", "source_date", "source_url", "source_meeting")
#: The core's names for the source (``BadChange.field``) -> form field.
SOURCE_NAMES = {
    "reason": "reason",
    "source": "source_title",
    "source_title": "source_title",
    "source_date": "source_date",
    "source_url": "source_url",
    "source_meeting": "source_meeting",
}


def first_value(rows: Iterable[Mapping[str, object]], name: str) -> str:
    """The smallest value of ``name`` among ``rows`` as text (a form shows one), else ``""``."""
    found = sorted(str(r[name]) for r in rows if r.get(name) is not None)
    return found[0] if found else ""


def source_of(form: Mapping[str, str]) -> ChangeSource:
    """The change's source from the form (a date that does not exist: ``BadChange``)."""
    day_text = form.get("source_date", "").strip()
    day = parse_date(day_text, "source_date") if day_text else None
    return ChangeSource(
        title=form.get("source_title", "").strip(),
        date=day,
        url=form.get("source_url", "").strip() or None,
        meeting=form.get("source_meeting", "").strip() or None,
    )


def field_errors(
    violations: Iterable[Violation], field_of: Callable[[str | None], str], lang: str
) -> dict[str, list[str]]:
    """The violations of a refused change by form field ('' for the form as a whole)."""
    errors: dict[str, list[str]] = {}
    for violation in violations:
        if violation.severity == "Violation":
            errors.setdefault(field_of(violation.path), []).append(violation.message(lang))
    return errors


def bad_input(
    error: BadChange, field_of: Callable[[str | None], str], lang: str
) -> dict[str, list[str]]:
    """A refused input as the form's errors: its message at the field it names. The core's
    message opens with the field's own name for scripts (``revisedDate: ...``); beside the
    field, under its Dutch or English label, that name is left out."""
    field, message = field_of(error.field), error.message(lang)
    if field and error.field and message.startswith(f"{error.field}: "):
        message = message[len(error.field) + 2 :]
    return {field: [message]}
