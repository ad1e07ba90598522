"""The README documents every command, option and setting there is: a flag or setting added to the code and not to the
README fails here."""

from __future__ import annotations

import argparse
import inspect
import re

import pytest

from sendlib import cli
from sendlib.domain import paths, settings
from sendlib.domain.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every (nested) subcommand of the parser, by its full name ("dfe load")."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix}{name}"
                found[full] = sub
                found |= _subcommands(sub, f"{full} ")
    return found


def cli_words() -> list[str]:
    """Every subcommand name and every option string of `python -m sendlib` (help's -h/--help aside)."""
    words: list[str] = []
    for full, sub in _subcommands(cli.build_parser()).items():
        words.append(full.split()[-1])
        for action in sub._actions:
            words += [o for o in action.option_strings if o not in ("-h", "--help")]
    return sorted(set(words))


def setting_words() -> list[str]:
    """The `[explorer]` keys of .streamlit/secrets.toml and every $SENDLIB_… variable the settings and paths read."""
    env = set(re.findall(r"SENDLIB_[A-Z_]+", inspect.getsource(settings) + inspect.getsource(paths)))
    env |= set(re.findall(r"\$(SENDLIB_[A-Z_]+)", inspect.getsource(cli)))
    return sorted({*settings.Settings.model_fields, *env})


def test_there_is_something_to_check() -> None:
    assert {"init", "export", "--store"} <= set(cli_words())
    assert {"home_la", "sn_groups", "SENDLIB_HOME_LA", "SENDLIB_SN_GROUPS", "SENDLIB_STORE", "SENDLIB_CATALOGUE"} <= set(
        setting_words())


def _in_readme(word: str) -> bool:
    # A whole word: `--to` must not be found inside `--top`, nor `init` inside `initial`.
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", README) is not None


@pytest.mark.parametrize("word", cli_words())
def test_every_cli_subcommand_and_option_is_in_the_readme(word: str) -> None:
    assert _in_readme(word), f"`{word}` (python -m sendlib) is not in README.md"


@pytest.mark.parametrize("word", setting_words())
def test_every_setting_is_in_the_readme(word: str) -> None:
    assert _in_readme(word), f"the setting `{word}` is not in README.md"
