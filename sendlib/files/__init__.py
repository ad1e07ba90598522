"""Files in and out: a CSV or workbook read into cells (`readers`), and each layout a manager brings — the
scorecard's wide layout, the long layout, the board report, DfE's releases — parsed cell by cell into the tidy
table with every problem named (`parsed` holds what they share).
"""

__all__ = ["board", "dfe", "long", "parsed", "readers", "wide"]
