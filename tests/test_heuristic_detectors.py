"""Each heuristic detector on sentences that show its pattern and on look-alikes that do not."""

from __future__ import annotations

import pytest

from speaking_pipeline.analysis.heuristic.detectors import DETECTORS
from speaking_pipeline.analysis.heuristic.findings import Hit, pick_examples
from speaking_pipeline.analysis.heuristic.text import parse
from speaking_pipeline.domain.taxonomy import TAXONOMY
from speaking_pipeline.domain.verbatim import is_verbatim


def hits(code: str, text: str) -> list[str]:
    """The transcript words each hit covers."""
    doc = parse(text)
    detection = DETECTORS[code](doc)
    return [] if detection is None else [doc.quote(h.first, h.last) for h in detection.hits]


def test_every_taxonomy_code_has_a_detector() -> None:
    assert set(DETECTORS) == set(TAXONOMY)


# (code, text, words that must be among the hits)
POSITIVE = [
    ("grammar.article_omission", "My sister is nurse in Leeds.", "is nurse"),
    ("grammar.article_omission", "We stayed in small hotel near the port.", "in small hotel"),
    ("grammar.article_omission", "Last year I bought new car.", "bought new car"),
    ("grammar.article_omission", "It was best day of my life.", "best day"),
    ("grammar.article_omission", "I read about it on internet yesterday.", "on internet"),
    ("grammar.article_omission", "We arrived at same time as them.", "at same"),
    ("grammar.subject_verb_agreement", "My boss always say that.", "boss always say"),
    ("grammar.subject_verb_agreement", "He go to work by bus.", "He go"),
    ("grammar.subject_verb_agreement", "She don't like coffee.", "She don't"),
    ("grammar.subject_verb_agreement", "In my town people is very friendly.", "people is"),
    ("grammar.subject_verb_agreement", "They goes to the gym on Mondays.", "They goes"),
    ("grammar.subject_verb_agreement", "There is many reasons for that.", "There is many"),
    ("grammar.past_tense", "Yesterday I go to the cinema with Tom.", "I go"),
    ("grammar.past_tense", "Two years ago we move to Madrid.", "we move"),
    ("grammar.past_tense", "Last week she buyed a new phone.", "buyed"),
    ("grammar.past_tense", "We didn't went to the party.", "didn't went"),
    (
        "grammar.past_tense",
        "Last summer we rented a car. Then we drive along the coast for a week.",
        "we drive",
    ),
    (
        "grammar.past_tense",
        "Last Saturday we went hiking. We wake up early and we drive to the mountains.",
        "We wake",
    ),
    ("grammar.preposition", "It depends of the weather.", "depends of"),
    ("grammar.preposition", "We discussed about the budget.", "discussed about"),
    ("grammar.preposition", "She is married with a doctor.", "married with"),
    ("grammar.preposition", "We arrived to the airport late.", "arrived to"),
    ("grammar.preposition", "I usually listen music on the train.", "listen music"),
    ("grammar.preposition", "Can you explain me the rules?", "explain me"),
    ("grammar.preposition", "I have lived here since three years.", "since three years"),
    ("grammar.preposition", "I'm very interested about history.", "interested about"),
    ("grammar.plural_countable", "She gave me many informations.", "informations"),
    ("grammar.plural_countable", "He has some good advices for you.", "advices"),
    ("grammar.plural_countable", "I visited many country last year.", "many country"),
    ("grammar.plural_countable", "We stayed there for three week.", "three week"),
    ("grammar.plural_countable", "One of my friend lives in Oslo.", "One of my friend"),
    ("grammar.plural_countable", "There were too much people.", "much people"),
    ("vocabulary.filler_words", "Um, I think, uh, it was fine.", "Um"),
    ("vocabulary.filler_words", "It was, like, really far away.", "like"),
    ("vocabulary.filler_words", "And then, you know, we left.", "you know"),
    ("vocabulary.filler_words", "I mean, it wasn't that bad.", "I mean"),
    ("vocabulary.filler_words", "Basically we just stayed at home.", "Basically"),
    ("vocabulary.hedging", "Maybe it was kind of my fault, I guess.", "kind of"),
    ("vocabulary.hedging", "I suppose it's sort of normal.", "I suppose"),
    ("vocabulary.intensifier_overuse", "It was very very cold and really windy.", "very"),
    ("vocabulary.intensifier_overuse", "The room was so small.", "so"),
    ("vocabulary.vague_words", "There was a lot of stuff and nice things.", "stuff"),
    ("structure.false_starts", "I, I went there alone.", "I, I"),
    ("structure.false_starts", "We go— we went to the lake.", "go— we went"),
    ("structure.false_starts", "It was in the, in the morning.", "in the, in the"),
    ("structure.false_starts", "She said, um, she said no.", "she said, um, she said"),
]


@pytest.mark.parametrize(("code", "text", "expected"), POSITIVE)
def test_detector_finds_its_pattern(code: str, text: str, expected: str) -> None:
    assert any(expected.casefold() in h.casefold() for h in hits(code, text)), hits(code, text)


NEGATIVE = [
    ("grammar.article_omission", "My sister is a nurse and she works at home."),
    ("grammar.article_omission", "We went by car and came back on foot."),
    ("grammar.article_omission", "He studied in secondary school and then at university."),
    ("grammar.article_omission", "She is very patient with children."),
    ("grammar.article_omission", "We take the environment into account."),
    ("grammar.article_omission", "The car park was full, so we looked for a job interview."),
    ("grammar.subject_verb_agreement", "He goes to work and she doesn't like coffee."),
    ("grammar.subject_verb_agreement", "Does he know the answer? Can she come?"),
    ("grammar.subject_verb_agreement", "I helped him move and watched it happen."),
    ("grammar.subject_verb_agreement", "The atmosphere among the volunteers was great."),
    ("grammar.subject_verb_agreement", "The bill for three people was ninety euros."),
    ("grammar.subject_verb_agreement", "My friend found a flat. It sort of works."),
    ("grammar.subject_verb_agreement", "If he were rich, he would travel."),
    ("grammar.past_tense", "Yesterday I went to the cinema and we ate popcorn."),
    ("grammar.past_tense", "Three years ago I moved here, and now I live in the centre."),
    ("grammar.past_tense", "I stayed on the beach because I'm not a strong swimmer."),
    ("grammar.past_tense", "Last winter I joined a club, and it has become my favourite place."),
    ("grammar.past_tense", "I moved to Berlin in 2019. Every morning I take the U-Bahn to work."),
    ("grammar.past_tense", "The best thing I found this year is a podcast I listen to daily."),
    ("grammar.past_tense", "I bought a new phone last week. It takes great photos."),
    ("grammar.past_tense", "Three years ago I started running. I run three times a week."),
    ("grammar.past_tense", "Last year I moved to Berlin. I work as a nurse and I love it."),
    ("grammar.preposition", "It depends on the weather and we discussed the budget."),
    ("grammar.preposition", "He is married with two children."),
    ("grammar.preposition", "I listen to music and wait for the bus."),
    ("grammar.preposition", "When applied to a function, the rule works."),
    ("grammar.plural_countable", "She gave me some useful information and advice."),
    ("grammar.plural_countable", "Many believe that it works. We rented a two bedroom flat."),
    ("grammar.plural_countable", "These kind of problems are rare. He runs a software firm."),
    ("grammar.plural_countable", "Version 2 release is out and jinja2 library too."),
    ("vocabulary.filler_words", "I like jazz and I would like to see you."),
    (
        "vocabulary.filler_words",
        "It looks like rain. Do you know the answer? What I mean is simple.",
    ),
    ("vocabulary.filler_words", "Cities like Paris are expensive."),
    ("vocabulary.hedging", "What kind of music do you like? That sort of thing is rare."),
    ("vocabulary.intensifier_overuse", "So we went home. I think so. So far it works."),
    ("vocabulary.intensifier_overuse", "It was the very first time."),
    ("vocabulary.vague_words", "He is good at maths and left for good."),
    ("structure.false_starts", "It was very very cold. I had had enough."),
    ("structure.false_starts", "The thing is, his flat is full of books."),
]


@pytest.mark.parametrize(("code", "text"), NEGATIVE)
def test_detector_ignores_look_alikes(code: str, text: str) -> None:
    assert hits(code, text) == []


def test_connector_overuse_names_the_dominant_connector() -> None:
    text = (
        "I was tired, so I left early. It rained, so I took the bus. The bus was fast, so I "
        "arrived at nine. The room was empty, so the meeting started late, but nobody minded."
    )
    doc = parse(text)
    detection = DETECTORS["vocabulary.connector_overuse"](doc)
    assert detection is not None
    assert {h.key for h in detection.hits} == {"so"}
    assert detection.frequency == 4
    assert detection.measures["share"] >= 0.5


def test_connector_overuse_ignores_varied_linking() -> None:
    text = (
        "I left early because the roads were icy. However, the bus was late, so I waited. "
        "Although it was cold, I didn't mind, and then the sun came out."
    )
    assert DETECTORS["vocabulary.connector_overuse"](parse(text)) is None


def test_intensifier_so_is_not_the_connector_so() -> None:
    doc = parse("So we left. The film was so long and so boring.")
    intensifiers = DETECTORS["vocabulary.intensifier_overuse"](doc)
    assert intensifiers is not None
    assert [doc.quote(h.first, h.first) for h in intensifiers.hits] == ["so", "so"]


def test_word_repetition_counts_content_words_not_function_words() -> None:
    text = (
        "The soup was delicious. The bread was delicious too, and the wine was delicious. "
        "Honestly, even the coffee was delicious, and the the the of of of."
    )
    detection = DETECTORS["vocabulary.word_repetition"](parse(text))
    assert detection is not None
    assert detection.measures == {"delicious": 4}


def test_word_repetition_lets_a_topic_noun_spread_over_a_talk() -> None:
    gaps = [
        "We adopted him from a shelter when my daughter was eight, and she chose his name.",
        "He was nervous at first, hid under the sofa and refused to eat for two days.",
        "Our neighbours were sceptical, but now they bring him treats on Sundays.",
        "In winter we walk along the river, where there are fewer cyclists and more ducks.",
    ]
    text = (
        f"My dog is old. {gaps[0]} {gaps[1]} The dog sleeps a lot. {gaps[2]} {gaps[3]} "
        f"My dog loves the park. {gaps[1]} {gaps[0]} The dog is happy. {gaps[3]} {gaps[2]} "
        "I walk the dog every day."
    )
    assert DETECTORS["vocabulary.word_repetition"](parse(text)) is None


def test_repetitive_starters_needs_a_share_of_sentences() -> None:
    repeated = (
        "I think the city is loud. I think the parks are small. I think rents are high. "
        "Buses are slow. People are friendly. Winters are long."
    )
    detection = DETECTORS["structure.repetitive_starters"](parse(repeated))
    assert detection is not None
    assert detection.frequency == 3
    assert {h.key for h in detection.hits} == {"i think"}
    varied = (
        "I think the city is loud. Parks are small. Rents, however, are high. "
        "Buses are slow. People are friendly. Winters are long."
    )
    assert DETECTORS["structure.repetitive_starters"](parse(varied)) is None


def test_run_on_sentence_is_a_long_chain_of_clauses() -> None:
    run_on = (
        "We arrived late and the hotel was full so we walked to another one and then it "
        "started to rain and we had no umbrella so we waited in a bar for two hours. "
        "The next day we took the train and it was late and we missed the boat so we "
        "stayed one more night and then we finally got home on Monday morning."
    )
    detection = DETECTORS["structure.run_on_sentences"](parse(run_on))
    assert detection is not None
    assert detection.frequency == 2
    long_but_fine = (
        "Although the hotel, which had been recommended by a colleague, was fully booked, "
        "the receptionist, whose patience I still admire, found us a room in a guesthouse "
        "nearby, where we slept surprisingly well."
    )
    assert DETECTORS["structure.run_on_sentences"](parse(long_but_fine)) is None


def test_two_long_run_on_sentences_count_as_two() -> None:
    text = (
        "Yesterday was a crazy day because I woke up late and I missed the bus so I took a taxi "
        "and the driver got lost and we arrived at ten and my boss was already in the meeting "
        "so I went in and everybody looked at me. Then at lunch I spilled coffee on my shirt "
        "and I had to go home to change and then I came back and worked until eight and I was "
        "so tired that I fell asleep on the sofa."
    )
    doc = parse(text)
    assert doc.punctuated
    detection = DETECTORS["structure.run_on_sentences"](doc)
    assert detection is not None and detection.frequency == 2


def test_short_sentences_need_many_short_simple_sentences() -> None:
    short = (
        "I live in Graz. It is small. I like it. The food is good. "
        "My flat is old. It is cheap. I walk to work. I am happy."
    )
    detection = DETECTORS["structure.short_sentences"](parse(short))
    assert detection is not None
    assert detection.frequency == 8
    mixed = (
        "I live in Graz, which is a small city in the south of Austria. It is quiet. "
        "Although the winters are long, I enjoy walking to work because the old town is "
        "beautiful. My flat is cheap. Rents have risen, but mine has not. I am happy."
    )
    assert DETECTORS["structure.short_sentences"](parse(mixed)) is None


def test_sentence_rules_stand_down_without_punctuation() -> None:
    text = " ".join(["so we went there and then we ate and i was tired"] * 8)
    doc = parse(text)
    assert not doc.punctuated
    assert DETECTORS["structure.short_sentences"](doc) is None
    assert DETECTORS["structure.repetitive_starters"](doc) is None
    run_ons = DETECTORS["structure.run_on_sentences"](doc)
    assert run_ons is not None  # chains of "and then ... so ..." still show up


def test_sentence_splitting_keeps_abbreviations_together() -> None:
    doc = parse("I met Dr. Smith, e.g. at work. Then we left! Did you see? Yes.")
    assert [len(s) for s in doc.sentences] == [8, 3, 3, 1]


def test_examples_are_verbatim_clause_quotes() -> None:
    text = "Um, yesterday we go  to the park, and, you know, we  play football there."
    doc = parse(text)
    quotes = pick_examples(doc, [Hit(0, 0, "um"), Hit(9, 10, "you know")])
    assert len(quotes) == 2
    assert all(is_verbatim(q, text) and q in text for q in quotes)
    assert all(3 <= len(q.split()) <= 12 for q in quotes)


def test_examples_do_not_repeat_or_overlap() -> None:
    text = "I, I went. I, I went. Then I, I slept."
    doc = parse(text)
    detection = DETECTORS["structure.false_starts"](doc)
    assert detection is not None
    quotes = pick_examples(doc, detection.hits)
    assert len(quotes) == len(set(quotes)) == 2
