"""The Streamlit layer: cached data access and the widgets the pages share. Logic lives in sendlib."""
