"""AppTest runs of the Upload page's case-level section and the History page's case records: a synthetic SEN2
return previewed, confirmed, loaded again (no change) and restored; a broken return refused with its element,
position and value named and nothing written; no name, UPN or date of birth ever on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_runner import open_page, shown
from sen2_synthetic import broken_returns, edge_case_return, faulty_returns, generate, other_authority_return
from streamlit.testing.v1 import AppTest

from explorer.pages_upload import CASES
from sendlib.domain.paths import ROOT
from sendlib.files.sen2 import WITHHELD
from sendlib.workflows.cases import KEY_FILE, cases_store, commit_cases, preview_cases, read_cases
from sendlib.workflows.stores import open_store

XML = "application/xml"


def case_upload(at: AppTest, name: str, raw: bytes) -> AppTest:
    """Choose the case-level section and put a file in its uploader (AppTest sets a file uploader's value)."""
    at.radio(key="upload-kind").set_value(CASES).run()
    at.file_uploader(key="cases-file").set_value((name, raw, XML)).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {shown(m.label): m.value for m in at.metric}


def page_text(at: AppTest) -> str:
    """Everything the page sends to the browser, tables and dataframes included, as one text to search."""
    texts = [str(node.proto) for node in [*at.main, *at.sidebar] if node.proto is not None]
    texts += [frame.value.to_csv() for frame in [*at.dataframe, *at.table]]
    return "\n".join(texts)


def case_versions(at: AppTest):  # type: ignore[no-untyped-def]
    """The History page's table of case records versions (found by its text alternative: a dataframe has no key)."""
    (frame,) = [f for f in at.dataframe if f.proto.alt.startswith("Versions of the case records")]
    return frame.value


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file of the store but its lock and the pseudonymisation key (which a preview makes, by design)."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file() and p.name not in (".lock", KEY_FILE)}


def identities_absent(text: str, synthetic) -> None:  # type: ignore[no-untyped-def]
    for identity in synthetic.identities:
        for field in ("upn", "uln", "surname", "birth_date", "postcode"):
            if field in identity:
                assert identity[field] not in text, f"{field} shown"


def test_a_return_is_previewed_then_confirmed_listed_on_history_and_loaded_again_unchanged(store_dir: Path) -> None:
    synthetic = generate(200, seed=3)
    store = open_store(store_dir)
    at = case_upload(open_page("app_pages/upload.py"), "sen2-2025.xml", synthetic.xml)
    requests = sum(len(p.requests) for p in synthetic.persons)
    plans = sum(1 for p in synthetic.persons for r in p.requests if r.plan is not None)
    rate = synthetic.expected[("rate_ex", "2024")]
    shown_metrics = metrics(at)
    assert shown_metrics == {
        "Persons": f"{len(synthetic.persons):,}", "Requests": f"{requests:,}", "Plans": f"{plans:,}",
        "20-week rate, 2024": f"{rate.value:.1f}%",
        "New requests": f"{requests:,}", "Revised requests": "0", "Unchanged requests": "0",
    }
    assert any(f"{rate.numerator:,} of {rate.denominator:,} plans within 20 weeks, excluding exceptions" in c.value
               for c in at.caption)
    assert any("census date 2025-01-16, LA code 839, 2025 layout (v1.3)" in shown(c.value) for c in at.caption)
    assert any("pseudonymisation key was generated" in i.value for i in at.info), "the new key is announced"
    assert (store_dir / KEY_FILE).exists(), "the preview makes the key, so references can be matched later"
    assert cases_store(store).head() is None and store.head() == "000001", "nothing is saved before Confirm"
    (expander,) = [e for e in at.expander if " quer" in e.label]
    queries = len(expander.dataframe[0].value)
    assert expander.label.startswith(f"{queries} quer")
    assert any(shown(c.value) == f"Checked: 0 errors, {queries:,} queries." for c in at.caption)
    identities_absent(page_text(at), synthetic)

    at.button(key="cases-confirm").click().run()
    assert not at.exception, at.exception
    assert "Saved as case records version 000001" in at.success[0].value
    assert f"{requests:,} new and 0 revised requests" in at.success[0].value
    assert cases_store(store).head() == "000001" and len(read_cases(store)) == requests
    assert store.head() == "000001", "the figures' versions are untouched"
    assert metrics(at)["Unchanged requests"] == f"{requests:,}", "previewed again against what is now held"
    assert any("holds nothing new" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "cases-confirm"]

    again = case_upload(open_page("app_pages/upload.py"), "sen2-2025.xml", synthetic.xml)
    assert {k: v for k, v in metrics(again).items() if "requests" in k} == {
        "New requests": "0", "Revised requests": "0", "Unchanged requests": f"{requests:,}"}
    assert any("holds nothing new" in i.value for i in again.info)
    assert not any("key was generated" in i.value for i in again.info), "the store's key is reused"
    assert not [b for b in again.button if b.key == "cases-confirm"], "nothing to confirm"
    assert [v.id for v in cases_store(store).versions()] == ["000001"]

    history = open_page("app_pages/history.py")
    listed = case_versions(history)
    assert listed["Now showing"].tolist() == ["yes"]
    assert listed["File"].tolist() == ["sen2-2025.xml"] and listed["Rows"].tolist() == [requests]
    assert history.dataframe[0].value["What"].iloc[0] == "Upload of send_scorecard.csv", "the figures' versions as before"
    text = page_text(history)
    assert not [ref for ref in read_cases(store)["case_ref"] if ref in text], "no case row on the History page"
    identities_absent(text, synthetic)


def test_case_records_are_restored_from_history_as_a_new_version(store_dir: Path) -> None:
    store = open_store(store_dir)
    first, second = generate(60, seed=5), generate(90, seed=6)
    at = case_upload(open_page("app_pages/upload.py"), "first.xml", first.xml)
    at.button(key="cases-confirm").click().run()
    at.file_uploader(key="cases-file").set_value(("second.xml", second.xml, XML)).run()
    at.button(key="cases-confirm").click().run()
    assert not at.exception, at.exception
    assert cases_store(store).head() == "000002"

    history = open_page("app_pages/history.py")
    assert case_versions(history)["Now showing"].tolist() == ["yes", "no"]
    history.selectbox(key="cases-history-version").select("000001").run()
    history.button(key="cases-history-restore").click().run()
    assert not history.exception, history.exception
    assert history.success[0].value.startswith("Case records: back as they were on ")
    side = cases_store(store)
    assert side.head() == "000003" and side.read().equals(side.read("000001"))
    assert store.head() == "000001", "restoring case records leaves the figures alone"
    assert case_versions(history)["Now showing"].tolist() == ["yes", "no", "no"]


@pytest.mark.parametrize("name", sorted(broken_returns()))
def test_a_broken_return_is_refused_with_element_position_and_value_and_nothing_written(
        store_dir: Path, name: str) -> None:
    raw, needle = broken_returns()[name]
    before = snapshot(store_dir)
    at = case_upload(open_page("app_pages/upload.py"), f"{name}.xml", raw)
    assert "refused, nothing saved" in shown(at.error[0].value)
    problems = at.table[0].value.map(shown)
    assert list(problems.columns) == ["Code", "Person", "XML line", "Element", "Value", "Problem"]
    assert any(needle in " ".join(row) for row in problems.astype(str).itertuples(index=False)), (needle, problems)
    assert (problems["XML line"] != "").all(), "every problem has its line"
    assert not [b for b in at.button if b.key == "cases-confirm"], "no Confirm for a refused return"
    assert not at.metric, "no preview of a refused return"
    assert snapshot(store_dir) == before and cases_store(open_store(store_dir)).head() is None


def test_the_refusal_names_the_person_element_and_value_in_their_columns(store_dir: Path) -> None:
    raw, _ = broken_returns()["impossible_date"]
    at = case_upload(open_page("app_pages/upload.py"), "bad.xml", raw)
    row = at.table[0].value.map(shown).iloc[0].to_dict()
    assert row["Person"] == "Person 2" and row["XML line"].isdigit()
    assert row["Element"] == "Person/Requests/ReceivedDate" and row["Value"] == "2024-02-30"
    assert "is not a date" in row["Problem"]


def test_a_bad_date_of_birth_is_located_but_never_shown(store_dir: Path) -> None:
    edge = edge_case_return("2025")
    birth = edge.persons[0].birth.isoformat()
    wrong = f"{birth[8:]}/{birth[5:7]}/{birth[:4]}"  # the child's real date of birth, in the wrong format
    raw = edge.xml.replace(f"<PersonBirthDate>{birth}<".encode(), f"<PersonBirthDate>{wrong}<".encode(), 1)
    at = case_upload(open_page("app_pages/upload.py"), "dob.xml", raw)
    row = at.table[0].value.map(shown).iloc[0].to_dict()
    assert row["Person"] == "Person 1" and row["Element"] == "Person/PersonBirthDate" and row["Value"] == WITHHELD
    text = page_text(at)
    assert wrong not in text and birth not in text


def test_bytes_that_are_nothing_like_a_return_are_refused_without_a_traceback(store_dir: Path) -> None:
    for raw in (b"", b"\xff\xfe\x00<\x00M", b"<Message><Persons><Person><Requests>", b"PK\x03\x04 not a spreadsheet"):
        at = case_upload(open_page("app_pages/upload.py"), "odd.xml", raw)
        assert "refused, nothing saved" in shown(at.error[0].value), raw
    assert cases_store(open_store(store_dir)).head() is None


def test_a_return_put_in_the_figures_uploader_is_checked_as_case_records(store_dir: Path) -> None:
    synthetic = generate(40, seed=8)
    at = open_page("app_pages/upload.py")
    at.file_uploader(key="upload-file").set_value(("return.xml", synthetic.xml, XML)).run()
    assert not at.exception, at.exception
    assert any("is a SEN2 case-level return" in shown(i.value) for i in at.info)
    assert metrics(at)["Persons"] == f"{len(synthetic.persons):,}"
    at.button(key="cases-confirm").click().run()
    assert not at.exception, at.exception
    assert "Saved as case records version 000001" in at.success[0].value
    assert open_store(store_dir).head() == "000001", "not read as figures"


def test_only_editors_may_load_or_restore_case_records(store_dir: Path) -> None:
    store = open_store(store_dir)
    for seed in (1, 2):
        commit_cases(store, preview_cases(store, generate(20, seed=seed).xml, f"return-{seed}.xml"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.secrets["editors"] = {"emails": ["jo@council.gov.uk"]}
    at.user = {"is_logged_in": True, "email": "someone@council.gov.uk", "email_verified": True}
    at.run()
    at.switch_page("app_pages/upload.py").run()
    at.radio(key="upload-kind").set_value(CASES).run()
    assert not at.exception, at.exception
    assert at.file_uploader(key="cases-file").proto.disabled
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    assert case_versions(at)["Now showing"].tolist() == ["yes", "no"], "anyone may see the versions"
    assert not [b for b in at.button if b.key == "cases-history-restore"], "only an editor may restore"


def test_a_return_under_another_key_is_refused_with_the_fingerprints(store_dir: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Records held under the store's generated key, then a different key configured: the Upload page refuses the
    next return in one line naming both fingerprints, and writes nothing."""
    from sendlib.domain import pseudonym
    from sendlib.domain.pseudonym import fingerprint

    monkeypatch.setattr(pseudonym, "SETTINGS_FILE", store_dir / "no-secrets.toml")
    monkeypatch.delenv("SENDLIB_CASES_KEY", raising=False)
    synthetic = generate(40, seed=9)
    store = open_store(store_dir)
    commit_cases(store, preview_cases(store, synthetic.xml, "first.xml"))
    held = fingerprint((store_dir / KEY_FILE).read_bytes().strip())
    other = "another-key-configured-later-0123456789"
    monkeypatch.setenv("SENDLIB_CASES_KEY", other)
    before = snapshot(store_dir)
    at = case_upload(open_page("app_pages/upload.py"), "again.xml", synthetic.xml)
    message = shown(at.error[0].value)
    assert "again.xml was refused, nothing saved" in message
    assert f"made with key fingerprint {held}; the key now configured has {fingerprint(other.encode())}" in message
    assert not at.metric and not [b for b in at.button if b.key == "cases-confirm"]
    assert snapshot(store_dir) == before


def downloads(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_another_authority_s_return_is_refused_with_the_counts_and_the_list(store_dir: Path) -> None:
    before = snapshot(store_dir)
    at = case_upload(open_page("app_pages/upload.py"), "theirs.xml", other_authority_return("201"))
    error = shown(at.error[0].value)
    assert "theirs.xml was refused, nothing saved: 1 error, 2 queries." in error
    row = at.table[0].value.map(shown).iloc[0].to_dict()
    assert row["Code"] == "S2E07" and row["Element"] == "Message/Header/Source/LEA" and row["Value"] == "201"
    assert "City of London (201)" in row["Problem"] and "Bournemouth, Christchurch and Poole (839)" in row["Problem"]
    assert downloads(at) == ["Download the errors and queries (CSV)"]
    assert not [b for b in at.button if b.key == "cases-confirm"]
    assert snapshot(store_dir) == before and cases_store(open_store(store_dir)).head() is None


@pytest.mark.parametrize("name", ["person_twice_different", "ceased_before_start", "birth_after_census"])
def test_an_error_refuses_the_return_showing_its_code(store_dir: Path, name: str) -> None:
    raw, code = faulty_returns()[name]
    at = case_upload(open_page("app_pages/upload.py"), f"{name}.xml", raw)
    assert "refused, nothing saved" in shown(at.error[0].value)
    assert code in at.table[0].value.map(shown)["Code"].tolist()
    assert cases_store(open_store(store_dir)).head() is None
    identities_absent(page_text(at), edge_case_return())


def test_queries_are_counted_and_downloadable_and_do_not_stop_the_load(store_dir: Path) -> None:
    raw, _ = faulty_returns()["person_twice_same"]
    at = case_upload(open_page("app_pages/upload.py"), "dup.xml", raw)
    assert not at.error
    assert any(shown(c.value) == "Checked: 0 errors, 3 queries." for c in at.caption)
    (queries,) = [e for e in at.expander if e.label.startswith("3 queries")]
    assert "S2Q01" in queries.dataframe[0].value["Code"].tolist()
    assert "Download the errors and queries (CSV)" in downloads(at)
    at.button(key="cases-confirm").click().run()
    assert not at.exception, at.exception
    assert "Saved as case records version 000001" in at.success[0].value
    edge = edge_case_return()
    assert len(read_cases(open_store(store_dir))) == sum(len(p.requests) for p in edge.persons), "loaded once"
