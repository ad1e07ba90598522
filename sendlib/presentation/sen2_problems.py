"""A SEN2 return's errors and queries as case officers work through them: the counts in words, and one CSV row a
problem (code, severity, the person's place in the file, the XML line, the element, what is wrong, what to fix).

No value from the return is written: the rows say where to look, never what a name, UPN or date of birth holds.
"""

from __future__ import annotations

import pandas as pd

from sendlib.files.sen2 import Sen2Problem, Sen2Return
from sendlib.presentation.extracts import to_csv_bytes
from sendlib.presentation.tables import counted

PROBLEM_COLUMNS = ["code", "severity", "person", "line", "field", "problem", "what to fix"]


def problem_counts(ret: Sen2Return) -> str:
    """`3 errors, 5 queries`: every problem found, not only those listed."""
    return f"{counted(ret.error_count, 'error')}, {counted(ret.query_count, 'query', 'queries')}"


def problems_frame(problems: list[Sen2Problem]) -> pd.DataFrame:
    rows = [{
        "code": p.code,
        "severity": p.severity,
        "person": f"Person {p.person}" if p.person else "",
        "line": str(p.line) if p.line else "",
        "field": p.path,
        "problem": p.message,
        "what to fix": p.fix,
    } for p in problems]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def problems_csv(ret: Sen2Return) -> bytes:
    """The downloadable list: errors first, then queries, each in file order."""
    return to_csv_bytes(problems_frame([*ret.errors, *ret.queries]))
