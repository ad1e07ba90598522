import streamlit as st

from explorer import data
from explorer.access import current_user, may_edit
from explorer.authority import save_label
from explorer.cases import cases_history
from explorer.commentary import commentary_history
from explorer.components import page_title
from explorer.dfe_upload import dfe_history
from explorer.measure_setup import measures_history
from explorer.sharing import sharing_history
from explorer.text import plain
from explorer.upload_figures import undo_upload
from explorer.versions import technical_details, technical_versions
from sendlib.presentation.extracts import extract, to_csv_bytes
from sendlib.presentation.tables import extract_preview
from sendlib.presentation.upload_preview import history_table, version_label
from sendlib.presentation.wording import local_when

page_title("History")
st.markdown("Every change to the figures, newest first. Nothing is ever overwritten: going back to earlier figures "
            "saves them again as a new change, so that can be undone too.")
if flash := st.session_state.pop("history-flash", None):
    st.success(flash, icon=":material/check_circle:")
store = data.store()
versions = store.versions()
head = store.head()
st.dataframe(history_table(versions, head), hide_index=True, alt="Changes to the figures, newest first")
editable = may_edit()
latest = versions[0] if versions else None
if latest is not None and latest.action == "upload" and latest.id == head and len(versions) > 1 and editable:
    st.markdown(f"**Latest upload:** {plain(version_label(latest, versions, None))}, by "
                f"{plain(latest.author or 'someone not recorded')}.")
    if undone := undo_upload(latest.id, key="history-undo"):
        st.session_state["history-flash"] = undone
        st.rerun()

if versions:
    chosen = st.selectbox("See the figures as they were after", [v.id for v in versions], key="history-version",
                          format_func=lambda i: version_label(next(v for v in versions if v.id == i), versions, head))
    when = local_when(next(v for v in versions if v.id == chosen).created_at)
    rows = extract(store.read(chosen), data.catalogue())
    st.caption(f"The figures as they were on {when}: {len(rows):,} values.")
    st.dataframe(extract_preview(rows, data.catalogue()), hide_index=True, height=300,
                 alt=f"The figures as they were on {when}")
    st.download_button("Download these figures (CSV)", to_csv_bytes(rows), file_name=f"send-data-{chosen}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:", key="history-download")
    if chosen != head and editable and st.button(f"Go back to these figures: {save_label()[:1].lower()}{save_label()[1:]}", key="history-restore", type="primary"):
        info = store.restore(chosen, author=current_user())
        st.session_state["history-flash"] = f"The figures are back as they were on {when}, saved as a new change."
        st.rerun()

technical_versions("Figures", versions)
cases_history()
measures_history()
dfe_history()
commentary_history()
sharing_history()
technical_details()
