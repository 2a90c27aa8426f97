"""Learner variants of a transcript, and the choice between them by audio and prior scores."""

from __future__ import annotations

from collections.abc import Sequence

from speaking_pipeline.transcription.base import Word
from speaking_pipeline.transcription.learner_variants import Edit, learner_edits, split_word
from speaking_pipeline.transcription.rescoring import learner_rescore
from speaking_pipeline.transcription.whisper_local import KeptSegment, rescored_segments


def _variants(text: str) -> set[str]:
    words = text.split()
    return {" ".join(edit.apply(words)) for edit in learner_edits(words)}


# ---- which variants are offered ------------------------------------------------------------


def test_the_forms_whisper_repairs_are_offered() -> None:
    assert "At school I made many mistake." in _variants("At school I made many mistakes.")
    assert "The price depend on the season." in _variants("The price depends on the season.")
    assert "The price depends of the season." in _variants("The price depends on the season.")
    assert "Now I must to improve." in _variants("Now I must improve.")
    assert "He can to swim." in _variants("He can't swim.")
    assert "My sister work in a bank." in _variants("My sister worked in a bank.")
    assert "We need more informations." in _variants("We need more information.")
    assert "She have a house." in _variants("She has a house.")
    assert "My friends is here." in _variants("My friends are here.")
    assert "I go to office." in _variants("I go to the office.")


def test_nouns_after_a_determiner_get_no_verb_forms_and_function_words_none() -> None:
    offered = _variants("She explained the rules.")
    assert "She explained the rule." in offered
    assert "She explained the ruled." not in offered
    # pronouns, possessives and the like have no learner variant of their own
    assert not any(v.split()[0] != "She" for v in offered)
    assert not [e for e in learner_edits(["my", "it"]) if e.start == 0]


def test_capitals_and_punctuation_are_kept() -> None:
    assert "Depend on it." in _variants("Depends on it.")
    assert "I saw many book." in _variants("I saw many books.")
    assert split_word('"Now,') == ('"', "Now", ",")
    assert split_word("don't") == ("", "don't", "")


# ---- which variant wins --------------------------------------------------------------------


def _scorer(table: dict[str, float], default: float) -> tuple[list[list[str]], object]:
    calls: list[list[str]] = []

    def score(texts: Sequence[str]) -> list[float]:
        calls.append(list(texts))
        return [table.get(text, default) for text in texts]

    return calls, score


def test_a_variant_the_prior_dislikes_wins_when_the_audio_does_not_prefer_the_hypothesis() -> None:
    said = "I made many mistake."
    heard = "I made many mistakes."
    # the audio is undecided, but the decoder's prior alone strongly prefers "mistakes"
    _, audio = _scorer({heard: -5.0, said: -5.5}, default=-20.0)
    _, prior = _scorer({said: -40.0}, default=-30.0)

    placed = learner_rescore(heard.split(), audio, prior)  # type: ignore[arg-type]

    assert " ".join(word for word, _ in placed) == said
    assert [source for _, source in placed] == [0, 1, 2, 3]


def test_a_deletion_needs_a_wider_margin_than_a_replacement() -> None:
    heard = "We walked to the park."
    dropped = "We walked to park."
    # A shorter text scores higher for being shorter: 1.6 nats is not evidence of an omission.
    _, audio = _scorer({heard: -10.0, dropped: -8.4}, default=-30.0)
    _, prior = _scorer({}, default=-30.0)
    placed = learner_rescore(heard.split(), audio, prior)  # type: ignore[arg-type]
    assert [word for word, _ in placed] == heard.split()
    # An article the audio plainly lacks is taken out.
    _, audio = _scorer({heard: -10.0, dropped: -6.5}, default=-30.0)
    placed = learner_rescore(heard.split(), audio, prior)  # type: ignore[arg-type]
    assert [word for word, _ in placed] == dropped.split()
    # A replacement with the same 1.6 nats wins: the wider margin is for deletions only.
    _, audio = _scorer({heard: -10.0, "We walk to the park.": -8.4}, default=-30.0)
    placed = learner_rescore(heard.split(), audio, prior)  # type: ignore[arg-type]
    assert " ".join(word for word, _ in placed) == "We walk to the park."


def test_without_the_prior_taken_out_the_hypothesis_stays() -> None:
    heard = "I made many mistakes."
    _, audio = _scorer({heard: -5.0, "I made many mistake.": -5.5}, default=-20.0)
    _, prior = _scorer({"I made many mistake.": -40.0}, default=-30.0)

    placed = learner_rescore(heard.split(), audio, prior, prior_weight=0.0)  # type: ignore[arg-type]

    assert [word for word, _ in placed] == heard.split()


def test_a_variant_that_only_the_prior_likes_less_but_the_audio_rejects_loses() -> None:
    heard = "She explained the rules."
    # "rule." has a worse prior, but the audio clearly says "rules."
    _, audio = _scorer({heard: -4.0, "She explained the rule.": -12.0}, default=-30.0)
    _, prior = _scorer({"She explained the rule.": -33.0}, default=-30.0)

    placed = learner_rescore(heard.split(), audio, prior)  # type: ignore[arg-type]

    assert [word for word, _ in placed] == heard.split()


def test_an_insertion_is_placed_between_its_neighbours_and_the_second_pass_fixes_a_neighbour() -> (
    None
):
    heard = "It depends on me."
    # "depend" wins first; only once it is in does "of" beat "on" (a local second pass)
    audio_table = {
        heard: -6.0,
        "It depend on me.": -4.0,
        "It depend of me.": -2.0,
        "It depends of me.": -9.0,
    }
    calls, audio = _scorer(audio_table, default=-25.0)
    _, prior = _scorer({}, default=-40.0)

    placed = learner_rescore(heard.split(), audio, prior)  # type: ignore[arg-type]

    assert " ".join(word for word, _ in placed) == "It depend of me."
    assert len(calls) == 2  # two passes, the second only around the first edit
    assert len(calls[1]) < len(calls[0])


def test_confident_words_are_not_questioned() -> None:
    heard = "I made many mistakes."
    calls, audio = _scorer({heard: -5.0, "I made many mistake.": -1.0}, default=-20.0)
    _, prior = _scorer({}, default=-40.0)

    placed = learner_rescore(
        heard.split(),
        audio,  # type: ignore[arg-type]
        prior,  # type: ignore[arg-type]
        confidences=[0.999, 0.999, 0.999, 0.999],
    )

    assert [word for word, _ in placed] == heard.split()
    assert calls == []  # nothing in doubt: nothing scored


# ---- words and timings after re-scoring -----------------------------------------------------


def test_rescored_segments_keep_timings_and_place_inserted_words_in_the_gap() -> None:
    first = KeptSegment(
        "I must improve.",
        [
            Word(word="I", start=0.0, end=0.2, probability=0.9),
            Word(word="must", start=0.2, end=0.5, probability=0.9),
            Word(word="improve.", start=0.7, end=1.2, probability=0.9),
        ],
        seek=0,
    )
    second = KeptSegment(
        "It depends.",
        [
            Word(word="It", start=1.5, end=1.6, probability=0.9),
            Word(word="depends.", start=1.6, end=2.0, probability=0.5),
        ],
        seek=0,
    )
    said = {
        "I must to improve. It depends.": -5.0,
        "I must improve. It depend.": -5.0,
        "I must to improve. It depend.": -1.0,
    }

    def audio(texts: Sequence[str]) -> list[float]:
        return [said.get(t, -10.0 - len(t) / 100) for t in texts]

    def prior(texts: Sequence[str]) -> list[float]:
        return [-30.0 for _ in texts]

    kept = rescored_segments([first, second], audio, prior)

    assert [k.text for k in kept] == ["I must to improve.", "It depend."]
    to = kept[0].words[2]
    assert (to.word, to.start, to.end, to.probability) == ("to", 0.5, 0.7, None)
    depend = kept[1].words[1]
    assert (depend.word, depend.start, depend.end, depend.probability) == (
        "depend.",
        1.6,
        2.0,
        None,
    )
    assert kept[0].words[0] == first.words[0]  # untouched words are the same objects


def test_edit_apply_deletes_inserts_and_replaces() -> None:
    words = ["go", "to", "the", "office"]
    assert Edit(2, 3, ()).apply(words) == ["go", "to", "office"]
    assert Edit(1, 1, ("x",)).apply(words) == ["go", "x", "to", "the", "office"]
    assert Edit(0, 1, ("goes",)).apply(words) == ["goes", "to", "the", "office"]
