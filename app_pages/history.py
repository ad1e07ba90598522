import pandas as pd
import streamlit as st

from explorer import data
from explorer.access import current_user, may_edit
from explorer.cases import cases_history
from explorer.commentary import commentary_history
from explorer.dfe_upload import dfe_history
from explorer.measure_setup import measures_history
from explorer.sharing import sharing_history
from sendlib.presentation.extracts import extract, to_csv_bytes

st.title("History")
st.markdown("Every version of the data, newest first. Nothing is ever overwritten: restoring an older "
            "version saves it again as a new version, so the restore itself can be undone.")
if flash := st.session_state.pop("history-flash", None):
    st.success(flash, icon=":material/check_circle:")
store = data.store()
versions = store.versions()
head = store.head()
table = pd.DataFrame(
    [
        {
            "Version": v.id + (" (current)" if v.id == head else ""),
            "When (UTC)": v.created_at.replace("T", " ")[:19],
            "What": {"upload": "Upload", "restore": "Restore"}.get(v.action, v.action),
            "File or note": v.file_name or v.message or "",
            "New": v.new,
            "Revised": v.revised,
            "Unchanged": v.unchanged,
            "Rows": v.rows,
            "By": v.author or "not recorded",
            "File sha256": (v.sha256 or "")[:12],
        }
        for v in versions
    ]
)
st.dataframe(table, hide_index=True, alt="Versions of the data, newest first")

if versions:
    chosen = st.selectbox("View a version", [v.id for v in versions], key="history-version",
                          format_func=lambda i: f"{i}{' (current)' if i == head else ''}")
    rows = extract(store.read(chosen), data.catalogue())
    st.caption(f"Version {chosen}: {len(rows):,} values.")
    st.dataframe(rows, hide_index=True, height=300, alt=f"Values in version {chosen}")
    st.download_button(f"Download version {chosen} (CSV)", to_csv_bytes(rows), file_name=f"send-data-{chosen}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:", key="history-download")
    if chosen != head and may_edit() and st.button(f"Restore version {chosen}", key="history-restore", type="primary"):
        info = store.restore(chosen, author=current_user())
        st.session_state["history-flash"] = f"Version {chosen} restored as new version {info.id}."
        st.rerun()

cases_history()
measures_history()
dfe_history()
commentary_history()
sharing_history()
