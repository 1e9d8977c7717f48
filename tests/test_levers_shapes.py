"""ontology/shapes-levers.ttl holds the effect chains to the model: a chain between factors is
always a marked reading with a source, and has one sign. One copy of the data with both faults;
the real data passes (tests/test_validate.py checks the whole graph)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from amkg.cli.main import main

FAULTS = """@prefix amkg: <https://w3id.org/amkg/def#> .
@prefix kg: <https://w3id.org/amkg/id/> .
kg:factor-innovatie amkg:raisesFactor kg:factor-misstanden .
kg:factor-innovatie amkg:lowersFactor kg:factor-misstanden .
kg:factor-misstanden amkg:raisesFactor kg:spoor-1 .
"""


def test_unmarked_chains_two_signs_and_non_factors_are_violations(
    make_data_copy: Callable[..., Path], runner: CliRunner
) -> None:
    directory = make_data_copy()
    (directory / "zz-keten-fout.ttl").write_text(FAULTS, encoding="utf-8")
    result = runner.invoke(main, ["validate", "--data-dir", str(directory), "--lang", "en"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert out.count("amkgsh:FactorChainIsReadingShape") == 2  # one per factor pair
    assert "amkgsh:FactorChainOneSignShape" in out
    assert "must point to a factor (amkg:Factor)" in out
    assert "kg:spoor-1" in out
