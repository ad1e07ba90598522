"""The rules: what a KPI is (catalogue), how periods and values are spelt and ordered, the tidy table, trends and
ratings, DfE benchmarks, commentary as a model. Imports nothing else of sendlib.
"""

__all__ = ["benchmarks", "catalogue", "commentary", "dfe", "paths", "periods", "schema", "settings", "table_spec", "trends", "values"]
