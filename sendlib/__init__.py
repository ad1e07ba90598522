"""The SEND Performance Explorer's library: pure Python, no Streamlit. The app's pages, the tests and
`python -m sendlib` all call it.

Layers, each importing only those below it (import-linter checks it: `make lint`):

    cli                                   python -m sendlib
    presentation | workflows              what people read | what people do to the store
    files | store                         file layouts in and out | versioned tables on disk
    domain                                the catalogue, periods, values, the tidy table, trends, benchmarks

`docs/architecture.md` says where a new measure, file layout or page goes.
"""

__all__ = ["cli", "domain", "files", "presentation", "store", "workflows"]
