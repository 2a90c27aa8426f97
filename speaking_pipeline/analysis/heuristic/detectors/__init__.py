"""Rule-based detectors, one function per taxonomy code, grouped by category."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from speaking_pipeline.analysis.heuristic.detectors import grammar, structure, vocabulary
from speaking_pipeline.analysis.heuristic.findings import Detection
from speaking_pipeline.analysis.heuristic.text import Doc
from speaking_pipeline.domain.taxonomy import TAXONOMY

Detector = Callable[[Doc], Detection | None]

_MODULES: dict[str, ModuleType] = {
    "grammar": grammar,
    "structure": structure,
    "vocabulary": vocabulary,
}


def _detector(code: str) -> Detector:
    """`grammar.past_tense` is `grammar.past_tense()`: the code names its module and function."""
    category, name = code.split(".", 1)
    function = getattr(_MODULES[category], name, None)
    if not callable(function):
        raise ImportError(f"no detector for taxonomy code {code}")
    detector: Detector = function
    return detector


DETECTORS: dict[str, Detector] = {code: _detector(code) for code in TAXONOMY}
