"""How the films a query asks for play (stop 45): gory, surreal, campy, quirky, thought-provoking...

"gory horror" browsed Horror's most popular films (Mama, The Amityville Horror) and
"thought-provoking sci-fi" found Galaxy Quest and The Ice Pirates: no genre says how a film plays,
but TMDB's keywords often do. Each tone (``TONES``) is shown by keyword clauses and ordered by a
field, like ``webapp.explore.scale.SCALE``. The words are read only in a query of kind words alone
(``webapp.explore.intents.named_tones``). Tables and clauses only: no server.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from webapp.explore.scale import INDEPENDENT_TAG


def _carrying(*keywords: str) -> tuple[dict[str, Any], ...]:
    """One clause per keyword: the films TMDB tags with it (as the index holds it: lower case)."""
    return tuple({"term": {"keywords": k}} for k in keywords)


class Tone(NamedTuple):
    """How a tone is shown: by clauses of which a film must meet one (none: every film), and by the
    field whose highest films a browse brings (as ``SCALE``: "thought-provoking" and "slow burn"
    are praise, so their films come by rating).

    A ``graded`` tone's clauses are signs of one quality that add up, and its films come by how
    many they meet first (``tone_evidence``: Saw's torture, gore and blood before Scream's slasher;
    "gruesome horror" 0.45 -> 0.74 nDCG@10, "surreal films" 0.34 -> 0.63, tuning queries). Where
    each clause is a kind of its own (a spoof, a parody; an eccentric, a dysfunctional family), a
    film meeting two is no more of the tone, and grading lost ("quirky indie comedy" 0.83 -> 0.67,
    "campy horror" 0.56 -> 0.50, "dark comedies" 0.78 -> 0.74): those clauses only admit."""

    shown_by: tuple[dict[str, Any], ...]
    by: str = "popularity"
    graded: bool = False


GORY = ("gore", "blood", "blood splatter", "splatter", "slasher", "torture", "extreme violence", "decapitation", "dismemberment")
TONES: dict[str, Tone] = {
    "Gory": Tone(_carrying(*GORY, "cannibal", "cannibalism", "mumblegore", "body horror", "mutilation"), graded=True),
    "Violent": Tone(_carrying(*GORY, "violence", "brutality", "gun violence", "massacre"), graded=True),
    "Surreal": Tone(_carrying("surrealism", "surreal", "hallucination", "dream sequence", "lsd", "drug trip", "absurdism"), graded=True),
    "Dark comedy": Tone(_carrying("dark comedy", "black humor", "dark humor", "satire")),
    "Satire": Tone(_carrying("satire", "social satire", "political satire", "spoof", "parody", "mockumentary")),
    "Mockumentary": Tone(_carrying("mockumentary")),
    "Campy": Tone(_carrying("cult film", "cult favorite", "cult classic", "b movie", "exploitation", "spoof", "horror spoof", "parody")),
    "Cult": Tone(_carrying("cult film", "cult favorite", "cult classic"), "vote_count"),
    "Quirky": Tone((*_carrying("eccentric", "misfit", "odd couple", "absurdism", "dysfunctional family"), INDEPENDENT_TAG)),
    "Thought-provoking": Tone(
        _carrying(
            *("philosophy", "existentialism", "artificial intelligence", "dystopia", "consciousness", "subconsciousness", "identity"),
            *("morality", "moral dilemma", "moral conflict", "moral ambiguity", "meaning of life", "time paradox", "parallel world"),
            *("alternate reality", "memory loss", "memory", "nonlinear timeline", "mind and soul", "human nature", "ethics"),
        ),
        "rating_weighted",
    ),
    "Slow burn": Tone((), "rating_weighted"),
}
TONE_WORDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("gory", "gruesome", "bloody", "gore", "splatter", "gorefest"), ("Gory",)),
    **dict.fromkeys(("violent", "brutal", "ultraviolent", "ultra-violent"), ("Violent",)),
    **dict.fromkeys(("surreal", "surrealist", "trippy", "psychedelic", "dreamlike", "dream-like", "hallucinatory", "weird"), ("Surreal",)),
    **dict.fromkeys(("satire", "satires", "satirical", "spoof", "spoofs", "parody", "parodies"), ("Satire",)),
    **dict.fromkeys(("mockumentary", "mockumentaries"), ("Mockumentary",)),
    **dict.fromkeys(("campy", "cheesy", "schlocky", "schlock", "b-movie", "b-movies"), ("Campy",)),
    **dict.fromkeys(("quirky", "offbeat", "eccentric", "deadpan", "oddball", "idiosyncratic"), ("Quirky",)),
    **dict.fromkeys(
        ("thought-provoking", "cerebral", "intelligent", "smart", "philosophical", "profound", "mind-blowing", "mindblowing"), ("Thought-provoking",)
    ),
    **dict.fromkeys(("atmospheric", "brooding"), ("Slow burn",)),
}
SLOW_BURN = re.compile(r"\bslow[\s-]+burn(?:ing|er|ers)?\b", re.I)
TONE_PHRASES: dict[re.Pattern[str], tuple[str, ...]] = {
    re.compile(r"\b(?:dark|black)[\s-]+(?:comed(?:y|ies)|humou?r)\b", re.I): ("Dark comedy",),
    re.compile(r"\bcult[\s-]+(?:classics?|films?|movies?|favou?rites?|hits?)\b", re.I): ("Cult",),
    re.compile(r"\bthought[\s-]+provoking\b|\bmind[\s-]+blowing\b", re.I): ("Thought-provoking",),
    SLOW_BURN: ("Slow burn",),
}


def tone_filters(tones: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per ungraded ``TONES`` name with clauses, a filter: a film meets one of them ("slow burn":
    none, an order only). The other half of a tone browse is ``tone_evidence``."""
    return [
        {"bool": {"should": list(tone.shown_by), "minimum_should_match": 1}}
        for tone in (TONES[name] for name in tones)
        if not tone.graded and tone.shown_by
    ]


def tone_evidence(tones: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per graded ``TONES`` name, a scoring clause: a film meets one of its clauses or more, and
    scores 1 for each it meets."""
    return [
        {"bool": {"should": [{"constant_score": {"filter": clause}} for clause in tone.shown_by], "minimum_should_match": 1}}
        for tone in (TONES[name] for name in tones)
        if tone.graded
    ]
