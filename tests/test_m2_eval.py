"""`eval --m2`: reading M2 files, rebuilding text with offsets, and scoring, on sentences
written for these tests (never the shared corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from speaking_pipeline.analysis import m2_eval
from speaking_pipeline.cli.main import main

# Ten sentences of one "learner": two agreement errors (annotated), one article error that the
# annotator marked, and one agreement error left unannotated (a false hit for the measure).
LEARNER = """S My brother go to work by bus every day .
A 2 3|||R:VERB:SVA|||goes|||REQUIRED|||-NONE-|||0

S He do n't like driving in the city .
A 1 2|||R:VERB:SVA|||does|||REQUIRED|||-NONE-|||0

S My sister is nurse in a small hospital .
A 3 3|||M:DET|||a|||REQUIRED|||-NONE-|||0

S She works at night and sleeps in the morning .
A -1 -1|||noop|||-NONE-|||REQUIRED|||-NONE-|||0

S They has a flat near the river .

S The flat is small but bright .

S We visit them on Sundays .

S My mother cooks a big lunch for everyone .

S After lunch we walk along the river .

S In the evening we go home by train .
"""


@pytest.fixture
def m2_file(tmp_path: Path) -> Path:
    path = tmp_path / "X.dev.m2"
    path.write_text(LEARNER)
    return path


def test_reads_sentences_and_first_annotator_edits(m2_file: Path) -> None:
    sentences = m2_eval.read_m2(m2_file)
    assert len(sentences) == 10
    assert sentences[0].edits[0].error_type == "R:VERB:SVA"
    assert sentences[3].edits == []  # noop


def test_detokenised_text_keeps_every_token_offset(m2_file: Path) -> None:
    pseudo = m2_eval.pseudo_texts(m2_eval.read_m2(m2_file))[0]
    assert pseudo.text.startswith("My brother go to work by bus every day. He don't like")
    for sentence, spans in zip(pseudo.sentences, pseudo.spans, strict=True):
        for token, (start, end) in zip(sentence.tokens, spans, strict=True):
            assert pseudo.text[start:end] == token
    # The agreement edits are on "go" and "do".
    gold = [pseudo.text[a:b] for a, b in pseudo.gold("grammar.subject_verb_agreement")]
    assert gold == ["go", "do"]


def test_error_types_map_to_codes() -> None:
    assert m2_eval.code_for("M:DET", "the", "") == {"grammar.article_omission"}
    assert m2_eval.code_for("R:VERB:TENSE", "went", "go") == {"grammar.past_tense"}
    assert m2_eval.code_for("U:DET", "", "an") == {"grammar.plural_countable"}
    assert m2_eval.code_for("R:NOUN:NUM", "cars", "car") == {"grammar.plural_countable"}
    assert m2_eval.code_for("R:SPELL", "because", "becuase") == set()


def test_scores_precision_recall_and_insights(m2_file: Path) -> None:
    report = m2_eval.score_file(m2_file, keep_false=5)
    agreement = report.codes["grammar.subject_verb_agreement"]
    assert report.texts == 1
    assert agreement.recurring_texts == 1
    assert agreement.reported_on_recurring == 1
    # "brother go" and "He do(n't)" carry gold edits; "They has" is a real error nobody marked.
    assert (agreement.correct_examples, agreement.examples) == (2, 3)
    assert ("grammar.subject_verb_agreement", "They has") in report.false_examples
    assert agreement.other_edit_hits == 0  # "They has" carries no edit of any type
    assert report.recurring_texts_with_insight == 1


def test_counts_false_hits_that_fall_on_an_edit_of_another_type(tmp_path: Path) -> None:
    # The annotator marks "has" but as a plain verb error: still false for agreement, but a
    # place where a human saw an error.
    path = tmp_path / "Y.dev.m2"
    path.write_text(
        LEARNER.replace(
            "S They has a flat near the river .\n",
            "S They has a flat near the river .\nA 1 2|||R:VERB|||have|||REQUIRED|||-NONE-|||0\n",
        )
    )
    agreement = m2_eval.score_file(path).codes["grammar.subject_verb_agreement"]
    assert (agreement.correct_hits, agreement.all_hits) == (2, 3)
    assert agreement.other_edit_hits == 1


def test_cli_prints_the_report_and_rejects_bad_files(
    m2_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--m2", str(m2_file)]) == 0
    out = capsys.readouterr().out
    assert "grammar.subject_verb_agreement" in out and "1/1 (1.00)" in out
    assert main(["eval", "--m2", str(tmp_path / "missing.m2")]) == 2
    assert "no such M2 file" in capsys.readouterr().err
    broken = tmp_path / "broken.m2"
    broken.write_text("this is not M2\n")
    assert main(["eval", "--m2", str(broken)]) == 2
    assert "broken.m2:1: expected an S or A line" in capsys.readouterr().err
