"""Wording of details, suggestions and focus goals, built from what a detector actually found."""

from __future__ import annotations

import math

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import thresholds as th
from speaking_pipeline.analysis.heuristic.findings import Detection
from speaking_pipeline.analysis.heuristic.text import Doc

SYNONYMS: dict[str, str] = {
    "difficult": "tough, demanding, challenging",
    "interesting": "fascinating, intriguing",
    "important": "essential, crucial, significant",
    "problem": "issue, drawback, challenge",
    "delicious": "tasty, flavourful, superb",
    "beautiful": "stunning, picturesque, lovely",
    "amazing": "remarkable, incredible, impressive",
    "happy": "pleased, delighted, content",
    "photo": "picture, shot, image (or 'them')",
    "cheap": "affordable, inexpensive, low-cost",
    "fast": "quick, rapid, efficient",
    "different": "distinct, varied, unlike",
    "expensive": "costly, pricey, overpriced",
    "boring": "dull, tedious, monotonous",
    "tram": "it, the service, the line",
    "city": "it, the town, the place",
    "help": "support, assist",
    "stressful": "demanding, hectic, nerve-racking",
    "tired": "exhausted, worn out",
    "funny": "amusing, hilarious",
    "friendly": "welcoming, warm",
    "busy": "hectic, packed",
    "quiet": "peaceful, calm",
    "phone": "it, the device",
    "camera": "it, the device",
    "clean": "spotless, tidy",
    "slow": "sluggish, unhurried",
    "popular": "well-liked, in demand",
    "useful": "handy, valuable",
    "easy": "simple, effortless",
    "experience": "episode, time, adventure",
    "love": "adore, be fond of, enjoy",
    "enjoy": "appreciate, love, relish",
    "place": "spot, location, venue",
}
STARTER_ALTERNATIVES: dict[str, str] = {
    "i think": "'In my view', 'It seems to me that', 'I'm convinced that', or just state it",
    "in my opinion": "'As I see it', 'I'd argue that', 'To my mind', or just state it",
    "the": "a time phrase ('Over the years, ...') or a clause ('Although ..., ...')",
    "i": "a time phrase ('Last month, ...'), a clause ('When I ..., ...') or the topic itself",
    "we": "a time phrase ('Every Tuesday, ...'), the topic, or a clause ('Since we ..., ...')",
    "it was": "the subject itself ('The weather was ...') or a clause ('Although it was ...')",
}


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def starter_text(doc: Doc, detection: Detection) -> str:
    """The repeated opening as the learner said it ('I think', 'In my opinion')."""
    hit = detection.hits[0]
    words = doc.quote(hit.first, hit.last)
    return words[:1].upper() + words[1:]


def _quoted(keys: dict[str, int], limit: int = 4) -> str:
    return ", ".join(f"'{k}' ({n}x)" for k, n in list(keys.items())[:limit])


def _fixes(doc: Doc, detection: Detection, limit: int = 3) -> str:
    """'what you said' -> 'what to say' for the first distinct corrections."""
    pairs: list[str] = []
    seen: set[str] = set()
    for hit in detection.hits:
        if not hit.correction or not hit.confident:
            continue
        said = doc.quote(hit.first, hit.last)
        entry = f"'{said}' -> '{hit.correction}'"
        if said.casefold() in seen:
            continue
        seen.add(said.casefold())
        pairs.append(entry)
        if len(pairs) == limit:
            break
    return "; ".join(pairs)


def detail(doc: Doc, detection: Detection, required: int) -> str:
    code, n = detection.code, detection.frequency
    per100 = 100 * n / max(1, doc.word_count)
    rate = f"{n} times in {doc.word_count} words ({per100:.1f} per 100 words)"
    keys = detection.key_counts()
    m = detection.measures
    if code == "vocabulary.connector_overuse":
        top = next(iter(keys))
        return (
            f"'{top}' links {n} of your {int(m['linking_total'])} clause links "
            f"({m['share']:.0%}), so one connector carries most of the linking."
        )
    if code == "vocabulary.word_repetition":
        words = ", ".join(f"'{k}' ({int(v)}x)" for k, v in m.items())
        return f"Content words repeated where a synonym or pronoun would do: {words}."
    if code == "structure.repetitive_starters":
        total = round(n / m["share"]) if m.get("share") else n
        return f"{n} of {total} sentences open with '{starter_text(doc, detection)}'."
    if code == "structure.run_on_sentences":
        return (
            f"{n} sentences chain three or more clauses with and / and then / so / but "
            "without a break."
        )
    if code == "structure.short_sentences":
        return (
            f"{n} sentences have {th.SHORT_SENTENCE_WORDS} words or fewer; the average is "
            f"{m['mean_words']} words, "
            f"with {m['subordinate_per_sentence']} subordinate clauses per sentence."
        )
    if code in (
        "vocabulary.filler_words",
        "vocabulary.hedging",
        "vocabulary.vague_words",
        "vocabulary.intensifier_overuse",
        "structure.false_starts",
    ):
        extra = ""
        if code == "vocabulary.intensifier_overuse" and m.get("stacked"):
            extra = f", {int(m['stacked'])} of them stacked ('very very')"
        what = _quoted(keys) if code != "structure.false_starts" else f"{n} restarts"
        return f"{what}: {rate}{extra}."
    return f"Found {rate}: {_fixes(doc, detection)}."


def suggestion(doc: Doc, detection: Detection) -> str:
    code = detection.code
    keys = detection.key_counts()
    fixes = _fixes(doc, detection)
    # Only checked fixes are shown; where none is certain the pattern is named, not invented.
    fix_these = f" Fix these: {fixes}." if fixes else ""
    if code == "grammar.article_omission":
        return (
            "Give every singular countable noun an article: a/an for one of many or a job "
            "('she is an engineer'), the for something specific or unique ('the internet', "
            "'the best day'), or the plural for things in general ('cars are expensive', not "
            "'car is expensive'); and match the determiner to the noun ('these books', "
            f"'your letter').{fix_these}"
        )
    if code == "grammar.subject_verb_agreement":
        return (
            "Match the verb to its subject: he/she/it and singular nouns take -s in the present "
            f"('he knows', 'she doesn't'); people/they take the plural.{fix_these}"
        )
    if code == "grammar.past_tense":
        return (
            "Once you have said when something happened (last summer, two years ago), keep "
            f"every verb in the past.{fix_these}"
        )
    if code == "grammar.preposition":
        if not fixes:
            return "Learn verbs and adjectives together with their preposition, as fixed pairs."
        return f"Learn these as fixed pairs and say them aloud: {fixes}."
    if code == "grammar.plural_countable":
        return (
            "Uncountable nouns (information, advice, equipment, furniture) take no -s: use "
            "'some' or 'a piece of'. After many/several/numbers use the plural. "
            f"{fix_these.strip()}"
        )
    if code == "vocabulary.filler_words":
        names = _and_list([f"'{k}'" for k in list(keys)[:3]])
        return (
            f"Replace {names} with a short silent pause: a pause sounds more confident than a "
            "filler, and gives you time to plan the next phrase."
        )
    if code == "vocabulary.connector_overuse":
        top = next(iter(keys))
        alternatives = lx.CONNECTOR_ALTERNATIVES.get(top, "however, therefore, as a result")
        return f"Vary how you link ideas: instead of '{top}' every time, try {alternatives}."
    if code == "vocabulary.intensifier_overuse":
        by_adjective: dict[str, str] = {}
        for h in detection.hits:
            if h.correction:
                adjective = doc.tokens[h.last].norm
                by_adjective.setdefault(
                    adjective, f"'{doc.quote(h.first, h.last)}' -> {h.correction}"
                )
        swap = "; ".join(list(by_adjective.values())[:3])
        tail = f" For example: {swap}." if swap else ""
        return (
            f"Cut {', '.join(repr(k) for k in list(keys)[:3])} and choose one precise adjective "
            f"instead of intensifier + adjective.{tail}"
        )
    if code == "vocabulary.vague_words":
        words = list(keys)[:3]
        options = "; ".join(f"{w} -> {lx.VAGUE_ALTERNATIVES[w]}" for w in words)
        return f"Name what you mean instead of the all-purpose word: {options}."
    if code == "vocabulary.hedging":
        top = next(iter(keys))
        return (
            f"Keep one hedge for genuine uncertainty and state the rest directly: drop '{top}' "
            "when you are sure, and use 'I'm convinced', 'clearly' or 'in my experience' when "
            "you want to sound certain."
        )
    if code == "vocabulary.word_repetition":
        words = list(detection.measures)[:3]
        options = "; ".join(
            f"{w} -> {SYNONYMS.get(w, 'a synonym, or a pronoun once the listener knows it')}"
            for w in words
        )
        return f"Refer back with a pronoun or vary the word: {options}."
    if code == "structure.repetitive_starters":
        top = next(iter(keys))
        options = STARTER_ALTERNATIVES.get(top, "a time phrase, a clause or the topic itself")
        said = starter_text(doc, detection)
        return f"Vary how sentences begin: instead of '{said}', open with {options}."
    if code == "structure.run_on_sentences":
        return (
            "Stop after two clauses. Turn 'and then' into a new sentence or a time clause "
            "('After we ..., we ...'), and replace 'so' with 'which meant that' or a full stop."
        )
    if code == "structure.short_sentences":
        return (
            "Join related short sentences with because, although, which or when, e.g. "
            "'My brother lives in Vienna. He works in a bank.' -> 'My brother, who lives in "
            "Vienna, works in a bank.'"
        )
    if code == "structure.false_starts":
        return (
            "Decide the first few words before you start a sentence; if you need time, pause "
            "silently instead of repeating or restarting ('I, I went' -> pause -> 'I went')."
        )
    return "Practise this pattern in your next recording."


def focus_goal(doc: Doc, detection: Detection, duration_secs: float | None) -> str:
    """One concrete, measurable goal for the next session."""
    code, n = detection.code, detection.frequency
    keys = list(detection.key_counts())
    target = max(1, n // 2)
    start = "In your next session,"
    if code == "vocabulary.filler_words":
        names = " and ".join(f"'{k}'" for k in keys[:2])
        if duration_secs and duration_secs > 0:
            per_minute = n / (duration_secs / 60)
            goal = max(1, math.floor(per_minute / 2))
            return f"{start} keep {names} under {goal} per minute by pausing silently instead."
        per100 = 100 * n / max(1, doc.word_count)
        goal = max(1, math.floor(per100 / 2))
        return f"{start} keep {names} under {goal} per 100 words by pausing silently instead."
    if code == "vocabulary.connector_overuse":
        alternatives = lx.CONNECTOR_ALTERNATIVES.get(keys[0], "however, as a result")
        return (
            f"{start} use '{keys[0]}' at most {target} times and link ideas with at least two "
            f"alternatives ({alternatives})."
        )
    if code == "vocabulary.intensifier_overuse":
        return (
            f"{start} use very/really/so at most {target} times and use at least three precise "
            "adjectives (e.g. exhausted, enormous, delighted) instead."
        )
    if code == "vocabulary.vague_words":
        return f"{start} use 'thing', 'stuff', 'nice' and 'good' at most {target} times in total."
    if code == "vocabulary.hedging":
        return (
            f"{start} state at least three opinions without a hedge, and use maybe/I guess/kind "
            f"of at most {target} times."
        )
    if code == "vocabulary.word_repetition":
        word = next(iter(detection.measures), keys[0])
        return f"{start} use '{word}' at most twice and prepare two alternatives before you start."
    if code == "structure.repetitive_starters":
        return (
            f"{start} start at most two sentences with '{starter_text(doc, detection)}' and open "
            "at least three with "
            "a time phrase or a subordinate clause."
        )
    if code == "structure.run_on_sentences":
        return (
            f"{start} keep every sentence to at most two clauses joined by and/so, and under "
            "25 words."
        )
    if code == "structure.short_sentences":
        return (
            f"{start} say at least four sentences that join two ideas with because, although, "
            "which or when."
        )
    if code == "structure.false_starts":
        return f"{start} pause silently instead of restarting: at most {target} restarts."
    if code == "grammar.article_omission":
        return f"{start} give every singular countable noun a/an/the: at most 1 missing article."
    if code == "grammar.subject_verb_agreement":
        return f"{start} put -s on every he/she/it verb in the present: zero 'he go' errors."
    if code == "grammar.past_tense":
        return (
            f"{start} tell one story about last weekend with every verb in the past tense: "
            "zero present-tense slips."
        )
    if code == "grammar.preposition":
        pairs = ", ".join(f"'{k}'" for k in keys[:2])
        return f"{start} get the prepositions right every time, starting with {pairs}: zero errors."
    if code == "grammar.plural_countable":
        return (
            f"{start} use information/advice without -s and plural nouns after many/several/"
            "numbers: zero errors."
        )
    return f"{start} work on this pattern until it occurs at most {target} times."


def stretch_goal(doc: Doc, mean_sentence_words: float) -> str:
    """A goal for a transcript with no recurring pattern, chosen from what was measured."""
    if doc.word_count < 60:
        return (
            "In your next session, speak for at least two minutes (about 250 words) so that "
            "recurring patterns can be measured."
        )
    if mean_sentence_words < 12:
        return (
            "In your next session, say at least four sentences with a subordinate clause "
            "(although, whereas, which, so that) to show more complex structures."
        )
    return (
        "In your next session, use at least three different linking phrases (e.g. 'whereas', "
        "'as a result', 'which meant that') and two idioms you have not used before."
    )
