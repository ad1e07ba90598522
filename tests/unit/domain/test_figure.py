"""The Figure model and DfE's quartile rule, written once."""

from __future__ import annotations

import pytest

from sendlib.domain.figure import Figure, Standing, quartile_of


def test_the_quartile_rule_splits_authorities_into_four_bands_of_near_equal_size() -> None:
    for count in (4, 151, 153):
        bands = [quartile_of(rank, count) for rank in range(1, count + 1)]
        assert bands == sorted(bands) and set(bands) == {1, 2, 3, 4}
        sizes = [bands.count(q) for q in (1, 2, 3, 4)]
        assert max(sizes) - min(sizes) <= 1, (count, sizes)


def test_a_standing_carries_rank_and_how_many_as_numbers_and_words_them() -> None:
    s = Standing(43, 153, "neutral")
    assert (s.rank, s.of, s.quartile) == (43, 153, 2)
    assert s.text == "43 of 153" and s.words.startswith("43 of 153 authorities, second quarter")
    assert "worst" in Standing(150, 153, "higher_better").words
    with pytest.raises(ValueError):
        Standing(154, 153)


def test_a_figure_formats_its_value_in_its_unit_and_names_its_period_and_source() -> None:
    f = Figure("b04", 15.9, "2024-03", "typed", "percent", where="Improvement board report")
    assert (f.text, f.period_text) == ("15.9%", "March 2024")
    assert f.source_words == "typed in the document (Improvement board report)"
    year = Figure("b04", None, "2024", "dfe", "percent")
    assert (year.text, year.period_text) == ("—", "calendar year 2024")
