"""Our own 200 sentences for the encoder-equivalence check (not the TMDB CSV): every length
from one word to past the model's 256-token window, accents, digits and punctuation."""

from __future__ import annotations

SUBJECTS = [
    "a retired boxer",
    "two estranged sisters",
    "an android nanny",
    "the night-shift nurse",
    "a village of fishermen",
    "a teenage hacker",
    "Detective Amélie Roux",
    "a grieving widower",
    "the last dragon",
    "twelve jurors",
]
ACTIONS = [
    "fights to keep",
    "slowly uncovers",
    "accidentally inherits",
    "must smuggle",
    "falls in love with",
    "tries to escape",
    "plots revenge for",
    "sings about",
    "races against time to save",
    "refuses to sell",
]
OBJECTS = [
    "a haunted lighthouse",
    "the family vineyard",
    "a stolen Fabergé egg",
    "their dying hometown",
    "the year 1999",
    "a cursed VHS tape",
    "Mars colony #7",
    "the world's last bookstore",
    "an off-by-one error",
    "grandma's recipes",
]
TAILS = [
    "",
    " in 1970s Naples.",
    " before the winter storm hits!",
    ", while a war rages on.",
    " (based on a true story)",
    "; nobody believes them.",
    " -- and it's hilarious.",
    " under a blood-red moon?",
    " across 3 continents.",
    " 🎬",
]
LONG = (
    "After the factory closes, the town's people drift apart, argue over the pension fund, sell their houses to "
    "strangers from the city and remember, one summer at a time, the festival that used to bring them together; "
)


def texts() -> list[str]:
    out = [
        "love",
        "War.",
        "zombie apocalypse",
        "  a quiet heist  ",
        "Ω",
        "crime drama mafia family betrayal",
        "rom-com",
        "space opera with sword fights and a talking raccoon",
        "2001",
        "coming-of-age",
    ]
    for i in range(170):
        s, a, o, t = SUBJECTS[i % 10], ACTIONS[(i // 10) % 10], OBJECTS[(i * 7 + i // 100 * 5) % 10], TAILS[(i * 3 + i // 100) % 10]
        out.append(f"{s[0].upper()}{s[1:]} {a} {o}{t}")
    for i in range(20):  # long texts: 40 to past 600 tokens, the tail truncated at 256 as the model is
        out.append(LONG * (1 + i // 2) + f"{SUBJECTS[i % 10]} {ACTIONS[i % 10]} {OBJECTS[i % 10]}.")
    return out
