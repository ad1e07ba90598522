"""The words a manager's page uses for the store's machine facts: local dates rather than UTC stamps, people and files
rather than version ids and checksums (issue 20). The ids stay in the CLI and in a page's "Technical details"."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.periods import long_label

LOCAL = ZoneInfo("Europe/London")
NOT_REPORTED = "not reported"
NOT_RECORDED = "not recorded"


def local_when(stamp: object) -> str:
    """An ISO time stamp (UTC when it names no zone, as the store writes them) as people say it, in UK time:
    `7 December 2026 at 14:02`. "" for a missing or unreadable one."""
    try:
        when = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(LOCAL)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def figures_updated(created_at: str | None, *, author: str | None = None, file_name: str | None = None) -> str:
    """The line under a page's title: when the figures were last changed, by whom and from which file."""
    when = local_when(created_at) if created_at else ""
    if not when:
        return "No figures have been loaded yet."
    line = f"Figures last updated on {when}"
    if author:
        line += f" by {author}"
    if file_name:
        line += f", from {file_name}"
    return line + "."


def written_by(author: str | None, created_at: str | None) -> str:
    """Who wrote a comment and when: `Written by Jo Bloggs on 10 April 2024 at 10:12`."""
    when = local_when(created_at) if created_at else ""
    line = f"Written by {author or 'someone not recorded'}"
    return f"{line} on {when}" if when else line


def commentary_shown(table: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The commentary table as a manager reads it: the measure by name (the month's overall commentary said so), the
    month in words, who wrote it and when in UK time; no keys or stamps."""
    def measure(kpi_id: str) -> str:
        found = catalogue.get(kpi_id) if kpi_id else None
        return found.name if found is not None else (kpi_id or "The month overall")

    return pd.DataFrame({
        "Measure": [measure(str(k)) for k in table["kpi_id"].fillna("")],
        "Month": [long_label(str(p)) if p else NOT_RECORDED for p in table["period"].fillna("")],
        "Commentary": table["text"].fillna("").astype(str).tolist(),
        "Written by": [str(a) if isinstance(a, str) and a else NOT_RECORDED for a in table["author"]],
        "When": [local_when(c) or NOT_RECORDED for c in table["created_at"]],
    })
