"""Versioned tables on disk (`versioned`): every version immutable, writes atomic, damage reported and never
papered over; `integrity` checks every file of a store.
"""

__all__ = ["integrity", "versioned"]
