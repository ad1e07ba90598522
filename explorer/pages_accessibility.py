"""What the accessibility statement says was tested: shared with tests/browser/test_accessibility.py, so the statement
and the sweep cannot drift apart."""

from __future__ import annotations

# axe-core's rule tags the browser sweep runs on every page reached through the menu: WCAG 2.0, 2.1 and 2.2, A and AA.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
CONTACT = "contact the SEND performance team"
