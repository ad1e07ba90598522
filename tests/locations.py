"""Where the tests find their files, wherever in the tiers a test module sits."""

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
DATA_DIR = TESTS_DIR / "data"
ROOT = TESTS_DIR.parent
