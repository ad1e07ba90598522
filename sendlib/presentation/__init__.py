"""What people read: tables formatted as the documents print them, Altair charts, How we compare, the monthly
report (HTML / PDF), extracts (CSV / Excel / Parquet) and chart images.
"""

__all__ = ["charts", "extracts", "how_we_compare", "images", "report", "tables"]
