"""sendlib.domain.authorities: the deployment's authorities from the settings (names, old and new codes), each one's
editors and viewers, and the rule that an editor of one authority cannot write another's data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sendlib.domain.authorities import (
    BOARD_AUTHORITY,
    Authorities,
    AuthorityError,
    address,
    editor_allowed,
    find_authority,
    load_authorities,
    parse_authorities,
    verified,
)
from sendlib.domain.benchmarks import LaNotFound, la_index
from sendlib.workflows.dfe_releases import BUNDLED_DFE

BCP, CORNWALL, DEVON = "839", "908", "878"
DEPLOYMENT = {"authorities": {"codes": ["839", "E06000052", "Devon"]}}


@pytest.fixture(scope="module")
def index() -> pd.DataFrame:
    return la_index(pd.read_parquet(BUNDLED_DFE, columns=["geographic_level", "period", "old_la_code", "la_code",
                                                          "la_name", "region_code", "region_name"]))


def _two(index: pd.DataFrame, **sections: object) -> Authorities:
    return parse_authorities({**DEPLOYMENT, **sections}, index, home_la="839")


def test_names_old_and_new_codes_resolve_to_old_codes_in_the_order_given(index: pd.DataFrame) -> None:
    found = _two(index)
    assert found.codes == (BCP, CORNWALL, DEVON)
    assert found.home == BCP
    assert found.served == (BCP, CORNWALL, DEVON)
    assert found.serves(DEVON) and not found.serves("879")  # Plymouth: an English authority, not this deployment's


def test_the_same_authority_named_twice_is_listed_once(index: pd.DataFrame) -> None:
    found = parse_authorities({"authorities": {"codes": ["839", "Bournemouth, Christchurch and Poole", "E06000058"]}},
                              index, home_la="839")
    assert found.codes == (BCP,)


@pytest.mark.parametrize("bad", ["Devonn", "999", "E99999999"])
def test_an_unknown_authority_is_refused_naming_it(index: pd.DataFrame, bad: str) -> None:
    with pytest.raises(AuthorityError, match=rf"\[authorities\] codes: no local authority '{bad}'"):
        parse_authorities({"authorities": {"codes": ["839", bad]}}, index, home_la="839")


def test_an_empty_or_malformed_authorities_section_is_refused(index: pd.DataFrame) -> None:
    with pytest.raises(AuthorityError, match="lists no authority"):
        parse_authorities({"authorities": {"codes": []}}, index, home_la="839")
    with pytest.raises(AuthorityError, match="must be a list of strings"):
        parse_authorities({"authorities": {"codes": [839]}}, index, home_la="839")
    with pytest.raises(AuthorityError, match="must be a table"):
        parse_authorities({"authorities": ["839"]}, index, home_la="839")


def test_one_code_as_a_string_is_one_authority_not_three_letters(index: pd.DataFrame) -> None:
    assert parse_authorities({"authorities": {"codes": "839"}}, index, home_la="839").codes == (BCP,)


def test_the_home_authority_must_be_one_of_the_deployment(index: pd.DataFrame) -> None:
    with pytest.raises(AuthorityError, match=r"home authority \(Plymouth, 879\) is not among \[authorities\] codes"):
        parse_authorities(DEPLOYMENT, index, home_la="Plymouth")


def test_without_an_authorities_section_any_english_authority_may_be_named(index: pd.DataFrame) -> None:
    found = parse_authorities({}, index, home_la="839")
    assert found.codes is None
    assert found.serves(BCP) and found.serves("879") and not found.serves("999")
    assert found.authority("Plymouth", index).old_la_code == "879"
    assert set(found.served) == set(index["old_la_code"].astype(str)) | {BOARD_AUTHORITY}, \
        "every English authority, and the bundled board report's council"
    with pytest.raises(AuthorityError, match="no local authority 'Atlantis'"):
        found.authority("Atlantis", index)


def test_an_authority_outside_the_deployment_is_refused_by_name(index: pd.DataFrame) -> None:
    with pytest.raises(AuthorityError, match=r"Plymouth \(879\) is not one of this deployment's authorities"):
        _two(index).authority("E06000026", index)
    with pytest.raises(AuthorityError, match=r"\[editors\] '879': Plymouth \(879\) is not one of this deployment's"):
        _two(index, editors={"879": ["a@plymouth.gov.uk"]})
    with pytest.raises(AuthorityError, match=r"\[viewers\] 'Atlantis': no local authority 'Atlantis'"):
        _two(index, viewers={"Atlantis": ["a@example.com"]})


def test_the_flat_legacy_editors_list_makes_editors_of_the_home_authority(index: pd.DataFrame) -> None:
    found = parse_authorities({"editors": {"emails": ["Send.Manager@BCP.gov.uk "]}}, index, home_la="E06000058")
    assert found.editors == {BCP: ("send.manager@bcp.gov.uk",)}
    assert found.roles("send.manager@bcp.gov.uk", True) == {BCP: "editor"}
    assert found.may_write(" SEND.MANAGER@bcp.gov.uk", "TRUE", BCP)
    assert not found.may_write("send.manager@bcp.gov.uk", True, DEVON)  # not an editor of every authority


def test_the_legacy_list_and_a_per_authority_list_of_the_home_authority_are_one(index: pd.DataFrame) -> None:
    found = _two(index, editors={"emails": ["a@bcp.gov.uk"], "839": ["b@bcp.gov.uk", "A@bcp.gov.uk"]})
    assert found.editors == {BCP: ("a@bcp.gov.uk", "b@bcp.gov.uk")}


def test_an_editor_of_one_authority_cannot_write_the_other(index: pd.DataFrame) -> None:
    found = _two(index, editors={"839": ["a@bcp.gov.uk"], "Cornwall": ["b@cornwall.gov.uk"]})
    assert found.editors == {BCP: ("a@bcp.gov.uk",), CORNWALL: ("b@cornwall.gov.uk",)}
    assert found.may_write("a@bcp.gov.uk", True, BCP) and not found.may_write("a@bcp.gov.uk", True, CORNWALL)
    assert found.may_write("b@cornwall.gov.uk", True, CORNWALL) and not found.may_write("b@cornwall.gov.uk", True, BCP)
    assert not found.may_write("b@cornwall.gov.uk", True, DEVON)  # an authority with no editors at all
    assert not found.may_write("a@bcp.gov.uk", True, "879")  # not served


def test_roles_across_authorities_and_an_editor_is_not_also_listed_as_viewer(index: pd.DataFrame) -> None:
    found = _two(index, editors={"839": ["jo@sw.gov.uk"]}, viewers={"839": ["jo@sw.gov.uk"], "878": ["JO@sw.gov.uk"]})
    assert found.roles("jo@sw.gov.uk", True) == {BCP: "editor", DEVON: "viewer"}
    assert not found.may_write("jo@sw.gov.uk", True, DEVON)
    assert found.may_see("jo@sw.gov.uk", True, DEVON) and not found.may_see("jo@sw.gov.uk", True, CORNWALL)


@pytest.mark.parametrize(("email", "verified"), [("a@bcp.gov.uk", False), ("a@bcp.gov.uk", "false"), ("", True),
                                                 (None, None)])
def test_an_unverified_or_empty_address_gets_no_role(index: pd.DataFrame, email: str | None, verified: object) -> None:
    found = _two(index, editors={"839": ["a@bcp.gov.uk"]}, viewers={"908": ["a@bcp.gov.uk"]})
    assert found.roles(email, verified) == {}
    assert not found.may_write(email, verified, BCP)
    assert not found.may_see(email, verified, CORNWALL)


def test_without_viewers_the_home_authority_is_open_to_all_as_before(index: pd.DataFrame) -> None:
    found = _two(index, editors={"878": ["c@devon.gov.uk"]})
    assert found.open_viewing
    assert found.may_see("anyone@example.com", True, BCP)
    assert not found.may_see("anyone@example.com", True, CORNWALL)
    assert found.may_see("c@devon.gov.uk", True, DEVON)


def test_with_viewers_each_authority_is_for_its_own_people(index: pd.DataFrame) -> None:
    found = _two(index, viewers={"839": ["v@bcp.gov.uk"]})
    assert not found.open_viewing
    assert not found.may_see("anyone@example.com", True, BCP)
    assert found.may_see("V@bcp.gov.uk", True, BCP)
    assert not found.may_see("v@bcp.gov.uk", True, DEVON)


def test_a_malformed_roles_section_is_refused_naming_the_key(index: pd.DataFrame) -> None:
    with pytest.raises(AuthorityError, match=r"\[editors\] '839' must be a list of strings"):
        _two(index, editors={"839": [1, 2]})
    with pytest.raises(AuthorityError, match=r"\[viewers\] must be a table"):
        _two(index, viewers=["a@bcp.gov.uk"])


def test_editor_allowed_is_the_one_rule(index: pd.DataFrame) -> None:
    assert editor_allowed(" Jo@Council.gov.uk", "true", ["jo@council.gov.uk "])
    assert not editor_allowed("j", True, "jo@council.gov.uk")
    assert not editor_allowed("jo@council.gov.uk", "false", "jo@council.gov.uk")


def test_settings_read_from_the_secrets_file(index: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENDLIB_HOME_LA", raising=False)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[explorer]\nhome_la = "Cornwall"\n\n[authorities]\ncodes = ["839", "E06000052", "Devon"]\n\n'
                       '[editors]\nemails = ["b@cornwall.gov.uk"]\n"839" = ["a@bcp.gov.uk"]\n', encoding="utf-8")
    found = load_authorities(index, secrets)
    assert found.home == CORNWALL and found.codes == (BCP, CORNWALL, DEVON)
    assert found.may_write("b@cornwall.gov.uk", True, CORNWALL) and not found.may_write("b@cornwall.gov.uk", True, BCP)
    assert load_authorities(index, secrets, home_la="Devon").editors[DEVON] == ("b@cornwall.gov.uk",)


def test_no_secrets_file_is_the_local_default(index: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENDLIB_HOME_LA", raising=False)
    found = load_authorities(index, tmp_path / "absent.toml")
    assert found.home == BCP and found.codes is None and found.editors == {} and found.open_viewing


# Each of these becomes an editor's address under Unicode case folding or str.strip(); none is that address.
FOLDED = {
    "roß@bcp.gov.uk": "ross@bcp.gov.uk",  # sharp s: casefold() makes it "ss"
    "\u212aate@bcp.gov.uk": "kate@bcp.gov.uk",  # Kelvin sign: lower() and casefold() make it "k"
    "roſs@bcp.gov.uk": "ross@bcp.gov.uk",  # long s: casefold() makes it "s"
    "ross@bcp.gov.uk\u3000": "ross@bcp.gov.uk",  # an ideographic space, which str.strip() takes off
}
# Drawn like an editor's address (NFKC would make the first ASCII), and never to be listed for one.
LOOK_ALIKES = [*FOLDED, "ｋａｔｅ@bcp.gov.uk", "k\u0430te@bcp.gov.uk"]  # full-width letters; a Cyrillic а


@pytest.mark.parametrize(("look_alike", "editor"), FOLDED.items())
def test_a_look_alike_signed_in_is_not_the_editor(index: pd.DataFrame, look_alike: str, editor: str) -> None:
    found = _two(index, editors={"839": ["ross@bcp.gov.uk", "Kate@BCP.gov.uk"]}, viewers={"878": [editor]})
    assert found.may_write(editor.upper(), True, BCP), "the editor, whatever the case of the ASCII letters"
    assert found.roles(look_alike, True) == {}
    assert not editor_allowed(look_alike, True, [editor])
    assert address(look_alike) != editor, "recorded as what it is, never as the editor it looks like"


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_look_alike_in_a_configured_list_is_refused_naming_it(index: pd.DataFrame, look_alike: str) -> None:
    with pytest.raises(AuthorityError, match=r"\[editors\] '839': .* holds U\+[0-9A-F]{4} .*plain ASCII") as info:
        _two(index, editors={"839": ["jo@bcp.gov.uk", look_alike]})
    assert repr(look_alike) in str(info.value)
    with pytest.raises(AuthorityError, match=r"\[viewers\] 'emails'"):
        _two(index, viewers={"emails": [look_alike]})


@pytest.mark.parametrize("bad", ["jo", "jo@", "@bcp.gov.uk", "jo bloggs@bcp.gov.uk", "jo@bcp@gov.uk", "jo@bcp.gov.uk\x07"])
def test_a_configured_entry_that_is_not_an_address_is_refused(index: pd.DataFrame, bad: str) -> None:
    with pytest.raises(AuthorityError, match=r"\[editors\] 'emails': .*(not an email address|control)"):
        _two(index, editors={"emails": [bad]})


@pytest.mark.parametrize("claim", [0, "0", "no", "", None, 1, "1", "yes", " true", "ｔｒｕｅ", [True]])
def test_only_email_verified_true_is_verified(index: pd.DataFrame, claim: object) -> None:
    assert all(verified(yes) for yes in (True, "true", "True", "TRUE"))
    assert not verified(claim)
    found = _two(index, editors={"839": ["jo@bcp.gov.uk"]}, viewers={"878": ["jo@bcp.gov.uk"]})
    assert found.roles("jo@bcp.gov.uk", claim) == {}
    assert not found.may_write("jo@bcp.gov.uk", claim, BCP)


@pytest.mark.parametrize("look_alike", ["８３９", "٨٣٩", "۸۳۹", "８39", "Ｅ06000058", "Devon８", "83\u200b9", " 839\u3000"])
def test_an_authority_is_named_in_plain_ascii_only(index: pd.DataFrame, look_alike: str) -> None:
    with pytest.raises(LaNotFound, match="plain ASCII"):
        find_authority(look_alike, index)
    with pytest.raises(AuthorityError, match=r"\[authorities\] codes: .*plain ASCII"):
        parse_authorities({"authorities": {"codes": ["839", look_alike]}}, index, home_la="839")
    with pytest.raises(AuthorityError, match=r"\[explorer\] home_la: .*plain ASCII"):
        parse_authorities({}, index, home_la=look_alike)
    assert find_authority(" 839\t", index).old_la_code == BCP
