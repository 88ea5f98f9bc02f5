"""Floors on the development corpus of real documents (../shared/corpus/china, read where it lies,
scored against benchmarks/gold_china by benchmarks/real_eval.py): nothing that works may regress."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "china"

# Measured 2026-12-08 (BENCHMARKS.md, "Real documents"); a floor sits just under each figure.
FLOORS = {"documents": 0.98, "title": 0.92, "doc_number": 0.98, "issuer": 0.90, "date": 0.97, "top_labels": 0.93,
          "second_level": 0.90, "articles": 0.93, "target": 0.62, "statistic": 0.66, "duty": 0.57, "benefit": 0.80}


def _scorer():
    spec = importlib.util.spec_from_file_location("real_eval", ROOT / "benchmarks" / "real_eval.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not (CORPUS / "MANIFEST.md").exists(), reason=f"the development corpus is not beside the checkout ({CORPUS})")
def test_real_documents_do_not_regress():
    ev = _scorer()
    res = ev.evaluate(CORPUS)
    assert res["files"] >= 60
    assert res["grounded"] == 1.0
    got = {f: res["overall"].share(f) for f in FLOORS}
    assert {f: got[f] >= floor for f, floor in FLOORS.items()} == {f: True for f in FLOORS}, got
