"""What a query says besides its topic: years and decades, and words that carry no topic.

Pure functions of the text (no server), so the API, the pages and the relevance bench read a
query the same way (docs/explorer.md, "Query intents"):

- **years**: "80s", "1980s", "90's", "the 2000s", "early 90s", "from 1995", "since 2010",
  "before 1970", "between 1990 and 1999" become a year range, and leave the text; "1970s
  sci-fi" searches "sci-fi" in 1970-1979. A bare year ("2012", "1941") stays text: it is
  often a title. Neither an age ("in her 30s") nor a setting ("soldiers fighting the Germans
  in the 1940s", "set in the 80s", "during the 60s": when the story happens, not when the
  film was made) is read as years. A query that is only years (and words like "movies")
  browses them.
- **filler**: "movies", "films"... at the start or end of a query carry no topic: BM25 needs
  all of a two-word query's terms, so "zombie movies" asked every zombie film to say "movie";
  they are dropped from the BM25 text and the title key (``content_text``), not from the
  whole-title clauses ("Scary Movie") or the vector. A leading "movies about" / "a film about"
  leaves the text for all of them (``without_about``): "movies about grief" needed "about" in
  BM25 (We Need to Talk About Kevin first) and its vector found Scary Movie 2 and Disaster
  Movie. The title-trigram clause skips such a query: "movies" shares three trigrams with
  "Movie 43", which led "sad movies". And it says its words are a topic, not a title
  (``Reading.about``, stop 46): the search drops its title clauses ("movies about dogs" had
  Reservoir Dogs third, Straw Dogs eighth). Inside a query, the words that join a kind to its topic
  ("drama movie about cancer", "spy film set in berlin") leave the BM25 text too (``content_text``,
  stop 53): "movie" and "about" were two of four terms, and a drama saying "about" needed no "cancer".

- **genres**: a word that can only name one of TMDB's genres ("thriller", "horror", "comedy",
  "romantic", "sci-fi", "animated", "documentary", "western", "whodunit", "fantasy", "musical")
  names it (``named_genres``); the hybrid ranking lifts the films that have it
  (``webapp.explore.themes.GENRE_LIFT``). So does a mood fans file under a genre: "funny"
  (Comedy), "scary" (Horror), "sad" and "tearjerker" (Drama), "feel-good" and "heartwarming"
  (Comedy and Family): TMDB's keywords name themes, never moods. The words stay in the text.
  "action" names Action wherever it stands ("90s action" found Last Action Hero and A Civil
  Action by their titles' word, "action comedy" SpongeBob; stop 43), but for "action figure"
  and "class action" / "civil action" (``ACTION``). Words as often a topic
  ("crime family saga", "courtroom drama", "an adventure at sea") name their genre only in a
  query of genre words alone (``BROAD_GENRE_WORDS``: "crime movies", "90s drama", "historical
  drama", "action adventure"), and so does a word asking for the best known of a kind
  (``ACCLAIM_WORDS``: "best action movies" browses Action as "action movies" does; "critically
  acclaimed dramas" browses Drama's highest rated films, ``RATING_WORDS``; such words alone,
  "must see movies", browse every film, ``acclaim_alone``, stop 46). "war" and
  "family" name none: "war movies" browses the war shelf (``webapp.explore.themes``), "family
  movies" is ``FOR_FAMILIES``, and a "family drama" is about a family, not for one.
  Stop 42 added the everyday words for the same moods ("cozy", "lighthearted", "goofy", "gory",
  "heartbreaking", "suspenseful", "valentine's"...: ``FEEL_GOOD_WORDS``, ``FUNNY_WORDS``,
  ``SCARY_WORDS``, ``SAD_WORDS``, ``TENSE_WORDS``), and writes everyday phrasings as the mood word
  the search reads (``with_mood_words``, ``MOOD_PHRASES``): "movies that make you cry" searched
  "cry" (The Crying Game) and is now "sad"; "date night" is "romantic", "edge of your seat"
  "suspenseful", "laugh out loud" "hilarious". Stop 50 writes a fan's name for a kind of film,
  when it is all a query asks for, in TMDB's words (``in_tmdb_words``, ``JARGON``): "whodunit" is
  "murder mystery", "weepie" "sad". The text searched is shown in the intents (``query``).
- **languages** (``named_languages``, stop 43): in a query of genre and language words alone,
  "korean", "french", "bollywood", "anime", "hong kong", "foreign" name the language a film was
  made in (``LANGUAGES``): "korean thriller" browses Korean thrillers, "foreign films" the
  best-known films not in English.
- **how films were made and sold** (``named_scale``, stop 44; the words and clauses in
  ``webapp.explore.scale``): "blockbusters", "low budget horror", "indie dramas"; since stop 46
  also what they were made from ("movies based on books") and how known, long and old they are
  ("hidden gems", "three hour movies", "black and white movies"), with eras named without years
  (``ERAS``: "old horror movies", "old school action"), and since stop 47 the studio that made them
  ("pixar movies", "blumhouse horror"); and **tones**
  (``named_tones``, stop 45; ``webapp.explore.tones``): "gory horror", "surreal films", "slow
  burn mystery". Both only in a query of kind words alone, and both browse (``kind_clauses``).
- **what a query does not want** (``read_without``, stop 47): "action movies without superheroes",
  "superhero movies not marvel", "zombie movies that aren't horror" search the kind asked for and
  leave out, in every mode, the films of the genre, studio or tone named and the films that say it
  (``without_clause``, a filter through ``Filters.without``); only in a short query asking for a
  kind of film, never in a title ("Rebel Without a Cause") or a plot ("... with no memory"). Stop 48
  read the everyday forms too: "scary movies, not gory", "comedies, no romance", "horror movies no
  gore", "not too gory", "non-horror zombie movies"; a tone named ("gory") leaves out its films, never
  the genre it is a tone of. The genres a mood rules out are such a filter too (``ruled_out_clause``).
- **genres a mood rules out** (``ruled_out``): the feel-good words ("feel-good", "heartwarming",
  "cozy", "relaxing"...), "uplifting", "inspiring", "cute" (``UPLIFTING_WORDS``), and a search for
  families ("for kids", "family movies", "family-friendly"), rule out horror, and a dark mood
  ("grim", "bleak", "gritty", "brutal", "disturbing", "dark fantasy": ``DARK_WORDS``, ``DARK``)
  rules out family films ("grim revenge story" had Fantastic Mr. Fox), unless
  the query names it too ("feel-good horror comedy"). A lift only reorders, and the words a query
  shares with horror films still found them: Friday the 13th Part 2 and Part III were in the top
  10 of "heartwarming summer camp", Krampus in "feel good christmas movies", Scream in
  "halloween movies for kids". Hybrid search leaves those films out, except the ones made for
  families too (``SPARED_GENRES``: a family or animated horror film).

- **abbreviations**: "AI", "A.I.", "WW2", "WWII", "NYC", "VR", "MCU", "LOTR", "rom-com" are written out
  ("artificial intelligence", "world war ii"...: ``ABBREVIATIONS``) before anything else reads the query. Films
  say the words, not the letters: "AI" found nothing (no film's text holds the token "ai", so
  only a strict cosine could admit a film), and "ai turns against humans" matched "turns",
  "against" and "humans" (Taken, Immortals) instead of the AI films. The text searched is shown
  in the intents (``query``).

"like <title>" is read in ``webapp.explore.search.like_title`` (``LIKE_PATTERN``, one pattern, used by
the API and the bench); here its mood after "but" (``read_like_but``, stop 49): "like the godfather but
funny" asks for the comedies like The Godfather (``Filters.kinds``, a filter of every mode).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from typing import Any

from webapp.api.params import YEAR_MAX, YEAR_MIN, Filters
from webapp.explore.scale import SCALE, SCALE_NOISE, SCALE_PHRASES, SCALE_WORDS, STUDIOS, scale_clauses
from webapp.explore.tones import SLOW_BURN, TONE_PHRASES, TONE_WORDS, TONES, tone_filters

# Moods, the everyday way (stop 42): words no TMDB keyword says, read as the genre fans file them under.
# Comedy and Family, and never horror (``ruled_out``):
FEEL_GOOD_WORDS = ("feel-good", "heartwarming", "wholesome", "cozy", "cosy", "comforting", "relaxing", "lighthearted", "light-hearted")
# Moods that lift a genre and rule nothing out: a horror comedy is goofy, a war film tense.
FUNNY_WORDS = ("funny", "hilarious", "goofy", "silly", "zany", "wacky")
SCARY_WORDS = ("scary", "creepy", "spooky", "terrifying", "frightening", "horrifying", "chilling", "bone-chilling", "gory", "gruesome")
SAD_WORDS = (
    *("sad", "tearjerker", "tearjerkers", "tear-jerker", "tear-jerkers", "tearjerking", "tear-jerking", "weepy", "weepie", "weepies"),
    *("heartbreaking", "heart-breaking", "heartwrenching", "heart-wrenching", "bittersweet", "emotional"),
)
TENSE_WORDS = ("suspenseful", "suspense", "nail-biting", "nailbiting", "tense")
# Moods no slasher answers that name no genre ("inspiring true story": a drama or a sports film)
UPLIFTING_WORDS = ("uplifting", "inspiring", "inspirational", "motivational", "cute", "adorable")
# Words that name exactly one TMDB genre (``named_genres``); a feel-good word names two.
GENRE_WORDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("thriller", "thrillers"), ("Thriller",)),
    **dict.fromkeys(("horror", "horrors"), ("Horror",)),
    **dict.fromkeys(("comedy", "comedies", "comedic"), ("Comedy",)),
    **dict.fromkeys(("romance", "romances", "romantic"), ("Romance",)),
    **dict.fromkeys(("sci-fi", "scifi"), ("Science Fiction",)),
    **dict.fromkeys(("animated", "animation", "animations", "cartoon", "cartoons", "anime"), ("Animation",)),
    **dict.fromkeys(("documentary", "documentaries"), ("Documentary",)),
    **dict.fromkeys(("western", "westerns"), ("Western",)),
    **dict.fromkeys(("mystery", "mysteries", "whodunit", "whodunnit"), ("Mystery",)),
    **dict.fromkeys(("fantasy",), ("Fantasy",)),
    **dict.fromkeys(("musical", "musicals"), ("Music",)),
    # moods that name the genre fans file them under
    **dict.fromkeys(FUNNY_WORDS, ("Comedy",)),
    **dict.fromkeys(SCARY_WORDS, ("Horror",)),
    **dict.fromkeys(SAD_WORDS, ("Drama",)),
    **dict.fromkeys(TENSE_WORDS, ("Thriller",)),
    **dict.fromkeys(("valentine", "valentines", "valentine's"), ("Romance",)),
    **dict.fromkeys(FEEL_GOOD_WORDS, ("Comedy", "Family")),
}
# Genre names that are as often a topic: a genre only in a query of genre words alone (``named_genres``).
BROAD_GENRE_WORDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("adventure", "adventures"), ("Adventure",)),
    **dict.fromkeys(("crime",), ("Crime",)),
    **dict.fromkeys(("drama", "dramas"), ("Drama",)),
    **dict.fromkeys(("history", "historical"), ("History",)),
}
# ... and every word that can name a genre, in a query of genre words alone
ALL_GENRE_WORDS: dict[str, tuple[str, ...]] = {**GENRE_WORDS, **BROAD_GENRE_WORDS}
# Words that ask for the best thought of a kind: a genre browse brings its highest rated films,
# not its most popular ("critically acclaimed dramas" searched "acclaimed" in overviews: Shine).
RATING_WORDS = frozenset(
    {
        *("acclaimed", "critically", "award", "awards", "winning", "award-winning", "oscar", "oscars", "oscar-winning"),
        *("rated", "top-rated", "highly", "highest", "highest-rated", "well-reviewed"),
        *("classic", "classics", "timeless", "essential", "must-see", "must-watch"),  # the canon (stop 46: "must see movies" had Deadpool)
    }
)
# Words that ask for the best known of a kind and name no topic: no obstacle to a genre browse.
ACCLAIM_WORDS = RATING_WORDS | {
    *("best", "top", "greatest", "great", "good", "popular", "famous", "favorite", "favourite"),
}
# The language a film was made in (TMDB's original_language), by the name a fan gives it: "korean
# thriller" found Dragon Wars and The Quiet American, "french movies" The French Connection,
# "spanish horror" Evil Dead. Read only in a query of genre and language words alone
# (``named_languages``): beside a topic a language is as often a setting ("german soldiers",
# "italian mafia", "the french revolution"). TMDB 5000 holds 70 French films, 11 Korean.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "Korean": ("ko",),
    "French": ("fr",),
    "Spanish": ("es",),
    "Japanese": ("ja",),
    "Chinese": ("zh", "cn"),  # TMDB: zh Mandarin, cn Cantonese
    "Cantonese": ("cn",),
    "German": ("de",),
    "Italian": ("it",),
    "Russian": ("ru",),
    "Indian": ("hi", "ta", "te"),
    "Danish": ("da",),
    "Swedish": ("sv",),
    "Norwegian": ("no",),
    "Portuguese": ("pt",),
    "Dutch": ("nl",),
    "Persian": ("fa",),
    "Thai": ("th",),
    "Hebrew": ("he",),
    "Arabic": ("ar",),
    "Turkish": ("tr",),
    "Polish": ("pl",),
}
NOT_ENGLISH = "Not English"  # "foreign films": every language above
LANGUAGES[NOT_ENGLISH] = tuple(sorted({code for codes in LANGUAGES.values() for code in codes}))
# Word -> the language names it says, shaped as ``GENRE_WORDS`` so one reader (``_named_in``) serves both
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    **{name.lower(): (name,) for name in LANGUAGES if name != NOT_ENGLISH},
    **dict.fromkeys(("mexican", "castilian"), ("Spanish",)),
    **dict.fromkeys(("anime",), ("Japanese",)),  # also Animation (``GENRE_WORDS``)
    **dict.fromkeys(("mandarin",), ("Chinese",)),
    **dict.fromkeys(("bollywood", "hindi", "tamil", "telugu", "tollywood"), ("Indian",)),
    **dict.fromkeys(("brazilian",), ("Portuguese",)),
    **dict.fromkeys(("iranian", "farsi"), ("Persian",)),
    **dict.fromkeys(("israeli",), ("Hebrew",)),
    **dict.fromkeys(("foreign", "non-english", "subtitled"), (NOT_ENGLISH,)),
}
LANGUAGE_PHRASES: dict[re.Pattern[str], tuple[str, ...]] = {
    re.compile(r"\bhong[\s-]+kong\b", re.I): ("Cantonese",),
    re.compile(r"\bworld\s+cinema\b", re.I): (NOT_ENGLISH,),
}
# Words that say no more than that a language is meant ("spanish language films")
LANGUAGE_NOISE = frozenset({"language", "languages", "foreign-language"})
# Recency, in a query of kind words alone: the catalogue's newest ``RECENT_YEARS`` years ("new
# comedies" found Dumb and Dumber To and Date Movie; "recent sci-fi movies" Galaxy Quest, 1999)
RECENT = re.compile(r"\b(?:recent|recently[\s-]+released|new|newer|newest|latest)\b", re.I)
RECENT_YEARS = 5
# ... and eras a fan names without years (stop 46: "old movies" found Old Joy, "old horror movies"
# Evil Dead, 2013): in a query of kind words alone, the years they mean, the first pattern that
# matches (None: open-ended). TMDB 5000: 5% of films are from 1979 or before, half from 2005 or after.
ERAS: dict[re.Pattern[str], tuple[int | None, int | None]] = {
    re.compile(r"\bold[\s-]+school\b", re.I): (1980, 1999),  # the action films of Die Hard and Lethal Weapon
    re.compile(r"\b(?:old|older|oldies|vintage)\b", re.I): (None, 1979),
    re.compile(r"\b(?:modern|contemporary)\b", re.I): (1990, None),
}
# A sad query is not browsed (``Reading.browse``): Drama's most popular films (Fight Club, The
# Dark Knight) are no answer to "sad movies", though they are to "90s drama".
UNBROWSED_WORDS = frozenset(SAD_WORDS)
# ... and the phrases that do ("science fiction", "feel good": two words).
FEEL_GOOD = re.compile(r"\bfeel[\s-]+good\b", re.I)
# "family" alone is as often a topic ("mafia family saga", "family drama"); before "films", "comedy",
# "adventure" or "fantasy" or after "for", the genre ("family adventure" had August: Osage County)
FOR_FAMILIES = re.compile(
    r"\b(?:family|kids|children'?s)[\s-]+(?:movies?|films?|comed(?:y|ies)|adventures?|fantas(?:y|ies))\b"
    r"|\bfor\s+(?:the\s+)?(?:whole\s+)?(?:family|kids|children)\b|\b(?:family|kid|kids)[\s-]+friendly\b",
    re.I,
)
# "action" is the genre, but not in "action figure" (a Toy Story plot query) or "a civil action"
ACTION = re.compile(r"(?<!\bclass )(?<!\bcivil )\baction\b(?![\s-]+(?:figures?|toys?)\b)", re.I)
GENRE_PHRASES: dict[re.Pattern[str], tuple[str, ...]] = {
    ACTION: ("Action",),
    re.compile(r"\bscience[\s-]+fiction\b", re.I): ("Science Fiction",),
    FEEL_GOOD: ("Comedy", "Family"),
    FOR_FAMILIES: ("Family",),
}

# Moods a family film never answers: "grim revenge story" had Fantastic Mr. Fox, "bleak dystopian
# future" Tomorrowland. Not "dark" alone, a title word (The Dark Crystal): only "dark fantasy" and the like.
DARK_WORDS = ("bleak", "grim", "gritty", "disturbing", "depressing", "brutal", "harrowing", "nihilistic", "violent", "gory", "gruesome")
DARK = re.compile(
    r"\bdark\s+(?:and\s+[\w-]+\s+)?(?:fantasy|fantasies|thrillers?|dramas?|crime|sci-fi|science\s+fiction|tales?|stories|story|westerns?|mystery)\b",
    re.I,
)

# Moods and audiences that rule a genre out (``ruled_out``): no slasher is "heartwarming", nor for
# kids, and no family film "gritty"
RULED_OUT_BY: dict[str, tuple[str, ...]] = {
    **dict.fromkeys((*FEEL_GOOD_WORDS, *UPLIFTING_WORDS), ("Horror",)),
    **dict.fromkeys(DARK_WORDS, ("Family",)),
}
# ... and a slow burn is no action film, comedy or family film: "slow burn horror" had Zombieland and
# Shaun of the Dead, "slow burn thriller" The Dark Knight (the highest rated of the kind; stop 45)
RULED_OUT_PHRASES: dict[re.Pattern[str], tuple[str, ...]] = {
    FEEL_GOOD: ("Horror",),
    FOR_FAMILIES: ("Horror",),
    DARK: ("Family",),
    SLOW_BURN: ("Action", "Comedy", "Animation", "Family"),
}
# ... and an audience rules its genres out even where the query names them ("scary movies for kids",
# stop 46: Scream and The Blair Witch Project were in its top 10)
AUDIENCE_RULES_OUT: dict[re.Pattern[str], tuple[str, ...]] = {p: RULED_OUT_PHRASES[p] for p in (FOR_FAMILIES,)}
# ... but a film also of one of these genres was made for families, and stays (Monster House,
# Frankenweenie): a ruled-out genre -> the genres that spare its films
SPARED_GENRES: dict[str, frozenset[str]] = {"Horror": frozenset({"Family", "Animation"})}

# Letters that stand for words films say (whole words, any case; "a.i." with or without dots).
ABBREVIATIONS: dict[str, str] = {
    "ai": "artificial intelligence",
    "a.i": "artificial intelligence",
    "ww2": "world war ii",
    "wwii": "world war ii",
    "ww1": "world war i",
    "wwi": "world war i",
    "nyc": "new york city",
    "vr": "virtual reality",
    "mma": "mixed martial arts",
    "mcu": "marvel cinematic universe",
    "lotr": "lord of the rings",
    # a fan's name for a genre that no film says, and beside a topic the vector and BM25 read "rom" and
    # "com": "rom-com in paris" found 6 films, first Rugrats in Paris (stop 52; until then only a query
    # that was all rom-com was written out, as ``JARGON``)
    **dict.fromkeys(("rom-com", "rom-coms", "rom com", "rom coms", "romcom", "romcoms"), "romantic comedy"),
}
# What a query says it does not want (``read_without``, stop 47): "action movies without superheroes"
# searched "superheroes" and showed Superhero Movie first. Only after a topic (a title may start
# "Without a Paddle", "No Country for Old Men", "Not Another Teen Movie"), never before an article or
# a pronoun ("Rebel Without a Cause", "My Life Without Me"), a bare "not" only after "movies" or
# "films" (The World Is Not Enough), and to the end of the query; "and" / "or" / "," part several.
_NOT = (
    r"without(?:\s+any)?|with\s+no|but\s+(?:no|not)|not\s+about|minus|excluding|except(?:\s+for)?"
    r"|(?:that|which|who)\s+(?:are|is|were|was)\s*(?:n['’]?t|\s+not)|(?:that|which)\s+(?:do|does)\s*(?:n['’]?t|\s+not)\s+(?:have|include|feature)"
    r"|(?:(?<=movies\s)|(?<=films\s)|(?<=flicks\s))not"  # a bare "not" only after the kind asked for: "superhero movies not marvel"
    r"|(?:(?<=movies\s)|(?<=films\s)|(?<=flicks\s))no(?=\s+(?!more\b|one\b))"  # ... and a bare "no": "horror movies no gore"
    r"|(?<=,\s)(?:not|no)"  # ... or after a comma: "scary movies, not gory", "comedies, no romance"
)
_WITHOUT = re.compile(r"(?<=[\w'’])(?:\s*,)?\s+(?:" + _NOT + r")\s+(?!(?:a|an|the|one|all|me|you|him|her|us|them|it)\b)(?P<unwanted>[\w'’].*)$", re.I)
# ... but "not horror" keeps the horror films a mood's rule-out spares (``SPARED_GENRES``: made for
# families) and the comedies: every zombie film is horror to TMDB, Zombieland and Warm Bodies as much
# as Night of the Living Dead
LIGHTER_GENRES: dict[str, tuple[str, ...]] = {genre: tuple(sorted(spared | {"Comedy"})) for genre, spared in SPARED_GENRES.items()}
# What a query does not want is matched as a phrase, so it is spelt as TMDB's keywords spell it. Only
# there: written out in every query, "world war two resistance" fell 0.622 -> 0.441 (nDCG@10), as the
# keyword "world war ii" outweighed "resistance" in BM25.
_TMDB_SPELLING = [(re.compile(rf"\bworld\s+war\s+(?:{n})\b", re.I), f"world war {roman}") for n, roman in (("2|two", "ii"), ("1|one", "i"))]
# ... and only in a short query asking for a kind of film: a plot says "with no" too ("friends wake
# up in Las Vegas after a bachelor party with no memory and the groom is missing", a known item)
WITHOUT_AFTER_WORDS = 4  # the kind asked for: "crime movies", "animated movies", "films set in space"
WITHOUT_WORDS = 5  # what it does not want: "superheroes", "drugs or guns", "world war 2"
# "without gore scenes", "not too gory": gore, gory
_UNWANTED_NOISE = re.compile(r"\s+(?:scenes?|content|stuff|elements?|in\s+(?:it|them))\s*$|^\s*(?:too|overly|very|so)\s+", re.I)
_PARTS = re.compile(r"\s*(?:,|\b(?:and|or|nor)\b)\s*", re.I)
# ... and "non-" before a kind of film: "non-horror zombie movies", "non-animated family films",
# "non-marvel superhero movies" (stop 48: Night of the Living Dead came first). Only before a genre,
# tone or studio word, so "Non-Stop" stays a title and "non-stop action" is no negation.
_NON = re.compile(r"(?<![\w'’-])non[-\s]?(?P<kind>[a-z]+(?:-[a-z]+)?)\b", re.I)
# Everyday phrasings of a mood, written as the mood word the search reads (``with_mood_words``):
# "movies that make you cry" searched "cry" (The Crying Game) and "movies" (Scary Movie 2).
_MAKES_YOU = r"(?:(?P<kind>movies?|films?)\s+)?(?:(?:that|which|to)\s+)?(?:makes?|made)\s+(?:you|me|us|them)\s+"  # "movies that make you ..."
MOOD_PHRASES: dict[str, str] = {
    _MAKES_YOU + "cry": r"sad \g<kind>",
    r"edge[\s-]+of[\s-]+(?:your|my|the)[\s-]+seat": "suspenseful",
    r"laugh[\s-]+out[\s-]+loud": "hilarious",
    r"date[\s-]+night": "romantic",
    r"must[\s-]+(?:see|watch)|(?:that\s+)?every(?:one|body)\s+(?:has|have|should)\s+(?:have\s+)?(?:seen|see|watch(?:ed)?)": "must-see",
    r"(?:girls?|ladies)['’]?[\s-]+night(?:[\s-]+in)?|chick[\s-]+flicks?": "romantic comedy",  # stop 46: "girls night" had Unfriended, Mama
    r"comfort(?=\s+(?:movies?|films?|watch(?:es)?)\b)": "comforting",
    r"light\s+and\s+fun(?:ny)?|fun(?:ny)?\s+and\s+light": "lighthearted",
    # stop 52: "movies that make you think" searched "think" (Patch Adams, How to Lose a Guy in 10 Days)
    _MAKES_YOU + "think": r"thought-provoking \g<kind>",
}
# A fan's names for kinds of film, in the words TMDB's keywords and overviews use (``in_tmdb_words``,
# stop 50): no film carries "whodunit", "weepie" or "kaiju", so the words searched were a
# title's ("creature feature": Beautiful Creatures, Heavenly Creatures) or nothing.
JARGON: dict[str, str] = {
    r"tear[\s-]?jerk(?:er|ers|ing)|weep(?:y|ie|ies)|three[\s-]+hankies?": "sad",
    r"creature[\s-]+features?": "monster horror",
    r"kaiju": "kaiju giant monster",
    r"whodunn?its?": "murder mystery",
    r"capers?": "heist",
    r"(?:sword[\s-]+and[\s-]+sandals?|peplums?)(?:\s+epics?)?": "ancient world epic",
    r"bromances?": "male friendship",
    r"legal\s+thrillers?": "courtroom thriller",
    r"legal\s+dramas?": "courtroom drama",
    r"techno[\s-]?thrillers?": "hacker thriller",
    r"costume[\s-]+dramas?|period[\s-]+pieces?": "period drama",
    r"police[\s-]+procedurals?": "police investigation",
    r"folk[\s-]+horror": "pagan cult horror",
}


def _whole_phrases(table: dict[str, str]) -> list[tuple[re.Pattern[str], str]]:
    """Each pattern of ``table`` compiled to match whole words only, any case, with its words."""
    return [(re.compile(r"(?<![\w'’-])(?:" + p + r")(?![\w'’-])", re.I), plain) for p, plain in table.items()]


_MOOD_PHRASE = _whole_phrases(MOOD_PHRASES)
_JARGON = _whole_phrases(JARGON)
_ABBREVIATION = re.compile(
    r"(?<![\w.'’-])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\.?(?![\w'’-])", re.I
)

# Words that name no topic: what remains of "80s movies" is a browse, of "zombie films" "zombie".
FILLER = frozenset({"movie", "movies", "film", "films", "flick", "flicks", "cinema", "something"})
# Lucene's English stop words (the english analyzer drops them): a query of these and filler
# only ("movies from the") holds no topic either.
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".split()
)
# Phrases that say how films were made, sold or play: read as such, they name no theme (``Reading.theme_text``)
KIND_PHRASES = (*SCALE_PHRASES, *TONE_PHRASES)
# Words that name no kind of film: a query of genre or language words may hold them ("best 90s action movies")
KIND_NOISE = FILLER | STOP_WORDS | ACCLAIM_WORDS | LANGUAGE_NOISE | SCALE_NOISE
_FILL = r"(?:" + "|".join(sorted(FILLER, key=len, reverse=True)) + r")"
_FILLER = re.compile(r"^(?:\s*" + _FILL + r"\b(?![\w'’-])(?!\s+noir\b))+|(?<![\w'’-])(?:" + _FILL + r"\s*)+$", re.I)  # leading or trailing
# The words that join a kind of film to its topic: those English stop words keep ("drama movie about
# cancer", "spy film set in berlin", "war film featuring pilots") and those they drop ("western with a
# female lead", "action movie on a train")
_JOINERS_KEPT = r"(?:about|featuring|set(?=\s+(?:in|on|at|during)\b))"
_JOINERS_DROPPED = r"(?:with|in|on|at|during)"
# Inside a query, the kept joiners and a "movie" / "film" before any joiner leave the BM25 text
# (``content_text``): BM25 read "movie" and "about" as topic words, and 2 of 3 terms let a drama that
# says "about" in without "cancer"
_JOINING = re.compile(
    rf"(?<=\w)\s+(?:{_FILL}\s+)?{_JOINERS_KEPT}\s+(?=\w)|(?<=\w)\s+{_FILL}\s+(?=(?:{_JOINERS_DROPPED}|from|for|where|that)\b)", re.I
)
# A kind joined to its topic by a joiner (``joins_topic``), not a list of a theme's words ("heist crew double cross")
_JOINED = re.compile(rf"(?<=\w)\s+(?:{_FILL}\s+)?(?:{_JOINERS_KEPT}|{_JOINERS_DROPPED})\s+(?=\w)", re.I)
# "like X", "movies like X", "films similar to X", "similar to X", "more like X", "more movies like X",
# "something like X", "anything similar to X", "show me films like X" (``webapp.explore.search.like_title``).
LIKE_PATTERN = re.compile(
    r"^\s*(?:show\s+me\s+)?(?:(?:some|more|other|any)\s+)?(?:(?:movies?|films?)\s+|something\s+|anything\s+)?"
    r"(?:more\s+)?(?:like|similar\s+to)\s+(?P<title>\S.*?)\s*$",
    re.I,
)
_BUT = re.compile(r"^(?P<title>.*[^\s,])\s*,?\s+but\s+(?P<mood>\S.*)$", re.I)  # the last "but" of a "like" title
# The comparatives a "like <film> but ..." says its mood with, as the mood words the genres are read from
COMPARATIVES = {
    "funnier": "funny",
    "scarier": "scary",
    "creepier": "creepy",
    "spookier": "spooky",
    "sadder": "sad",
    "sillier": "silly",
    "goofier": "goofy",
    "gorier": "gory",
    "lighter": "lighthearted",
    "cuter": "cute",
}
# "movies about grief" is about grief: the phrase leaves the text for every side (``without_about``)
_ABOUT = re.compile(r"^\s*(?:(?:a|an|some|any)\s+)?(?:movies?|films?)\s+about\s+(?=\S)", re.I)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# "80s", "'80s", "80's", "1980s", "1980's", optionally "early"/"mid"/"late" (ages: see _AGE).
_DECADE = r"(?:(?P<part{n}>early|mid|late)[\s-]+)?['’]?(?P<decade{n}>(?:18|19|20)\d0|\d0)['’]?s\b"
_YEAR = r"(?P<year{n}>(?:18|19|20)\d\d)\b(?!['’]?s\b)"
_LEAD = r"(?:(?P<lead>from|of|made\s+in|released\s+in|in|during|set\s+in)\s+)?(?:the\s+)?"
SETTING = ("in", "during", "set in")  # "soldiers fighting the Germans in the 1940s": when it is set, not made
PATTERNS = [
    # "between 1990 and 1999", "1990-1999", "1990 to 1999", "from 1990 to 1999"
    ("range", re.compile(r"(?<![\w'’])(?:(?:between|from)\s+)?" + _YEAR.format(n=1) + r"\s*(?:-|–|to|and|until)\s*" + _YEAR.format(n=2), re.I)),
    ("from", re.compile(r"(?<![\w'’])(?P<word>from|since|after|before|until|till)\s+(?:the\s+year\s+)?" + _YEAR.format(n=1), re.I)),
    (
        "decade",
        re.compile(r"(?<![\w'’])" + _LEAD + _DECADE.format(n=1) + r"(?:\s*(?:and|or|to|-|–)\s*(?:the\s+)?" + _DECADE.format(n=2) + ")?", re.I),
    ),
]
# "in her 30s", "a man in his late 40s": an age, not a decade.
_AGE = re.compile(r"\b(?:her|his|their|my|your|our|its|whose)\s+(?:early\s+|mid[\s-]+|late\s+)?$", re.I)
_LEAD_WORDS = re.compile(r"^" + _LEAD.replace("(?P<lead>", "(?:"), re.I)
PARTS = {"early": (0, 3), "mid": (3, 6), "late": (6, 9), None: (0, 9)}


@dataclass(frozen=True)
class Years:
    """A year range read from the query; ``applied`` is False when an explicit year_from/year_to wins."""

    start: int | None
    end: int | None
    text: str
    applied: bool = True

    def as_json(self) -> dict[str, Any]:
        return {"from": self.start, "to": self.end, "text": self.text, "applied": self.applied}


@dataclass(frozen=True)
class Reading:
    """A query as the search reads it: the text it searches, the filters it applies, the intents found."""

    q: str
    filters: Filters
    years: Years | None = None
    genres: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # names, keys of ``LANGUAGES``
    scale: tuple[str, ...] = ()  # names, keys of ``SCALE``
    tones: tuple[str, ...] = ()  # names, keys of ``TONES``
    about: bool = False  # it began "movies about": a topic, whose words are no title (``search.keyword_query``)

    @property
    def ruled_out(self) -> tuple[str, ...]:
        """The genres its mood rules out and the search leaves out (``ruled_out``): the filter itself,
        so what the page says is what every mode applies (none when a genre is chosen on the page)."""
        return self.filters.ruled_out

    @property
    def browse(self) -> bool:
        """The text only names genres, languages or how films were made and sold, and not by a
        sad word ("horror movies", "best crime dramas", "korean thriller", "blockbusters", not
        "sad movies" or "tearjerker romance"): it asks for their films, not for the films that
        say its words."""
        kinds = bool(self.genres or self.languages or self.scale or self.tones) or acclaim_alone(self.q, self.years is not None)
        return kinds and only_genre_words(self.q) and UNBROWSED_WORDS.isdisjoint(words(self.q))

    @property
    def theme_text(self) -> str:
        """The text the micro-genre and shelf matches read: ``q`` without the phrases read as how its
        films were made or play (``KIND_PHRASES``). "movies based on books" showed the micro-genre
        "Book" (The Ninth Gate) and the shelf "Superheroes and Comic Books" as understood (stop 46)."""
        return _tidy(without_phrases(self.q, KIND_PHRASES)) if self.scale or self.tones else self.q

    @property
    def browse_by(self) -> str:
        """The field whose highest films a browse brings: the first the ``scale`` orders by other
        than popularity ("highest grossing animated movies": revenue), else the weighted rating
        when the text asks for the best thought of ("critically acclaimed dramas",
        ``RATING_WORDS``), else popularity."""
        orders = [*(SCALE[name][1] for name in self.scale), *(TONES[name].by for name in self.tones)]
        by = next((field for field in orders if field != "popularity"), None)
        return by or ("rating_weighted" if RATING_WORDS.intersection(words(self.q)) else "popularity")

    def intents(self) -> dict[str, Any]:
        years = self.years.as_json() if self.years else None
        return {
            "years": years,
            "genres": list(self.genres),
            "ruled_out": list(self.ruled_out),
            "languages": list(self.languages),
            "scale": list(self.scale),
            "tones": list(self.tones),
            "without": list(self.filters.without),
            "kinds": list(self.filters.kinds),
            "query": self.q,
        }


def _decade(digits: str, part: str | None) -> tuple[int, int] | None:
    start = int(digits)
    if start < 100:  # "80s" is the 1980s; "00s" and "10s" are this century's
        start += 2000 if start <= 10 else 1900
    lo, hi = PARTS[part.lower() if part else None]
    if not (YEAR_MIN <= start + lo and start + hi <= YEAR_MAX):
        return None
    return start + lo, start + hi


def _clamp(year: int) -> int | None:
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def _span(kind: str, m: re.Match) -> tuple[int | None, int | None] | None:
    """The years one match names, or None when it names none (a year outside the catalogue's range)."""
    if kind == "range":
        a, b = _clamp(int(m["year1"])), _clamp(int(m["year2"]))
        return (min(a, b), max(a, b)) if a and b else None
    if kind == "from":
        year, word = _clamp(int(m["year1"])), m["word"].lower()
        if year is None:
            return None
        return {
            "from": (year, None),
            "since": (year, None),
            "after": (year + 1, None),
            "before": (None, year - 1),
            "until": (None, year),
            "till": (None, year),
        }[word]
    if m["lead"] and re.sub(r"\s+", " ", m["lead"].lower()) in SETTING:
        return None
    first = _decade(m["decade1"], m["part1"])
    if first is None or _AGE.search(m.string[: m.start("decade1") if not m["part1"] else m.start("part1")]):
        return None
    if m["decade2"]:
        second = _decade(m["decade2"], m["part2"])
        if second is None:
            return None
        return min(first[0], second[0]), max(first[1], second[1])
    return first


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;:-–")
    return re.sub(r"\s+([,;:])", r"\1", text)


def read_without(q: str) -> tuple[str, tuple[str, ...]]:
    """``q`` without what it says it does not want, and those phrases, filler dropped ("action movies
    without superheroes" -> "action movies", ("superheroes",); "crime movies with no drugs or guns"
    -> ("drugs", "guns"); "animated movies that aren't for kids" -> ("for kids",); "non-horror zombie
    movies" -> "zombie movies", ("horror",)). The search leaves their films out (``without_clause``)
    and does not search their words."""
    q, kinds = _read_non(q)
    rest, unwanted = _read_not(q)
    return rest, tuple(dict.fromkeys((*kinds, *unwanted)))


def _names_a_kind(word: str) -> bool:
    """Whether ``word`` names a genre, a tone or a studio ("horror", "animated", "violent", "marvel")."""
    return bool(_named_in(word, ALL_GENRE_WORDS, {}) or _named_in(word, TONE_WORDS, {}) or set(_named_in(word, {}, SCALE_PHRASES)) & STUDIOS.keys())


def _read_non(q: str) -> tuple[str, tuple[str, ...]]:
    """``read_without``'s "non-X" before a kind of film (``_NON``), in a query short enough to ask for one."""
    kinds: list[str] = []

    def taken(m: re.Match[str]) -> str:
        if not _names_a_kind(m["kind"]):
            return m.group(0)
        kinds.append(m["kind"].lower())
        return " "

    rest = _tidy(_NON.sub(taken, q))
    if not kinds or not words(rest) or len(words(q)) > WITHOUT_AFTER_WORDS + WITHOUT_WORDS:
        return q, ()
    return rest, tuple(kinds)


def _read_not(q: str) -> tuple[str, tuple[str, ...]]:
    """``read_without``'s "without X", "with no X", "not X" ... to the end of the query (``_WITHOUT``)."""
    m = _WITHOUT.search(q)
    if m is None or len(words(q[: m.start()])) > WITHOUT_AFTER_WORDS or len(words(m["unwanted"])) > WITHOUT_WORDS:
        return q, ()
    parts = [_UNWANTED_NOISE.sub(" ", _FILLER.sub(" ", part)) for part in _PARTS.split(m["unwanted"])]
    for spelling, tmdb in _TMDB_SPELLING:
        parts = [spelling.sub(tmdb, part) for part in parts]
    unwanted = tuple(dict.fromkeys(p for part in parts if (p := _tidy(part))))
    rest = _tidy(q[: m.start()])
    return (rest, unwanted) if unwanted and rest else (q, ())


def genre_clause(genre: str, spared: Iterable[str] = ()) -> dict[str, Any]:
    """The films of ``genre`` but those also of a ``spared`` genre: what a query that does not want
    the genre leaves out (``without_clause``, ``ruled_out_clause``)."""
    spared = sorted(spared)
    if not spared:
        return {"term": {"genres": genre}}
    return {"bool": {"filter": [{"term": {"genres": genre}}], "must_not": [{"terms": {"genres": spared}}]}}


def ruled_out_clause(genres: tuple[str, ...]) -> dict[str, Any]:
    """One filter clause that leaves out the films of the ``genres`` a query's mood rules out
    (``ruled_out``), but those made for families too (``SPARED_GENRES``: Monster House stays for
    "heartwarming"). A filter of every mode: until stop 48 hybrid dropped them from its ranked hits
    in Python, and keyword and semantic mode showed Friday the 13th for "heartwarming summer camp"."""
    return {"bool": {"must_not": [genre_clause(g, SPARED_GENRES.get(g, ())) for g in genres]}}


def without_clause(unwanted: tuple[str, ...]) -> dict[str, Any]:
    """One filter clause that leaves out the films of each ``unwanted`` phrase (``read_without``):
    the genres it names or whose audience it is ("horror", "for kids": Family; ``LIGHTER_GENRES``
    aside), the studio it names ("not marvel"), the films a tone it names shows in ("without gore":
    TMDB's slasher, torture, blood...), and the films whose title, TMDB keywords, micro-genre or
    overview say it as a phrase (stemmed: "superheroes" leaves out the keyword "superhero")."""
    fields = ["title", "keywords.text", "micro_genre.text", "overview"]
    out: list[dict[str, Any]] = []
    for phrase in unwanted:
        tones = _named_in(phrase, TONE_WORDS, TONE_PHRASES)
        # a tone is no genre to leave out: "scary movies, not gory" wants horror, only not the gory kind
        genres = () if tones else _named_in(phrase, ALL_GENRE_WORDS, GENRE_PHRASES)
        out.extend(genre_clause(genre, LIGHTER_GENRES.get(genre, ())) for genre in genres)
        out.extend(scale_clauses(tuple(n for n in _named_in(phrase, {}, SCALE_PHRASES) if n in STUDIOS)))
        out.extend(clause for name in tones for clause in TONES[name].shown_by)
        if not genres:  # a genre's word is no theme: "Zombie Horror" names Zombieland's micro-genre
            out.append({"multi_match": {"query": phrase, "type": "phrase", "fields": fields}})
    return {"bool": {"must_not": out}}


def read_years(q: str) -> tuple[str, Years | None]:
    """``q`` without its year phrases, and the range they name (their union when several)."""
    spans: list[tuple[int | None, int | None]] = []
    texts: list[str] = []
    rest = q
    for kind, pattern in PATTERNS:
        pieces, last = [], 0
        for m in pattern.finditer(rest):
            span = _span(kind, m)
            if span is None:
                continue
            spans.append(span)
            texts.append(_LEAD_WORDS.sub("", m.group(0)).strip() if kind == "decade" else m.group(0).strip())
            pieces.append(rest[last : m.start()])
            last = m.end()
        if pieces:
            rest = "".join(pieces) + " " + rest[last:]
    if not spans:
        return q, None
    # An open side (None) in any span leaves the union open on that side.
    starts = [s for s, _ in spans if s is not None]
    ends = [e for _, e in spans if e is not None]
    start = min(starts) if len(starts) == len(spans) else None
    end = max(ends) if len(ends) == len(spans) else None
    return _tidy(rest), Years(start, end, " ".join(texts))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def acclaim_alone(q: str, more: bool = False) -> bool:
    """Whether ``q`` only asks for the best thought of films, of no kind ("must-see movies", "timeless
    classics", "best movies"; stop 46: "must see movies" found The Spirit and Run All Night): a
    browse of every film, by rating for ``RATING_WORDS``, else by popularity. One such word alone
    is a title (Good, The Greatest) unless the query said ``more`` (years: "modern classics")."""
    said = words(q)
    topic = [w for w in said if w not in FILLER and w not in STOP_WORDS]
    asks = more or len(topic) > 1 or any(w in FILLER for w in said)
    return asks and bool(topic) and all(w in ACCLAIM_WORDS for w in topic)


def has_topic(text: str) -> bool:
    """Whether ``text`` holds a word that is neither filler nor a stop word."""
    return any(w not in FILLER and w not in STOP_WORDS for w in words(text))


def without_about(q: str) -> str:
    """``q`` without a leading "movies about" / "a film about" ("movies about grief" -> "grief")."""
    return _ABOUT.sub("", q)


def joins_topic(q: str) -> bool:
    """Whether ``q`` joins a kind of film to a topic with a word ("spy film set in berlin", "western
    with a female lead"), rather than listing words of one theme ("heist crew double cross")."""
    return _JOINED.search(q) is not None


def content_text(q: str) -> str:
    """``q`` without the filler words it starts or ends with ("zombie movies" -> "zombie", "films about
    dragons" -> "about dragons"; "a movie star" keeps its words), and without the words that join a
    kind to its topic inside it ("drama movie about cancer" -> "drama cancer", "spy film set in
    berlin" -> "spy in berlin": ``_JOINING``); ``q`` itself when nothing else would remain."""
    kept = _tidy(_JOINING.sub(" ", _FILLER.sub(" ", q)))
    return kept if has_topic(kept) else q


def named_genres(q: str) -> tuple[str, ...]:
    """The TMDB genres ``q``'s words and phrases name (``GENRE_WORDS``, ``GENRE_PHRASES``; and
    ``BROAD_GENRE_WORDS`` when they are all its topic words name), in order, once each."""
    return _named_in(q, ALL_GENRE_WORDS if only_genre_words(q) else GENRE_WORDS, GENRE_PHRASES)


def kind_beside_subject(q: str) -> bool:
    """Whether ``q`` names a genre beside a subject, a word that names no kind of film ("snake
    horror", "alien comedy"; not "horror comedy", "spanish horror" or "gory horror"). The genre is
    then one half of what it asks: the genre word names no misspelt title
    (``search.title_clauses``) and no themed shelf of its kind (``themes._shelf_cover``), and the
    topic's lifts go to the genre's films only (``views.find``)."""
    return bool(named_genres(q)) and not only_genre_words(q)


def named_languages(q: str) -> tuple[str, ...]:
    """The languages (``LANGUAGES`` names) ``q`` names, in order, once each, when all its topic
    words name genres or languages ("korean thriller", "bollywood", "foreign films"); () beside
    any other topic ("german soldiers": a setting)."""
    return _named_in(q, LANGUAGE_WORDS, LANGUAGE_PHRASES) if only_genre_words(q) else ()


def named_scale(q: str) -> tuple[str, ...]:
    """How the films ``q`` asks for were made and sold (``SCALE`` names: "blockbusters", "low
    budget horror", "indie dramas"), in order, once each, when all its topic words name kinds
    of film; () beside any other topic ("an independent woman")."""
    return _named_in(q, SCALE_WORDS, SCALE_PHRASES) if only_genre_words(q) else ()


def named_tones(q: str) -> tuple[str, ...]:
    """How the films ``q`` asks for play (``TONES`` names: "gory horror", "surreal films", "slow
    burn mystery"), in order, once each, when all its topic words name kinds of film; () beside
    any other topic ("a weird noise in the attic")."""
    return _named_in(q, TONE_WORDS, TONE_PHRASES) if only_genre_words(q) else ()


def says_recent(q: str) -> bool:
    """Whether ``q`` holds a recency word (then ``read_query`` needs the catalogue's newest year)."""
    return RECENT.search(q) is not None


def language_clauses(names: tuple[str, ...]) -> list[dict[str, Any]]:
    """The filter clause of the films made in the ``LANGUAGES`` ``names`` ([] for none)."""
    return [{"terms": {"original_language": language_codes(names)}}] if names else []


def kind_clauses(reading: Reading) -> list[dict[str, Any]]:
    """The filter clauses of the films a browse of ``reading`` admits: its genres, languages,
    how they were made and sold (``scale_clauses``) and how they play (``tone_filters``; graded
    tones score instead, ``tone_evidence``)."""
    return [
        *({"term": {"genres": g}} for g in reading.genres),
        *language_clauses(reading.languages),
        *scale_clauses(reading.scale),
        *tone_filters(reading.tones),
    ]


def read_era(q: str, newest: int | None = None) -> tuple[str, Years | None]:
    """``q`` without the word that names its years without digits, and those years, when ``q`` is
    kind words alone: a recency word ("new comedies" -> "comedies") the catalogue's last
    ``RECENT_YEARS`` years up to ``newest`` (not read when None), an era (``ERAS``: "old horror
    movies" -> "horror movies") its own; else ``q`` and None. Alone, such a word is a title (Old School)."""
    recent = {RECENT: (newest - RECENT_YEARS + 1, newest)} if newest is not None else {}
    for era, (start, end) in {**recent, **ERAS}.items():
        if (m := era.search(q)) is not None:
            rest = _tidy(q[: m.start()] + " " + q[m.end() :])
            if not rest or not only_genre_words(q):
                return q, None
            return rest, Years(start, end, m.group(0))
    return q, None


def language_codes(names: tuple[str, ...]) -> list[str]:
    """TMDB's original_language codes of the ``LANGUAGES`` ``names``, sorted, once each."""
    return sorted({code for name in names for code in LANGUAGES[name]})


def ruled_out(q: str, named: tuple[str, ...]) -> tuple[str, ...]:
    """The TMDB genres ``q``'s moods rule out (``RULED_OUT_BY``, ``RULED_OUT_PHRASES``), except the
    ``named`` ones; an audience's (``AUDIENCE_RULES_OUT``) even then: "scary movies for kids" names
    Horror, and wants the horror films made for families (``SPARED_GENRES``), not Scream."""
    audience = _named_in(q, {}, AUDIENCE_RULES_OUT)
    return tuple(g for g in _named_in(q, RULED_OUT_BY, RULED_OUT_PHRASES) if g not in named or g in audience)


def _named_in(q: str, by_word: dict[str, tuple[str, ...]], by_phrase: dict[re.Pattern[str], tuple[str, ...]]) -> tuple[str, ...]:
    """What ``q``'s words (``by_word``) and phrases (``by_phrase``) name (genres, languages), in the order the query says them, once each."""
    found = [(m.start(), g) for m in _WORD.finditer(q.lower()) for g in by_word.get(m.group(), ())]
    found += [(m.start(), g) for phrase, genres in by_phrase.items() for m in phrase.finditer(q) for g in genres]
    return tuple(dict.fromkeys(g for _, g in sorted(found, key=lambda hit: hit[0])))


def expand_abbreviations(q: str) -> str:
    """``q`` with each abbreviation of ``ABBREVIATIONS`` written out ("AI thriller" -> "artificial intelligence thriller")."""
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1).lower()], q)


def with_mood_words(q: str) -> str:
    """``q`` with each everyday phrasing of ``MOOD_PHRASES`` written as its mood word ("movies that
    make you cry" -> "sad movies", "date night movie" -> "romantic movie")."""
    out = q
    for pattern, word in _MOOD_PHRASE:
        out = pattern.sub(word, out)
    return q if out == q else " ".join(out.split())  # "sad \g<kind>" without a kind leaves a space


def in_tmdb_words(q: str) -> str:
    """``q`` with a fan's name of ``JARGON`` that is all it asks for written in TMDB's words
    ("whodunit" -> "murder mystery", "sword and sandal epics" -> "ancient world epic"). Read after
    what the query does not want has left it: "whodunits without gore" asks for whodunits."""
    out = q
    for pattern, word in _JARGON:
        out = pattern.sub(partial(_in_plain_words, plain=word), out)
    return out


def _in_plain_words(jargon: re.Match[str], plain: str) -> str:
    """``plain`` for the fan's name ``jargon`` matched when it is all the query asks for, beside
    filler and years at most ("80s tearjerkers", "best whodunits"). Beside anything else the name
    stays as written, as the query's vector knows it: "tearjerker dying lover" found The Fault in
    Our Stars and "sad dying lover" did not, "weepy romance" lost 0.311 -> 0.271 nDCG@10 as "sad
    romance" (tuning)."""
    rest = jargon.string[: jargon.start()] + " " + jargon.string[jargon.end() :]
    return plain if all(w in KIND_NOISE for w in words(read_years(rest)[0])) else jargon.group(0)


@lru_cache(maxsize=1024)  # read by each kind's reader and by ``Reading.browse``: up to six times a query
def only_genre_words(q: str) -> bool:
    """Whether every topic word of ``q`` names a genre, a mood filed under one, a language, how
    films were made and sold, how they play or how recent they are ("horror movies", "sci-fi", "funny",
    "science fiction films", "crime dramas", "korean thriller", "new indie comedies", "slow burn mystery"):
    ``GENRE_WORDS``, ``BROAD_GENRE_WORDS``, ``LANGUAGE_WORDS``, ``SCALE_WORDS``, ``TONE_WORDS``, ``RECENT``, ``ERAS`` and
    their phrases, ``KIND_NOISE`` aside. True for a text of no topic word at all."""
    text = without_phrases(q, (RECENT, *ERAS, *GENRE_PHRASES, *LANGUAGE_PHRASES, *KIND_PHRASES))
    kinds = (ALL_GENRE_WORDS, LANGUAGE_WORDS, SCALE_WORDS, TONE_WORDS)
    return all(any(w in named for named in kinds) for w in words(text) if w not in KIND_NOISE)


def without_phrases(q: str, phrases: Iterable[re.Pattern[str]]) -> str:
    """``q`` with every match of ``phrases`` taken out."""
    for phrase in phrases:
        q = phrase.sub(" ", q)
    return q


def read_like_but(q: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """("like <film>", the genres its mood names, the genres that mood rules out) for "like <film>
    but <mood>": the films like that one, of another kind ("like inception but funnier": comedies;
    "like toy story but scarier": horror films; "like star wars but for kids": family films, no
    horror). Before, the title lookup found no "inception but funnier" and the words were searched:
    The Life Aquatic, Patch Adams. The query itself, (), () when it is no such query or its mood
    names no genre ("like nothing but trouble" stays a title)."""
    like = LIKE_PATTERN.match(q)
    split = _BUT.match(like.group("title")) if like else None
    if like is None or split is None:
        return q, (), ()
    mood = " ".join(COMPARATIVES.get(w.lower(), w) for w in split.group("mood").split())
    kinds = named_genres(mood)
    if not kinds:
        return q, (), ()
    return q[: like.start("title")] + split.group("title"), kinds, ruled_out(mood, kinds)


def read_query(q: str, filters: Filters, newest: int | None = None) -> Reading:
    """The text to search and the filters to apply: years in ``q`` become the year filter unless
    ``filters`` already sets year_from or year_to (then they are still taken out of the text,
    reported with ``applied`` False). A recency word in a query of kind words alone ("recent
    thrillers") names the years up to ``newest``, the catalogue's newest (``read_era``; not
    read when None). A query that is only years and filler becomes a browse ("")."""
    if not q:
        return Reading(q, filters)
    q, unwanted = read_without(with_mood_words(expand_abbreviations(q)))
    if unwanted:
        filters = replace(filters, without=unwanted)
    q = in_tmdb_words(q)
    q, kinds, unkind = read_like_but(q)
    if kinds and filters.genre is None:  # a genre chosen on the page wins
        filters = replace(filters, kinds=kinds, ruled_out=unkind)
    about = _ABOUT.match(q) is not None
    q = without_about(q)
    rest, years = read_years(q)
    if years is None:
        rest, years = read_era(q, newest)
    genres, languages, scale, tones = named_genres(rest), named_languages(rest), named_scale(rest), named_tones(rest)
    if not (genres or languages or scale or any(TONES[name].shown_by for name in tones)):
        tones = ()  # praise alone ("slow burn") admits every film: the words are searched (the title Slow Burn)
    out = ruled_out(rest, genres)
    if out and filters.genre is None:  # a genre chosen on the page wins over a mood's rule-out
        filters = replace(filters, ruled_out=out)
    if years is None:
        return Reading(q, filters, genres=genres, languages=languages, scale=scale, tones=tones, about=about)
    if not has_topic(rest):
        rest = ""
    if filters.year_from is not None or filters.year_to is not None:
        return Reading(rest, filters, replace(years, applied=False), genres, languages, scale, tones, about)
    return Reading(rest, replace(filters, year_from=years.start, year_to=years.end), years, genres, languages, scale, tones, about)
