"""Words of a transcript and its filled pauses: the one tokenisation fluency and the rules share."""

from __future__ import annotations

import re

# Words keep inner apostrophes ("don't") and hyphens ("cast-iron"); numbers are tokens too.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*|\d+(?:[.,:]\d+)*")

# Sounds that are always filled pauses, with the spelling feedback names them by.
FILLED_PAUSES: dict[str, str] = {
    "um": "um",
    "umm": "um",
    "uhm": "um",
    "hmm": "um",
    "mm": "um",
    "uh": "uh",
    "uhh": "uh",
    "er": "er",
    "erm": "er",
    "ehm": "er",
}


def normalise(word: str) -> str:
    return word.casefold().replace("’", "'")


def word_tokens(text: str) -> list[str]:
    """The transcript's words, case-folded."""
    return [normalise(m.group()) for m in WORD.finditer(text)]
