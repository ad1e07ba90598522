"""What people do to a store: load a file (`load`: parse → compare → commit, or refuse whole), save commentary,
load a DfE release, repair a damaged store.
"""

__all__ = ["commentary", "dfe_releases", "load", "repair"]
