import streamlit as st

from explorer.components import page_title
from explorer.menu import pages
from explorer.pages_accessibility import AXE_TAGS, CONTACT
from sendlib.domain.trends import RAG_LABEL, RAG_SYMBOL

page_title("Accessibility statement")
st.markdown(
    "This statement covers the SEND Performance Explorer. We want as many people as possible to be able to use it: "
    "to reach every page and control with a keyboard, to zoom to 400% without losing content, and to read every "
    "figure with a screen reader."
)

st.header("How we tested it")
menu = ", ".join(p.title for p in pages())
ratings = "; ".join(f"{RAG_SYMBOL[k]} {RAG_LABEL[k]}" for k in RAG_LABEL)
st.markdown(
    f"""
- Every page reached through the menu ({menu}) is checked automatically with
  [axe-core](https://github.com/dequelabs/axe-core) against WCAG 2.2 level AA, with the rule tags
  {", ".join(f"`{t}`" for t in AXE_TAGS)}, on each change to the explorer. The check opens each page by its link
  in the menu, as a user does, and waits until its charts are drawn.
- Charts use a colour-blind-safe palette (the Government Statistical Service's) and are readable in greyscale.
- Every chart has a text description beside it that gives the same information in words, and its figures are in a
  table that can be downloaded.
- A rating never relies on colour alone: it always carries a word and a symbol ({ratings}; ▲ ▼ with "better" or
  "worse" for a change).
"""
)

st.header("Known limits")
st.markdown(
    """
- Charts are drawn as images: a screen reader reads their text description and the table beside them, not the
  chart itself.
- Tables are Streamlit's interactive data grids; their downloads (CSV) are the most reliable way to read every row
  with assistive technology.
"""
)

st.header("Reporting a problem")
st.markdown(
    f"If you find a part of the explorer you cannot use, or need a figure in another format, {CONTACT}. Say which "
    "page and what you were trying to do; we aim to reply within 5 working days."
)
st.caption("This statement was prepared from the automated checks above and is reviewed when the explorer changes.")
