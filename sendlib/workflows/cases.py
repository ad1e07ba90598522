"""Case records in and statutory figures out: the Upload page's case-level section, `python -m sendlib cases` and
the pages that show computed figures all come through here.

read the return (refused whole on any problem) → merge with the records held (a request is the same when its
case reference and received date are) → one new version of the `cases` side table. Figures are computed from the
records as held, never stored, so they cannot drift from the cases behind them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sendlib.domain.authorities import LOCAL_AUTHORITIES
from sendlib.domain.case_measures import case_rows, cases_behind, compute, latest_census
from sendlib.domain.cases import CASE_KEY, CASES, fed_kpis, measure
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.periods import parse_period
from sendlib.domain.pseudonym import (
    KEY_ENV,
    KeyChain,
    KeyRefused,
    checked_key,
    configured_key,
    fingerprint,
    onward_ref,
)
from sendlib.domain.schema import COLUMNS, COMPUTED, normalise
from sendlib.domain.sen2_checks import authority_finding
from sendlib.files.sen2 import IDENTITY_ELEMENTS, WITHHELD, Sen2Problem, Sen2Return, read_sen2
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import StoreError, VersionInfo, atomic_write
from sendlib.workflows.catalogues import authority_index

KEY_FILE = "cases.key"


class CaseKeyRefused(StoreError):
    """The case key cannot be used with the records held (or at all): one line saying which key was expected and
    the way back. Nothing is loaded, listed or computed under it, so no child is counted twice as someone new."""


def cases_store(store: DeltaStore) -> DeltaStore:
    return store.side(CASES)


def _key_file(store: DeltaStore) -> Path:
    return store.root / KEY_FILE


def _stored_key(path: Path) -> bytes:
    return checked_key(path.read_bytes().strip(), f"in {path}")


def _new_key_file(path: Path) -> bool:
    """Write a new key to `path` unless one is there: written whole to a file of its own, then linked into place
    (an exclusive create, as O_EXCL; never a half-written key), so loads racing to make the first key end with one.
    Whether this call made it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    spare = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_hex(32).encode())
            fh.flush()
            os.fsync(fh.fileno())
        os.link(spare, path)
        return True
    except FileExistsError:
        return False
    finally:
        spare.unlink(missing_ok=True)


def held_key(side: DeltaStore) -> VersionInfo | None:
    """The version whose key made the case references as they are now: the newest that records a key, following a
    restore back to the version it restored (whose key came back with its rows). None when no version records one
    (no records, or records loaded before keys were recorded)."""
    versions = side.versions()
    at = {v.id: i for i, v in enumerate(versions)}
    i = 0
    while i < len(versions):
        version = versions[i]
        if version.key_fingerprint:
            return version
        i = at.get(version.restored_from, len(versions)) if version.restored_from else i + 1
    return None


def _mismatch(expected: str, found: str) -> CaseKeyRefused:
    return CaseKeyRefused(f"the case records were made with key fingerprint {expected}; the key now configured has "
                          f"{found}: restore the old key, or run `python -m sendlib cases rekey --from OLD --to NEW`")


def _configured(store: DeltaStore) -> bytes | None:
    """The deployment's key, else the one this store generated; CaseKeyRefused for one too short."""
    try:
        if key := configured_key():
            return key
        path = _key_file(store)
        return _stored_key(path) if path.exists() else None
    except KeyRefused as exc:
        raise CaseKeyRefused(str(exc)) from None


def case_keys(store: DeltaStore, *, create: bool = False) -> tuple[KeyChain | None, bool]:
    """(chain, made_now): the key chain the records held were made under, ending in the key configured now (the
    deployment's, else the one this store generated, else with `create` a new one written beside the case
    records, but only while the store holds no case records at all). CaseKeyRefused when the key configured is not
    the one the records were made with, or there is none though records are held: a key is never made or swapped
    under records, which would make every child someone new."""
    side = cases_store(store)
    held = held_key(side)
    key, made = _configured(store), False
    if key is None:
        if held is not None or side.exists():
            expected = f"key fingerprint {held.key_fingerprint}" if held else "a key"
            raise CaseKeyRefused(f"the case records were made with {expected}; no key is configured now ({KEY_FILE} "
                                 f"is not in the store and neither [cases] key nor ${KEY_ENV} is set): restore the "
                                 "old key, or run `python -m sendlib cases rekey --from OLD --to NEW`")
        if not create:
            return None, False
        made = _new_key_file(_key_file(store))
        key = _configured(store)
        assert key is not None
    if held is None:
        return KeyChain((key,)), made
    if fingerprint(key) != held.key_fingerprint:
        raise _mismatch(str(held.key_fingerprint), fingerprint(key))
    try:
        return KeyChain.unwound(key, held.key_chain), made
    except KeyRefused as exc:
        raise CaseKeyRefused(str(exc)) from None


def cases_key(store: DeltaStore, *, create: bool = False) -> tuple[bytes | None, bool]:
    """(key, made_now): the key configured now, as `case_keys` checks it."""
    chain, made = case_keys(store, create=create)
    return (chain.key if chain else None), made


def _still_held(side: DeltaStore, expected: str) -> None:
    """CaseKeyRefused when the records were re-keyed (or restored to another key) since the key was checked."""
    held = held_key(side)
    if held is not None and held.key_fingerprint != expected:
        raise _mismatch(str(held.key_fingerprint), expected)


def checked_cases(store: DeltaStore) -> pd.DataFrame:
    """The records as held, once the key configured is shown to be theirs (CaseKeyRefused otherwise), so figures
    and case lists are never drawn from records the next load could not match."""
    case_keys(store)
    return read_cases(store)


@dataclass(frozen=True)
class Rekeyed:
    version: VersionInfo
    old: str  # fingerprints
    new: str
    key_file: Path | None  # the store's key file, when it held the old key and now holds the new one


def _rekey_chain(side: DeltaStore, old: bytes, new: bytes) -> KeyChain:
    """The chain the records move to; CaseKeyRefused for a short key, the same key twice, or an `old` that is not
    the key the records were made with."""
    try:
        checked_key(old, "given by --from")
        checked_key(new, "given by --to")
        held = held_key(side)
        if fingerprint(old) == fingerprint(new):
            raise KeyRefused(f"--from and --to are the same key (fingerprint {fingerprint(new)}): nothing to re-key")
        if held is not None and held.key_fingerprint != fingerprint(old):
            raise KeyRefused(f"the case records were made with key fingerprint {held.key_fingerprint}; the --from "
                             f"key has {fingerprint(old)}: give the key the records were made with")
        return KeyChain.unwound(old, held.key_chain if held else None).then(new)
    except KeyRefused as exc:
        raise CaseKeyRefused(str(exc)) from None


def rekey_cases(store: DeltaStore, old: bytes, new: bytes, *, author: str | None = None) -> Rekeyed:
    """Every case reference of the authority's records carried from `old` to `new` (`HMAC(new, "REF:" + ref)`, see
    `domain.pseudonym`) as ONE new version: history shows it and it can be restored like any load. Identities are
    not held, so references are carried on rather than made again; `new` then makes, for every later return, the
    reference the records hold. When the store's own key file held `old` (no key is configured) it is replaced by
    `new`, so the store goes on working; a configured key is the deployment's to change."""
    side = cases_store(store)
    chain = _rekey_chain(side, old, new)
    old_print, new_print = fingerprint(old), chain.fingerprint

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        _still_held(side, old_print)
        if current.empty:
            raise CaseKeyRefused("no case records are held for this authority: nothing to re-key")
        moved = current.copy()
        moved["case_ref"] = moved["case_ref"].map(lambda ref: onward_ref(new, ref)).astype("string")
        return moved, {"revised": len(moved)}

    if not side.exists():
        raise CaseKeyRefused("no case records are held: nothing to re-key")
    info = side.commit(change, action="rekey", author=author, key_fingerprint=new_print, key_chain=chain.links(),
                       message=f"case references re-keyed from key fingerprint {old_print} to {new_print}")
    assert info is not None
    return Rekeyed(info, old_print, new_print, _replace_key_file(store, old, new))


def _replace_key_file(store: DeltaStore, old: bytes, new: bytes) -> Path | None:
    try:
        if configured_key() is not None:
            return None
    except KeyRefused:
        return None
    path = _key_file(store)
    if not path.exists() or path.read_bytes().strip() != old:
        return None
    atomic_write(path, new)
    os.chmod(path, 0o600)
    return path


def records_frame(ret: Sen2Return) -> pd.DataFrame:
    """The return's requests as the `cases` table holds them."""
    frame = pd.DataFrame(ret.records)
    frame["la"] = ret.la
    frame["census"] = ret.census
    return CASES.normalise(frame)


@dataclass
class CasesPreview:
    """What a return holds and would change, shown before anyone confirms."""

    file_name: str
    sha256: str
    ret: Sen2Return
    incoming: pd.DataFrame = field(default_factory=CASES.empty)
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    key_made: bool = False
    key: KeyChain | None = None  # None in a dry run without a key: references under a throw-away one

    @property
    def ok(self) -> bool:
        return self.ret.ok

    @property
    def errors(self) -> list[Sen2Problem]:
        return self.ret.errors

    @property
    def warnings(self) -> list[Sen2Problem]:
        return self.ret.warnings

    @property
    def plans(self) -> int:
        return int(self.incoming["plan_start"].notna().sum())

    @property
    def collection_year(self) -> str | None:
        """The calendar year a return reports on: the year before its census."""
        return str(self.ret.census.year - 1) if self.ret.census else None

    def year_rate(self) -> pd.Series | None:
        """The 20-week rate (excluding exceptions) for the return's calendar year, computed from its own records."""
        if self.incoming.empty or not self.collection_year:
            return None
        figures = compute(self.incoming, self.ret.census)
        row = figures[(figures["measure"] == "rate_ex") & (figures["period"] == self.collection_year)]
        return row.iloc[0] if len(row) else None


def _compare(current: pd.DataFrame, incoming: pd.DataFrame) -> tuple[int, int, int]:
    """(new, revised, unchanged) requests: an incoming row replaces the held one with the same key."""
    if current.empty:
        return len(incoming), 0, 0
    held = current.set_index(CASE_KEY)
    keys = pd.MultiIndex.from_frame(incoming[CASE_KEY])
    known = keys.isin(held.index)
    new = int((~known).sum())
    if not known.any():
        return new, 0, 0
    old = held.loc[keys[known]].reset_index()
    now = incoming[known].reset_index(drop=True)
    columns = [c for c in incoming.columns if c != "census"]
    same = (old[columns].astype("string").fillna("\0") == now[columns].astype("string").fillna("\0")).all(axis=1)
    return new, int((~same).sum()), int(same.sum())


def check_authority(ret: Sen2Return, own_la: str | None) -> None:
    """Refuses another authority's return (its LA code in the header) for the authority being written."""
    if own_la is None or ret.la is None or ret.la.strip() == own_la:
        return
    index = authority_index()
    names = dict(zip(index["old_la_code"].astype(str), index["la_name"].astype(str), strict=True)) | LOCAL_AUTHORITIES
    found = authority_finding(ret.la, own_la, names)
    if found is not None:
        code, message = found
        ret.refuse(Sen2Problem(message, "Message/Header/Source/LEA", line=ret.la_line, value=ret.la.strip(), code=code))


def preview_cases(store: DeltaStore, data: bytes | Path, file_name: str, *, make_key: bool = True) -> CasesPreview:
    """Read and check a return against the records held. Nothing else is written, but with `make_key` a store
    without a key gets one now: references made with a key that is then thrown away could never be matched again.
    Without it (a dry run) a throw-away key stands in. CaseKeyRefused when the key is not the records' own."""
    chain, made = case_keys(store, create=make_key)
    raw = data.read_bytes() if isinstance(data, Path) else data
    ret = read_sen2(raw, chain.root if chain else secrets.token_bytes(32))
    check_authority(ret, store.la)
    preview = CasesPreview(file_name, hashlib.sha256(raw).hexdigest(), ret, key_made=made, key=chain)
    if not ret.ok:
        return preview
    preview.incoming = records_frame(ret)
    if chain is not None and len(chain.keys) > 1:
        preview.incoming["case_ref"] = preview.incoming["case_ref"].map(chain.onward).astype("string")
    current = cases_store(store).read_or_empty()
    preview.new, preview.revised, preview.unchanged = _compare(current, preview.incoming)
    return preview


def commit_cases(store: DeltaStore, preview: CasesPreview, *, author: str | None = None) -> VersionInfo | None:
    """The previewed records merged into the held ones as one new version; None when nothing changed.
    Merged with the table as it is now, so a return loaded meanwhile by someone else is kept."""
    if not preview.ok:
        raise ValueError("a refused return cannot be loaded")
    incoming = preview.incoming
    chain = preview.key
    if chain is None:
        raise ValueError("a return read without the store's key cannot be loaded")
    side = cases_store(store)

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        _still_held(side, chain.fingerprint)
        new, revised, unchanged = _compare(current, incoming)
        merged = pd.concat([current, incoming], ignore_index=True) if len(current) else incoming
        return merged, {"new": new, "revised": revised, "unchanged": unchanged}

    ret = preview.ret
    message = (f"SEN2 return, census {ret.census.isoformat() if ret.census else 'unknown'}, LA {ret.la or 'unknown'}: "
               f"{ret.persons} persons, {ret.requests} requests")
    return side.commit(change, action="cases", author=author, file_name=preview.file_name, sha256=preview.sha256,
                       message=message, key_fingerprint=chain.fingerprint, key_chain=chain.links())


def read_cases(store: DeltaStore, version: str | None = None) -> pd.DataFrame:
    side = cases_store(store)
    return side.read(version) if version else side.read_or_empty()


def period_span(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a measures period: a month `2024-11` or a calendar year `2024` (as `periods` spans
    them, canonical labels only), or a census date. ValueError for anything else."""
    if len(label) in (4, 7):
        period = parse_period(label)
        if period.label != label:
            raise ValueError(f"{label!r} is not a month (2024-11) or a year (2024)")
        return period.start, period.end
    day = dt.date.fromisoformat(label)
    return day, day


def computed_measures(records: pd.DataFrame, *, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Every measure × period, keeping (with `start` / `end`) the periods that lie wholly within them: `--from
    2024-01 --to 2024-12` keeps the twelve months and the year 2024. ValueError for a bound that is not a period."""
    figures = compute(records)
    low = period_span(start)[0] if start else dt.date.min
    high = period_span(end)[1] if end else dt.date.max
    spans = [period_span(p) for p in figures["period"]]
    keep = [low <= first and last <= high for first, last in spans]
    return figures[keep].reset_index(drop=True)


def computed_figures(records: pd.DataFrame, scorecard_of: dict[str, str]) -> pd.DataFrame:
    """The measures that feed a catalogue KPI, as rows of the figures table in the series `computed`: monthly
    measures by month, census measures in the census month. `scorecard_of` maps kpi_id to its scorecard."""
    if records.empty:
        return normalise(pd.DataFrame({c: [] for c in COLUMNS}))
    census = latest_census(records)
    figures = compute(records, census)
    feeds = {m: k for m, k in fed_kpis().items() if k in scorecard_of}
    rows = figures[figures["measure"].isin(list(feeds))]
    monthly = rows["period"].str.len() == 7
    at_census = rows["period"].str.len() == 10
    rows = rows[monthly | at_census].copy()
    rows["period"] = rows["period"].str[:7]
    notes = rows["note"].fillna("")
    out = pd.DataFrame({
        "kpi_id": rows["measure"].map(feeds),
        "period": rows["period"],
        "series": COMPUTED,
        "value": rows["value"],
        "count": rows["numerator"].where(rows["denominator"].notna(), pd.NA),
        "note": [f"computed from case records ({m}){'; ' + n if n else ''}" for m, n in zip(rows["measure"], notes,
                                                                                          strict=True)],
    })
    out.insert(0, "scorecard", out["kpi_id"].map(scorecard_of))
    return normalise(out)


def case_list(records: pd.DataFrame, measure_id: str, period: str) -> pd.DataFrame:
    """The cases behind one figure (KeyError naming the measures when the id is unknown)."""
    measure(measure_id)
    return cases_behind(records, measure_id, period)


def find_case(store: DeltaStore, records: pd.DataFrame, upn: str) -> pd.DataFrame:
    """Every request of the child with this UPN (as a case list), found by hashing it with the store's key; the UPN
    itself is never stored."""
    chain, _ = case_keys(store)
    if chain is None or not upn.strip():
        return case_rows(records.iloc[0:0])
    return case_rows(records[records["case_ref"] == chain.ref_for_upn(upn)])


def census_dates(records: pd.DataFrame) -> list[dt.date]:
    return sorted({pd.Timestamp(c).date() for c in records["census"].dropna().unique()})


def with_computed(store: DeltaStore, table: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The figures table with the computed series added, when the store holds case records (an export sees what
    the pages show)."""
    records = read_cases(store)
    if records.empty:
        return table
    computed = computed_figures(records, {k.id: k.scorecard for k in catalogue})
    return pd.concat([table, computed], ignore_index=True) if len(computed) else table


_INDEX = re.compile(r"\[\d+\]")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _element(path: str) -> str:
    return _INDEX.sub("", path.rsplit("/", 1)[-1]).lower()


def problem_rows(problems: list[Sen2Problem]) -> pd.DataFrame:
    """A return's problems as the Upload page tables them: the rule's code, the Nth Person, the XML line, the element path, the raw
    value (the reader withholds a name's, postcode's, UPN's, ULN's or date of birth's; so does this, whatever made
    the problem) and what is wrong."""
    return pd.DataFrame([{
        "Code": p.code,
        "Person": f"Person {p.person}" if p.person else "",
        "XML line": str(p.line) if p.line else "",
        "Element": p.path,
        "Value": "" if p.value is None else WITHHELD if _element(p.path) in IDENTITY_ELEMENTS else p.value,
        "Problem": p.message,
    } for p in problems], columns=["Code", "Person", "XML line", "Element", "Value", "Problem"])


def problem_kinds(problems: list[Sen2Problem]) -> pd.DataFrame:
    """Problems counted by kind: the element (without its position) and the message with its dates left out, so
    `ActivePlans is present for a plan that ceased on 2021-12-22` and `… on 2023-05-07` are one kind."""
    kinds = pd.Series([f"{p.code} {_INDEX.sub('', p.path)} {_ISO.sub('…', p.message)}".strip() for p in problems],
                      dtype="string")
    counts = kinds.value_counts(sort=True)
    return pd.DataFrame({"What": counts.index.astype(str), "How many": counts.to_numpy()})
