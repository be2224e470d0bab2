"""Query intents and the pure ranking helpers of issue 22: no server needed (fast tier)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.ingest.load import load_movies
from webapp.api.params import Filters
from webapp.explore.intents import (
    LIGHTER_GENRES,
    content_text,
    expand_abbreviations,
    kind_beside_subject,
    kind_clauses,
    language_codes,
    named_genres,
    read_like_but,
    read_query,
    read_years,
    without_clause,
)
from webapp.explore.scale import LOW_BUDGET_MAX, STUDIOS, budget_cap
from webapp.explore.search import (
    LIKE_FIELDS,
    MICRO_MATCH_MAX_WORDS,
    keyword_query,
    known,
    lift,
    like_body,
    like_title,
    micro_terms,
    popular_first,
    relevant_window,
    shelf_gate,
    text_query,
    title_clauses,
    titles_first,
)
from webapp.explore.themes import (
    Browse,
    MicroTable,
    browses_shelf,
    headed_browse,
    headed_shelves,
    micro_match,
    micro_scores,
    popular_films_body,
    shelf_match,
    theme_shelves,
)
from webapp.explore.tones import tone_evidence

VECTOR = [0.1] * 384


@pytest.mark.parametrize(
    "q, rest, years, text",
    [
        ("80s", "", (1980, 1989), "80s"),
        ("1980s", "", (1980, 1989), "1980s"),
        ("90's", "", (1990, 1999), "90's"),
        ("2000s", "", (2000, 2009), "2000s"),
        ("'80s horror", "horror", (1980, 1989), "'80s"),
        ("from 1995", "", (1995, None), "from 1995"),
        ("films since 2010", "", (2010, None), "since 2010"),
        ("western before 1970", "western", (None, 1969), "before 1970"),
        ("1970s sci-fi", "sci-fi", (1970, 1979), "1970s"),
        ("sci-fi from the 1970s", "sci-fi", (1970, 1979), "1970s"),
        ("movies from the 80s", "", (1980, 1989), "80s"),
        ("early 90s action", "action", (1990, 1993), "early 90s"),
        ("the 80s and 90s action", "action", (1980, 1999), "80s and 90s"),
        ("heist between 1990 and 1999", "heist", (1990, 1999), "between 1990 and 1999"),
        ("00s comedy", "comedy", (2000, 2009), "00s"),
    ],
)
def test_years_and_decades_become_a_range_and_leave_the_text(q, rest, years, text):
    reading = read_query(q, Filters())
    assert reading.q == rest
    assert (reading.filters.year_from, reading.filters.year_to) == years
    assert reading.years.as_json() == {"from": years[0], "to": years[1], "text": text, "applied": True}
    intents = {
        "years": reading.years.as_json(),
        "genres": list(named_genres(rest)),
        "ruled_out": [],
        "languages": [],
        "scale": [],
        "tones": [],
        "without": [],
        "kinds": [],
        "query": rest,
    }
    assert reading.intents() == intents


@pytest.mark.parametrize(
    "q",
    [
        "2012",
        "1941",
        "2001: a space odyssey",  # a bare year is often a title
        "woman in her 30s finds love",
        "a man in his late 40s",  # ages
        "soldiers fighting the Germans in the 1940s",
        "horror set in the 80s",
        "during the 60s",  # when it is set, not made
        "heist gone wrong",
    ],
)
def test_no_years_where_the_text_names_none(q):
    reading = read_query(q, Filters())
    assert reading.q == q and reading.years is None and reading.filters == Filters()


def test_an_explicit_year_parameter_wins_but_the_decade_still_leaves_the_text():
    reading = read_query("80s action", Filters(year_from=2000))
    assert reading.q == "action" and reading.filters == Filters(year_from=2000)
    assert reading.years.as_json() == {"from": 1980, "to": 1989, "text": "80s", "applied": False}
    assert read_query("80s action", Filters(genre="Action")).filters == Filters(genre="Action", year_from=1980, year_to=1989)


def test_several_year_phrases_give_their_union():
    rest, years = read_years("80s comedy from 1995")
    assert rest == "comedy" and (years.start, years.end) == (1980, None)


def test_filler_words_leave_only_the_ends_of_the_bm25_text():
    assert content_text("zombie movies") == "zombie"
    assert content_text("movies about zombies") == "about zombies"
    assert content_text("a movie star falls in love") == "a movie star falls in love"
    assert content_text("film noir detective") == "film noir detective"
    assert content_text("movies") == "movies"  # nothing else: the query stays as typed


@pytest.mark.parametrize(
    "q, text",
    [
        ("drama movie about cancer", "drama cancer"),  # "movie" and "about" were two of its four BM25 terms
        ("spy film set in berlin", "spy in berlin"),
        ("war film featuring pilots", "war pilots"),
        ("zombie movie in a mall", "zombie in a mall"),
        ("a movie star falls in love", "a movie star falls in love"),  # "movie star" is a topic
        ("about a boy", "about a boy"),  # nothing before it: a title's word
    ],
)
def test_the_words_that_join_a_kind_to_its_topic_leave_the_bm25_text(q, text):
    assert content_text(q) == text


@pytest.mark.parametrize(
    "q, title",
    [
        ("like toy story", "toy story"),
        ("movies like Inception", "Inception"),
        ("films similar to the matrix", "the matrix"),
        ("similar to Alien", "Alien"),
        ("more like Heat", "Heat"),
        ("more movies like Heat", "Heat"),
        ("something like Up", "Up"),
        ("show me films like Jaws", "Jaws"),
    ],
)
def test_like_patterns(q, title):
    assert like_title(q) == title


@pytest.mark.parametrize("q", ["lovely bones", "a film about liking cats", "dislike", "unlike anything"])
def test_no_like_pattern(q):
    assert like_title(q) is None


@pytest.mark.parametrize(
    "q, like, kinds, ruled_out",
    [
        ("like inception but funnier", "like inception", ("Comedy",), ()),  # a comparative read as its mood word
        ("movies like alien but funny", "movies like alien", ("Comedy",), ()),
        ("like toy story, but scarier", "like toy story", ("Horror",), ()),
        ("like the notebook but a comedy", "like the notebook", ("Comedy",), ()),
        ("like star wars but for kids", "like star wars", ("Family",), ("Horror",)),  # the audience's rule-out comes too
        ("like nothing but trouble", "like nothing but trouble", (), ()),  # no kind after "but": a title
        ("like inception but darker", "like inception but darker", (), ()),  # a mood that names no genre: as before
        ("heist movies but funny", "heist movies but funny", (), ()),  # no "like"
    ],
)
def test_like_a_film_but_a_mood_asks_for_that_kind_of_film(q, like, kinds, ruled_out):
    assert read_like_but(q) == (like, kinds, ruled_out)
    reading = read_query(q, Filters())
    assert reading.q == like and reading.filters.kinds == kinds and reading.intents()["kinds"] == list(kinds)
    assert "kinds" not in reading.filters.as_args()  # read from the text, never a link's parameter
    assert read_query(q, Filters(genre="Drama")).filters.kinds == ()  # a genre chosen on the page wins


def test_like_body_ranks_the_film_itself_first_through_its_own_vector():
    semantic = like_body(862, VECTOR, Filters(genre="Animation"), 50, "semantic", "movies")
    assert "must_not" not in str(semantic)  # the film is not excluded: its own cosine (1) puts it first
    hybrid = like_body(862, VECTOR, Filters(), 50, "hybrid", "movies")
    keywords, vector = hybrid["query"]["hybrid"]["queries"]
    mlt = keywords["bool"]["must"][0]["function_score"]["query"]["more_like_this"]
    assert mlt["like"] == [{"_index": "movies", "_id": "862"}] and mlt["include"] and mlt["fields"] == LIKE_FIELDS
    assert "script_score" in keywords["bool"]["filter"][0] and "script_score" in vector  # only films close by meaning


def _hit(i, score, **src):
    return {"_id": str(i), "_score": score, "_source": {"id": i, **src}}


def test_relevant_window_keeps_the_first_ones_whatever_the_floor():
    hits = [_hit(1, 1.0)] + [_hit(i, 0.1) for i in range(2, 40)]
    assert [h["_source"]["id"] for h in relevant_window(hits, 0.3, 0)] == [1]
    kept = relevant_window(hits, 0.3, 20)
    assert len(kept) == 20 and kept[0]["_source"]["id"] == 1
    assert len(relevant_window(hits[:5], 0.3, 20)) == 5  # never more than the window holds
    assert len(relevant_window([_hit(i, 1.0 - i / 100) for i in range(40)], 0.3, 20)) == 40  # the floor keeps more


def test_titles_first_reads_the_query_without_its_filler_words():
    hits = [_hit(1, 0.9, title="Batman Returns"), _hit(2, 0.8, title="The Dark Knight"), _hit(3, 0.5, title="Batman")]
    assert [h["_source"]["id"] for h in titles_first(hits, "batman movies")] == [3, 1, 2]
    assert [h["_source"]["id"] for h in titles_first(hits, "batman")] == [3, 1, 2]


def test_the_title_itself_comes_before_titles_a_typo_away():
    """ "Toy Story 3" is two edits from "toy story": a typo match, after the film called Toy Story."""
    sequels = [_hit(1, 0.9, title="Toy Story 3"), _hit(2, 0.8, title="Toy Story 2"), _hit(3, 0.5, title="Toy Story")]
    assert [h["_source"]["id"] for h in titles_first(sequels, "toy story")] == [3, 1, 2]
    assert [h["_source"]["id"] for h in titles_first(sequels, "toy story 2")] == [2, 1, 3]


def test_a_real_word_is_not_read_as_a_misspelt_title():
    """ "slasher" is two typos from Slither: a title first while no found film says "slasher",
    last once one does; a title one typo away ("terminater") keeps its place either way."""
    slither = _hit(1, 0.9, title="Slither")
    scream = _hit(2, 0.5, title="Scream", overview="A masked killer stalks the students: a slasher with a wink.")
    quiet = _hit(2, 0.5, title="Scream", overview="A masked killer stalks the students.")
    assert [h["_source"]["id"] for h in titles_first([scream, slither], "slasher")] == [2, 1]
    assert [h["_source"]["id"] for h in titles_first([quiet, slither], "slasher")] == [1, 2]  # nothing says it: a typo
    terminator = _hit(3, 0.4, title="The Terminator")
    said = _hit(4, 0.9, title="Taken 3", overview="a terminater of plots")
    assert [h["_source"]["id"] for h in titles_first([said, terminator], "terminater")] == [4, 3]  # said: one typo keeps its place
    assert [h["_source"]["id"] for h in titles_first([_hit(4, 0.9, title="Taken 3"), terminator], "terminater")] == [3, 4]


def test_a_title_holding_the_whole_query_is_no_misspelling():
    """ "scary movie" is two edits from Scary Movie 3 and said by a horror overview, yet the title
    holds the query whole: the sequels come first, not last."""
    scream = _hit(1, 0.9, title="Scream", overview="Not your usual scary movie.")
    sequel = _hit(2, 0.5, title="Scary Movie 3")
    assert [h["_source"]["id"] for h in titles_first([scream, sequel], "scary movie")] == [2, 1]


def test_a_mood_word_in_a_title_does_not_put_it_first():
    """ "funny movies" asks for comedies: Funny Games is no title match; "batman movies" still is."""
    hits = [_hit(1, 0.9, title="Superbad"), _hit(2, 0.5, title="Funny Games")]
    assert [h["_source"]["id"] for h in titles_first(hits, "funny movies")] == [1, 2]
    assert [h["_source"]["id"] for h in titles_first(hits, "games")] == [2, 1]
    horror = [_hit(1, 0.9, title="#Horror"), _hit(2, 0.5, title="Mama")]  # one typo from "horror", and the better score
    assert [h["_source"]["id"] for h in titles_first(horror, "horror movies")] == [2, 1]


def test_a_theme_many_films_carry_in_a_title_does_not_put_it_first():
    """ "revenge" is a TMDB keyword of 100+ films: Jaws: The Revenge is no answer; "batman", a
    franchise's rare keyword, still puts its titles first."""
    hits = [_hit(1, 0.9, title="Oldboy"), _hit(2, 0.5, title="Jaws: The Revenge")]
    themes = frozenset({("reveng",), ("road", "trip")})
    assert [h["_source"]["id"] for h in titles_first(hits, "revenge", themes)] == [1, 2]
    assert [h["_source"]["id"] for h in titles_first(hits, "revenge")] == [2, 1]  # not known as a theme: a title word
    shorts = [_hit(1, 0.9, title="Shorts"), _hit(2, 0.5, title="Rocky")]  # one typo from "sports", and the better score
    assert [h["_source"]["id"] for h in titles_first(shorts, "sports", frozenset({("sport",)}))] == [2, 1]  # a theme's typo goes last
    assert [h["_source"]["id"] for h in titles_first(shorts, "sports")] == [1, 2]  # not known as a theme: a misspelt title
    batman = [_hit(1, 0.9, title="The Dark Knight"), _hit(2, 0.5, title="Batman Returns")]
    assert [h["_source"]["id"] for h in titles_first(batman, "batman movies", themes)] == [2, 1]


def test_a_kind_of_film_asked_with_movies_does_not_put_the_film_of_that_name_first():
    """ "heist movies" asks for heist films: Heist (2015, 318 votes) is not put before Ocean's
    Eleven for its title, nor Submarine (a coming-of-age comedy) before Das Boot. "heist" alone
    may be the title, and a franchise's rare word ("batman movies") still is."""
    themes = frozenset({("heist",), ("submarin",)})
    hits = [_hit(1, 0.9, title="Ocean's Eleven"), _hit(2, 0.5, title="Heist")]
    assert [h["_source"]["id"] for h in titles_first(hits, "heist movies", themes)] == [1, 2]
    assert [h["_source"]["id"] for h in titles_first(hits, "heist", themes)] == [2, 1]
    assert [h["_source"]["id"] for h in titles_first(hits, "heist movies")] == [2, 1]  # not known as a theme: a title
    boats = [_hit(1, 0.9, title="Das Boot"), _hit(2, 0.5, title="Submarine")]
    assert [h["_source"]["id"] for h in titles_first(boats, "submarine films", themes)] == [1, 2]
    batman = [_hit(1, 0.9, title="The Dark Knight"), _hit(2, 0.5, title="Batman")]
    assert [h["_source"]["id"] for h in titles_first(batman, "batman movies", themes)] == [2, 1]
    aliens = [_hit(1, 0.9, title="Aliens in the Attic"), _hit(2, 0.5, title="Alien", vote_count=4470)]
    assert [h["_source"]["id"] for h in titles_first(aliens, "alien movies", frozenset({("alien",)}))] == [2, 1]  # most fans know it


def test_the_title_trigrams_skip_a_query_with_filler_words():
    """ "movies" shares three trigrams with "Movie 43", which led "sad movies"; a misspelt title
    keeps its trigram clause. A genre word beside a subject ("snake horror") skips it too."""

    def fields(q: str) -> set[str]:
        return {field for clause in title_clauses(q) for kind in clause.values() for field in kind}

    assert "title.trigram" not in fields("sad movies") and "title.keyword" in fields("sad movies")
    assert "title.trigram" in fields("the lego movei")
    # a kind beside a subject: "horror" is most of #Horror's trigrams, not part of a misspelt title
    assert "title.trigram" not in fields("snake horror") and "title.keyword" in fields("snake horror")
    assert "title.trigram" in fields("horror comedy") and "title.trigram" in fields("litle shop of horors")


def test_micro_terms_are_a_short_querys_topic_words():
    assert micro_terms("the zombie movies of survival") == ["zombie", "survival"]
    assert micro_terms(" ".join(f"word{i}" for i in range(MICRO_MATCH_MAX_WORDS + 1))) == []  # a plot description


def _table():
    axes = np.eye(3, 384)
    docs = [
        {"id": 7, "label": "Heist and Robbery", "size": 34, "keywords": ["heist", "bank robbery"], "centroid": (2 * axes[0]).tolist()},
        {"id": 8, "label": "Zombie Horror", "size": 47, "keywords": ["zombie", "undead"], "centroid": axes[1].tolist()},
        {"id": 9, "label": "Sci-Fi Comedy", "size": 12, "keywords": ["alien"], "centroid": axes[2].tolist()},
        {"id": 10, "label": "No Centroid", "size": 1, "keywords": []},
    ]
    return MicroTable.from_docs(docs)


def test_micro_table_holds_unit_centroids_and_word_stems():
    table = _table()
    assert table.ids == (7, 8, 9)  # a document without a centroid cannot be matched
    assert np.allclose(np.linalg.norm(table.centroids, axis=1), 1.0)
    assert table.label_stems[0] == {"heist", "robberi"} and table.keyword_stems[0] == {"heist", "bank", "robberi"}  # "robbery" / "robberies"


def test_micro_scores_add_the_label_and_keyword_shares_to_the_cosine():
    table, vector = _table(), [1.0] + [0.0] * 383
    scores = micro_scores(table, ["heists", "crew"], vector, 0.2, 0.1)  # "heists" stems as "heist"; "crew" is nowhere
    assert scores == pytest.approx([1.0 + 0.2 / 2 + 0.1 / 2, 0.0, 0.0])
    assert micro_scores(table, ["sci-fi"], [0.0] * 384, 0.2, 0.1)[2] == pytest.approx(0.2)  # every piece of the word


def test_micro_match_needs_a_score_and_a_lead():
    table = _table()
    near_heist = (np.eye(3, 384)[0] * 0.7 + np.eye(3, 384)[1] * 0.3).tolist()
    assert micro_match(table, ["heist"], near_heist, 0.6, 0.06) == {"id": 7, "label": "Heist and Robbery", "size": 34}
    between = (np.eye(3, 384)[0] * 0.5 + np.eye(3, 384)[1] * 0.5).tolist()
    assert micro_match(table, ["crew"], between, 0.4, 0.06) is None  # no clear lead
    assert micro_match(table, ["crew"], (np.eye(3, 384)[0] * 0.5).tolist(), 0.6, 0.0) is None  # not close enough
    assert micro_match(table, [], near_heist) is None


def test_lift_and_popularity_reorder_the_fused_window():
    hits = [_hit(1, 0.9, micro_genre_id=1, popularity=1.0), _hit(2, 0.8, micro_genre_id=7, popularity=1.0)]
    assert [h["_source"]["id"] for h in lift(hits, "micro_genre_id", {7}, 0.15)] == [2, 1]
    assert [h["_source"]["id"] for h in lift(hits, "micro_genre_id", {3}, 0.15)] == [1, 2]
    famous = [_hit(1, 0.9, vote_count=0, popularity=500.0), _hit(2, 0.8, vote_count=5000, popularity=0.0)]
    assert [h["_source"]["id"] for h in popular_first(famous, 0.3)] == [2, 1]  # by votes, not TMDB's popularity
    assert [h["_source"]["id"] for h in popular_first(famous, 0.3, "popularity")] == [1, 2]
    assert popular_first(famous, 0.0) == famous


def test_a_lift_by_fame_puts_the_films_a_visitor_knows_first():
    """The shelf a query's first word heads ("heist crew double cross") lifts its films by how well
    known they are: Ocean's Eleven (4,000 votes) above Armored (300) when the words rank them alike."""
    hits = [_hit(1, 0.30, macro_genre="Heists and Cons", vote_count=300), _hit(2, 0.25, macro_genre="Heists and Cons", vote_count=4000)]
    hits.append(_hit(3, 0.5, macro_genre="Comedies", vote_count=10000))
    flat = lift(hits, "macro_genre", {"Heists and Cons"}, 0.5)
    by_fame = lift(hits, "macro_genre", {"Heists and Cons"}, 0.5, by_fame=True)
    assert [h["_source"]["id"] for h in flat] == [1, 2, 3]
    assert [h["_source"]["id"] for h in by_fame] == [2, 1, 3]
    assert known({"vote_count": 10000}) == pytest.approx(1.0) and known({"vote_count": 50000}) == 1.0 and known({}) == 0.0
    assert by_fame[0]["_score"] == pytest.approx(0.25 + 0.5 * known({"vote_count": 4000}))


def test_a_tone_browse_lifts_its_films_by_the_share_of_the_best_evidence_they_show():
    """ "gory horror": Saw (torture, gore, blood) above Scream (slasher) when the words rank them alike."""
    browse = Browse([], None, set(), 2.0, evidence=({"match_all": {}},))
    films = [dict(_hit(1, 1.0, title="Scream"), sort=[1.0, 50.0]), dict(_hit(2, 3.0, title="Saw"), sort=[3.0, 20.0])]  # evidence met, popularity
    joined = browse.join([_hit(1, 0.4), _hit(3, 0.5)], films)
    assert [h["_source"]["id"] for h in joined] == [2, 1, 3]
    assert [h["_score"] for h in joined] == pytest.approx([2.0, 0.4 + 2.0 / 3, 0.5])
    flat = Browse([], None, set(), 2.0).join([_hit(1, 0.4), _hit(3, 0.5)], films)  # no evidence: every film it brought alike
    assert [h["_score"] for h in flat] == pytest.approx([2.4, 2.0, 0.5])
    grossing = Browse([], None, set(), 2.0, by="revenue").shares([dict(_hit(3, None), sort=[1.2e9]), dict(_hit(4, None), sort=[0.6e9])])
    assert grossing == {3: 1.0, 4: 0.5}  # "highest grossing": an order the query names ranks the films it brought
    assert Browse([], None, set(), 2.0).shares(films) == {1: 1.0, 2: 1.0}  # "low budget horror": by popularity, all alike
    body = popular_films_body([], Filters(), ["id"], evidence=browse.evidence)
    assert body["sort"][0] == {"_score": {"order": "desc"}} and body["query"]["bool"]["must"] == [{"match_all": {}}]


SHELF_ROWS = (
    {"id": 33, "label": "Heists and Cons", "size": 69},
    {"id": 40, "label": "Mind-Bending Thrillers", "size": 41},
    {"id": 19, "label": "Psychological and Mystery Thrillers", "size": 134},
    {"id": 23, "label": "Satire and Dark Comedies", "size": 23},
    {"id": 5, "label": "Westerns", "size": 70},
    {"id": 14, "label": "Supernatural Horror", "size": 90},
)


def _shelves(q: str) -> list[str]:
    table = MicroTable.from_docs([], SHELF_ROWS)
    return [row["label"] for row in shelf_match(table, micro_terms(q), q)]


@pytest.mark.parametrize(
    "q, names",
    [
        ("heist crew double cross", ["Heists and Cons"]),  # a theme phrase of the shelf ("heist")
        ("dark psychological thriller twist ending", ["Mind-Bending Thrillers"]),  # two phrases beat a name word
        ("spaghetti westerns", ["Westerns"]),  # a word of its name
        ("supernatural horror", ["Supernatural Horror"]),
        ("underwater horror", []),  # beside a subject, a genre word names no themed shelf of its kind
        ("revenge western", ["Westerns"]),  # ... but the shelf it is the whole name of
        ("con artists", ["Heists and Cons"]),  # plural folded as the highlighter stems
        ("dark comedy", ["Satire and Dark Comedies"]),  # a phrase, not its words one by one
        ("mind-bending thriller", ["Mind-Bending Thrillers"]),  # a hyphenated word is its words
        ("thriller", []),
        ("dark", []),
        ("comedy", []),  # bare genre and mood words name no shelf
        ("a boy hides a gentle creature from another planet and helps it get back home", []),  # too long: a plot, not a theme
    ],
)
def test_a_short_query_names_the_shelves_whose_phrases_or_name_words_it_holds(q, names):
    assert _shelves(q) == names


@pytest.mark.parametrize(
    "q, browses",
    [
        ("dark psychological thriller twist ending", True),  # 4 of 5 words the shelf's ("dark" left over)
        ("spaghetti westerns", False),  # half: "spaghetti" is the query's own
        ("heist crew double cross", False),
        ("mind-bending thriller", False),  # "thriller" is no name word of a shelf: 2 of 3
        ("twist", False),
        ("a boy hides a gentle creature from another planet and helps it get back home", False),
    ],
)
def test_a_query_browses_a_shelf_only_in_the_shelfs_own_words(q, browses):
    assert browses_shelf(micro_terms(q), q) is browses


@pytest.mark.parametrize(
    "q, shelves",
    [
        ("heist movies", ["Heists and Cons"]),  # the shelf's first name word: a fan asks for the shelf
        ("spy movies", ["Spies and Secret Agents"]),  # "spies" / "spy": one stem
        ("war movies", ["War Stories"]),
        ("prison escape", ["Prison Dramas and Escapes"]),  # every word in the name
        ("zombie movies", ["Zombies, Vampires and Monsters"]),
        ("vampire movies", []),  # a later theme of a shelf that lists several: not the whole shelf
        ("gangster movies", []),
        ("vietnam war", []),  # a theme inside "War Stories", not the shelf
        ("bank heist", []),
        ("heist crew double cross", []),
        ("a heist crew plans one last job in the city", []),  # too long: a plot
    ],
)
def test_a_query_in_a_shelfs_name_words_names_that_shelf_for_a_theme_browse(q, shelves):
    assert theme_shelves(micro_terms(q)) == shelves


@pytest.mark.parametrize(
    "q, shelves",
    [
        ("heist crew double cross", ["Heists and Cons"]),  # the first word heads the shelf; the rest rank within it
        ("zombie apocalypse survival", ["Zombies, Vampires and Monsters"]),
        ("war brotherhood soldiers", ["War Stories"]),
        ("vietnam war", []),  # "war" heads a shelf, but it is not the query's first word
        ("bank heist", []),
        ("slow burn horror", []),
        ("a heist crew plans one last job in the city", []),  # too long: a plot
    ],
)
def test_a_query_whose_first_word_heads_a_shelf_names_that_shelf(q, shelves):
    assert headed_shelves(micro_terms(q)) == shelves


@pytest.mark.parametrize(
    "q, text, genres",
    [
        ("drama film about a boxer", "boxer", []),  # "film" and "about" once admitted 12 Angry Men
        ("romantic comedy with a wedding", "wedding", [{"term": {"genres": "Comedy"}}]),
        ("family movie about a horse", "horse", []),
    ],
)
def test_a_headed_shelf_brings_and_lifts_its_films_that_fit_the_rest_of_the_query(q, text, genres):
    terms = micro_terms(q)
    browse = headed_browse(terms, q, headed_shelves(terms), 0.5)
    assert browse.clauses == [{"terms": {"macro_genre": headed_shelves(terms)}}, *genres]
    assert browse.evidence == (text_query(text, None),) and browse.field is None  # only the films that fit gain


def test_a_headed_shelf_with_only_a_genre_beyond_its_name_lifts_all_its_films_matching_a_word():
    """ "christmas horror": no text says "horror", and the genre alone would admit the whole shelf."""
    terms = micro_terms("christmas horror")
    browse = headed_browse(terms, "christmas horror", ["Christmas and Holiday Films"], 0.5)
    assert browse.field == "macro_genre" and browse.values == {"Christmas and Holiday Films"}
    assert browse.clauses == [shelf_gate("christmas horror", ["Christmas and Holiday Films"])]


def test_shelves_that_name_a_query_equally_all_count():
    assert sorted(_shelves("heist western")) == ["Heists and Cons", "Westerns"]


@pytest.mark.parametrize(
    "q, genres",
    [
        ("dark psychological thriller twist ending", ("Thriller",)),
        ("horror comedy", ("Horror", "Comedy")),
        ("90s romantic comedy", ("Romance", "Comedy")),
        ("classic science fiction", ("Science Fiction",)),
        ("animated fairy tale princess", ("Animation",)),
        ("whodunit murder mystery", ("Mystery",)),
        ("mafia family saga", ()),  # "family" is a topic here, not the Family genre
        ("cold war spy", ()),  # "war" names no genre: too often a topic
        ("courtroom drama", ()),  # "drama" beside a topic names no genre: the topic is the query
        ("90s action", ("Action",)),  # "action" names Action wherever it stands (stop 43)
        ("action comedy", ("Action", "Comedy")),
        ("martial arts action", ("Action",)),
        ("cowboy doll jealous of a space ranger action figure", ()),  # a toy, not the genre (a plot query)
        ("a civil action", ()),
        ("crime movies", ("Crime",)),  # words as often a topic name their genre in a query of genre words alone
        ("90s crime drama", ("Crime", "Drama")),
        ("historical drama", ("History", "Drama")),
        ("action adventure", ("Action", "Adventure")),
        ("best dramas of the 2000s", ("Drama",)),  # "best" asks for the best known, it is no topic
        ("dark and gritty crime", ()),
        ("an adventure at sea", ()),
        ("war drama", ()),  # "war movies" browses the war shelf; "war" names no genre
        ("funny movies", ("Comedy",)),  # moods fans file under a genre
        ("scary movies", ("Horror",)),
        ("sad love story", ("Drama",)),
        ("feel good movies", ("Comedy", "Family")),
        ("feel-good sports movies", ("Comedy", "Family")),
        ("family movies", ("Family",)),  # "family" before "movies" is the genre
        ("family adventure", ("Family", "Adventure")),  # ... and before a kind of film for families
        ("family comedies", ("Family", "Comedy")),
        ("family drama", ()),  # a drama about a family
        ("animated films for kids", ("Animation", "Family")),
        ("gory horror", ("Horror",)),  # everyday mood words (stop 42)
        ("goofy buddy comedy", ("Comedy",)),
        ("heartbreaking love story", ("Drama",)),
        ("tense hostage thriller", ("Thriller",)),
        ("cozy movies", ("Comedy", "Family")),
        ("family-friendly adventure", ("Family", "Adventure")),
        ("inspiring true story", ()),  # rules horror out, names no genre
    ],
)
def test_genre_words_name_tmdb_genres(q, genres):
    reading = read_query(q, Filters())
    assert reading.genres == genres and reading.intents()["genres"] == list(genres)
    assert reading.q == q.replace("90s ", "").replace(" of the 2000s", "")  # the words stay in the text; only years leave it


@pytest.mark.parametrize(
    "q, ruled_out",
    [
        ("heartwarming summer camp", ("Horror",)),
        ("feel good christmas movies", ("Horror",)),
        ("feel-good road trip", ("Horror",)),
        ("wholesome small town 1950s", ("Horror",)),  # years leave the text, the mood stays
        ("uplifting true stories", ("Horror",)),
        ("feel-good horror comedy", ()),  # a query that names horror keeps it
        ("funny zombie movies", ()),  # funny is no feel-good: horror comedies are its films
        ("summer camp", ()),
        ("halloween movies for kids", ("Horror",)),  # a search for families
        ("family movies", ("Horror",)),
        ("mafia family saga", ()),  # "family" as a topic
        ("cozy movies", ("Horror",)),  # everyday feel-good words (stop 42)
        ("relaxing movie for a sunday afternoon", ("Horror",)),
        ("inspiring true story", ("Horror",)),
        ("cute animated movie", ("Horror",)),
        ("family-friendly adventure", ("Horror",)),
        ("adventure for the whole family", ("Horror",)),
        ("goofy zombie comedy", ()),  # goofy, like funny, is the horror comedy's word
        ("gory slasher", ("Family",)),  # a dark mood rules family films out
        ("grim revenge story", ("Family",)),
        ("bleak dystopian future", ("Family",)),
        ("dark fantasy", ("Family",)),
        ("dark and gritty crime", ("Family",)),
        ("the dark crystal", ()),  # "dark" alone is no mood: a title word
        ("afraid of the dark", ()),
        ("gritty family drama", ("Family",)),  # "family" here is a topic, not the TMDB genre of films for kids
        ("scary movies for kids", ("Horror",)),  # stop 46: an audience rules horror out even where a mood names it
        ("horror movies for the whole family", ("Horror",)),  # ... then only family and animated horror stays (SPARED_GENRES)
        ("slow burn horror", ("Action", "Comedy", "Animation", "Family")),  # stop 45: a slow burn is no action film nor a comedy
        ("slow-burning comedy", ("Action", "Animation", "Family")),  # ... unless the query names it
    ],
)
def test_a_feel_good_mood_rules_horror_out_unless_the_query_names_it(q, ruled_out):
    reading = read_query(q, Filters())
    assert reading.ruled_out == ruled_out and reading.intents()["ruled_out"] == list(ruled_out)


@pytest.mark.parametrize(
    "q, browse",
    [
        ("horror movies", True),
        ("comedies", True),
        ("sci-fi", True),
        ("science fiction films", True),  # a genre phrase
        ("funny movies", True),  # a mood filed under Comedy
        ("family movies", True),
        ("horror comedy", True),
        ("sad movies", False),  # Drama: its most popular films are no sad list
        ("tearjerker romance", False),  # ... nor with another genre beside it
        ("zombie movies", False),  # a topic
        ("romantic comedy new york", False),
        ("cozy movies", True),  # everyday mood words and phrasings (stop 42)
        ("date night movie", True),
        ("something funny", True),  # "something" is filler
        ("something about mary", False),
        ("90s action", True),  # stop 43: "action", and broad genre words alone
        ("best action movies", True),  # "best" asks for the best known
        ("crime dramas", True),
        ("90s drama", True),  # the word "drama" browses Drama; a sad word does not
        ("sad drama", False),
        ("courtroom drama", False),
        ("best movies", True),  # stop 46: no genre named, the best thought of every film (acclaim_alone)
        ("critically acclaimed dramas", True),  # words asking for the best thought of are no topic either
        ("oscar winning dramas", True),
    ],
)
def test_a_query_browses_its_genres_only_when_it_only_names_genres(q, browse):
    assert read_query(q, Filters()).browse is browse


@pytest.mark.parametrize(
    "q, languages, browse",
    [
        ("korean thriller", ("Korean",), True),  # stop 43: the language a film was made in
        ("french movies", ("French",), True),
        ("bollywood", ("Indian",), True),
        ("best foreign films", ("Not English",), True),
        ("hong kong action", ("Cantonese",), True),
        ("spanish language films", ("Spanish",), True),
        ("anime", ("Japanese",), True),  # Japanese and Animation
        ("90s french comedy", ("French",), True),
        ("italian mafia", (), False),  # beside a topic a language is a setting
        ("german soldiers in the war", (), False),
        ("the french revolution", (), False),
        ("the french connection", (), False),  # a title
    ],
)
def test_a_query_of_language_and_genre_words_names_its_languages(q, languages, browse):
    reading = read_query(q, Filters())
    assert reading.languages == languages and reading.intents()["languages"] == list(languages)
    assert reading.browse is browse


def test_foreign_means_every_language_but_english():
    codes = language_codes(("Not English",))
    assert "en" not in codes and {"fr", "ko", "ja", "es", "hi", "cn", "zh"} <= set(codes)
    assert language_codes(("Chinese",)) == ["cn", "zh"] and language_codes(("Korean", "Japanese")) == ["ja", "ko"]


@pytest.mark.parametrize(
    "q, by",
    [
        ("critically acclaimed dramas", "rating_weighted"),  # the best thought of: the highest rated come
        ("top rated horror movies", "rating_weighted"),
        ("award winning animated films", "rating_weighted"),
        ("best action movies", "popularity"),  # the best known: the most popular come
        ("horror movies", "popularity"),
    ],
)
def test_a_browse_asking_for_the_best_thought_of_brings_the_highest_rated(q, by):
    assert read_query(q, Filters()).browse_by == by


@pytest.mark.parametrize(
    "kind, q, names, genres, by",
    [
        ("scale", "blockbusters", ("Blockbusters",), (), "revenue"),  # stop 44: how a film was made and sold
        ("scale", "box office hits", ("Blockbusters",), (), "revenue"),
        ("scale", "highest grossing animated movies", ("Blockbusters",), ("Animation",), "revenue"),  # not the highest rated
        ("scale", "biggest movies of the 2000s", ("Blockbusters",), (), "revenue"),
        ("scale", "big budget action movies", ("Big budget",), ("Action",), "budget"),
        ("scale", "biggest budget movies", ("Big budget",), (), "budget"),  # not box office
        ("scale", "low budget horror", ("Low budget",), ("Horror",), "popularity"),
        ("scale", "indie dramas", ("Independent",), ("Drama",), "popularity"),
        ("scale", "independent films", ("Independent",), (), "popularity"),
        ("scale", "an independent woman", (), (), "popularity"),  # beside a topic: no kind of film
        ("scale", "biggest heist ever pulled", (), (), "popularity"),
        ("scale", "the big hit", (), (), "popularity"),  # a title (a typo of it was read as box office once)
        ("scale", "the box office of a failed musical", (), ("Music",), "popularity"),
        ("scale", "movies based on books", ("Based on novels",), (), "popularity"),  # stop 46: what a film was made from
        ("scale", "fantasy films based on a bestselling novel", ("Based on novels",), ("Fantasy",), "popularity"),
        ("scale", "book adaptations", ("Based on novels",), (), "popularity"),
        ("scale", "comic book adaptations", ("Based on comics",), (), "popularity"),  # not a book too
        ("scale", "movies based on graphic novels", ("Based on comics",), (), "popularity"),
        ("scale", "movies based on video games", ("Based on video games",), (), "popularity"),
        ("scale", "movies adapted from broadway musicals", ("Based on plays",), ("Music",), "popularity"),  # musicals are Music too
        ("scale", "tv show adaptations", ("Based on TV series",), (), "popularity"),
        ("scale", "horror movies based on a true story", ("Based on true stories",), ("Horror",), "popularity"),
        ("scale", "based on the novel by stephen king", (), (), "popularity"),  # beside a topic: searched
        ("scale", "a movie about a book club", (), (), "popularity"),
        ("scale", "video game movies", (), (), "popularity"),  # films about games (Wreck-It Ralph) as much as from them
        ("scale", "hidden gems", ("Hidden gems",), (), "rating_weighted"),  # stop 46: how films were made and seen
        ("scale", "underrated thrillers", ("Hidden gems",), ("Thriller",), "rating_weighted"),
        ("scale", "lesser-known animated movies", ("Hidden gems",), ("Animation",), "rating_weighted"),
        ("scale", "short comedies under 90 minutes", ("Short",), ("Comedy",), "popularity"),
        ("scale", "movies under 90 minutes", ("Short",), (), "popularity"),
        ("scale", "three hour movies", ("Three hours",), (), "popularity"),
        ("scale", "movies over 3 hours", ("Three hours",), (), "popularity"),
        ("scale", "long dramas", ("Long",), ("Drama",), "popularity"),
        ("scale", "black and white movies", ("Black and white",), (), "popularity"),
        ("scale", "silent films", ("Silent",), (), "popularity"),
        ("scale", "Silent Movie", (), (), "popularity"),  # titles
        ("scale", "30 Minutes or Less", (), (), "popularity"),
        ("scale", "The Big Short", (), (), "popularity"),
        ("scale", "under the skin", (), (), "popularity"),
        ("tones", "gory horror", ("Gory",), ("Horror",), "popularity"),  # stop 45: how a film plays
        ("tones", "gruesome horror", ("Gory",), ("Horror",), "popularity"),
        ("tones", "surreal films", ("Surreal",), (), "popularity"),
        ("tones", "trippy movies", ("Surreal",), (), "popularity"),
        ("tones", "dark comedies", ("Dark comedy",), ("Comedy",), "popularity"),
        ("tones", "black comedy", ("Dark comedy",), ("Comedy",), "popularity"),
        ("tones", "quirky indie comedy", ("Quirky",), ("Comedy",), "popularity"),
        ("tones", "cult classics", ("Cult",), (), "vote_count"),
        ("tones", "mockumentaries", ("Mockumentary",), (), "popularity"),  # stop 50: a form of its own, not Satire's spoofs
        ("tones", "spoof movies", ("Satire",), (), "popularity"),
        ("tones", "thought-provoking sci-fi", ("Thought-provoking",), ("Science Fiction",), "rating_weighted"),  # praise: by rating
        ("tones", "slow burn mystery", ("Slow burn",), ("Mystery",), "rating_weighted"),
        ("tones", "slow-burning thrillers", ("Slow burn",), ("Thriller",), "rating_weighted"),
        ("tones", "a weird noise in the attic", (), (), "popularity"),  # beside a topic: no tone
        ("tones", "the dark comedy of a failing marriage", (), ("Comedy",), "popularity"),
        ("tones", "bloody sunday", (), (), "popularity"),
        ("tones", "Bizarre", (), (), "popularity"),  # a title
        ("tones", "slow burn", (), (), "popularity"),  # praise alone admits every film: searched (the title Slow Burn)
    ],
)
def test_a_query_of_kind_words_names_how_its_films_were_made_or_play(kind, q, names, genres, by):
    """``scale``: how the films were made and sold (stop 44); ``tones``: how they play (stop 45)."""
    reading = read_query(q, Filters())
    assert getattr(reading, kind) == names and reading.intents()[kind] == list(names)
    assert reading.genres == genres and reading.browse_by == by
    assert reading.browse is bool(names)


@pytest.mark.parametrize(
    "q, text",
    [
        ("movies based on books", "movies"),  # stop 46: not the micro-genre "Book", nor "Superheroes and Comic Books"
        ("slow burn mystery", "mystery"),
        ("gory horror", "gory horror"),  # a tone word, no phrase: the theme matches still read it
        ("heist movies", "heist movies"),  # no kind read
    ],
)
def test_the_theme_matches_read_no_phrase_read_as_how_films_were_made_or_play(q, text):
    assert read_query(q, Filters()).theme_text == text


def test_low_budget_is_counted_in_the_dollars_of_the_films_decade():
    """Jaws' $7M of 1975 was no small budget; Psycho's $0.8M of 1960 was."""
    assert budget_cap(1960) < 806_948 * 2 and budget_cap(1970) < 7_000_000 < LOW_BUDGET_MAX == budget_cap(2010)
    assert budget_cap(1970) < budget_cap(1990) < budget_cap(2000) < LOW_BUDGET_MAX
    assert kind_clauses(read_query("blockbusters", Filters())) == []  # an order, no filter
    (low,) = kind_clauses(read_query("low budget", Filters()))
    assert len(low["bool"]["should"]) >= 10


def test_a_tone_scores_the_films_by_the_evidence_they_show():
    assert kind_clauses(read_query("gory horror", Filters())) == [{"term": {"genres": "Horror"}}]
    (gory,) = tone_evidence(("Gory",))
    shown = [c["constant_score"]["filter"] for c in gory["bool"]["should"]]
    assert {"term": {"keywords": "gore"}} in shown and gory["bool"]["minimum_should_match"] == 1
    assert tone_evidence(("Slow burn", "Thought-provoking")) == []  # praise: by rating, not graded
    genre, praise = kind_clauses(read_query("thought-provoking sci-fi", Filters()))
    assert {"term": {"keywords": "philosophy"}} in praise["bool"]["should"]  # ... its clauses only admit films
    assert kind_clauses(read_query("slow burn thrillers", Filters())) == [{"term": {"genres": "Thriller"}}]


@pytest.mark.parametrize(
    "q, text, years",
    [
        ("recent thrillers", "thrillers", (2012, 2016)),  # stop 44: the catalogue's newest five years
        ("new comedies", "comedies", (2012, 2016)),
        ("latest horror movies", "horror movies", (2012, 2016)),
        ("newest animated films", "animated films", (2012, 2016)),
        ("new movies", "", (2012, 2016)),  # recency alone: a browse of those years
        ("new york comedies", "new york comedies", None),  # beside a topic "new" is a word
        ("a new hope", "a new hope", None),
        ("the latest invention goes wrong", "the latest invention goes wrong", None),
        ("90s new comedies", "new comedies", (1990, 1999)),  # years said win
    ],
)
def test_a_recency_word_among_kind_words_names_the_newest_years(q, text, years):
    reading = read_query(q, Filters(), newest=2016)
    assert reading.q == text
    assert ((reading.filters.year_from, reading.filters.year_to) if reading.years else None) == years
    assert read_query(q, Filters()).years == read_years(q)[1]  # no newest year known: recency is not read


@pytest.mark.parametrize(
    "q, text, years",
    [
        ("old horror movies", "horror movies", (None, 1979)),  # stop 46: an era a fan names without years
        ("old movies", "", (None, 1979)),  # an era alone: a browse of its years
        ("vintage romance movies", "romance movies", (None, 1979)),
        ("old school action movies", "action movies", (1980, 1999)),
        ("modern classics", "classics", (1990, None)),
        ("Old School", "Old School", None),  # alone, an era word is a title
        ("the old man and the sea", "the old man and the sea", None),  # beside a topic, a word
        ("modern times", "modern times", None),
    ],
)
def test_an_era_word_among_kind_words_names_its_years(q, text, years):
    reading = read_query(q, Filters())
    assert reading.q == text
    assert ((reading.filters.year_from, reading.filters.year_to) if reading.years else None) == years


@pytest.mark.parametrize(
    "q, browse, by",
    [
        ("must see movies", True, "rating_weighted"),  # stop 46: the canon, of no kind: every film, by rating
        ("movies everyone has seen", True, "rating_weighted"),
        ("timeless classics", True, "rating_weighted"),
        ("best movies", True, "popularity"),
        ("modern classics", True, "rating_weighted"),  # years said too
        ("The Greatest", False, "popularity"),  # one such word alone is a title
        ("Good", False, "popularity"),
        ("classics", False, "rating_weighted"),
    ],
)
def test_a_query_asking_only_for_the_best_thought_of_browses_every_film(q, browse, by):
    reading = read_query(q, Filters())
    assert reading.browse is browse and reading.browse_by == by
    assert kind_clauses(reading) == []


def test_the_genre_lift_counts_the_share_of_named_genres_a_film_has():
    hits = [
        {"_id": "comedy", "_score": 0.5, "_source": {"genres": ["Comedy"]}},
        {"_id": "neither", "_score": 0.55, "_source": {"genres": ["Drama"]}},
        {"_id": "both", "_score": 0.4, "_source": {"genres": ["Horror", "Comedy"]}},
        {"_id": "none", "_score": 0.6, "_source": {}},
    ]
    lifted = {h["_id"]: h["_score"] for h in lift(hits, "genres", {"Horror", "Comedy"}, 0.2)}
    assert lifted == pytest.approx({"comedy": 0.6, "neither": 0.55, "both": 0.6, "none": 0.6})


@pytest.mark.parametrize(
    "q, beside",
    [("snake horror", True), ("alien comedy", True), ("horror comedy", False), ("spanish horror", False), ("gory horror", False), ("snake", False)],
)
def test_a_genre_beside_a_subject_is_one_half_of_the_query(q, beside):
    assert kind_beside_subject(q) is beside


def test_a_topics_lift_beside_a_genre_word_goes_to_the_films_of_the_genre():
    """ "alien comedy": the micro-genre "Alien" lifted Alien and Avatar above Men in Black; with
    ``kinds`` only its comedies earn the lift (and a film of no genre none)."""
    hits = [
        {"_id": "alien", "_score": 0.5, "_source": {"micro_genre_id": 1, "genres": ["Horror", "Science Fiction"]}},
        {"_id": "comedy", "_score": 0.4, "_source": {"micro_genre_id": 1, "genres": ["Comedy", "Science Fiction"]}},
        {"_id": "bare", "_score": 0.3, "_source": {"micro_genre_id": 1}},
    ]
    lifted = {h["_id"]: h["_score"] for h in lift(hits, "micro_genre_id", {1}, 0.15, kinds=frozenset({"Comedy"}))}
    assert lifted == pytest.approx({"alien": 0.5, "comedy": 0.55, "bare": 0.3})
    assert [h["_id"] for h in lift(hits, "micro_genre_id", {1}, 0.15)] == ["alien", "comedy", "bare"]  # no kinds: every film


def test_a_plot_length_query_leaves_the_title_out_of_its_bm25_text():
    from webapp.explore.search import KEYWORD_FIELDS, PLOT_FIELDS, text_query

    plot = "killer robot sent back from the future to murder the mother of the man who will lead the resistance"
    assert text_query(plot)["multi_match"]["fields"] == PLOT_FIELDS and not any(f.startswith("title") for f in PLOT_FIELDS)
    assert text_query("killer robot")["multi_match"]["fields"] == KEYWORD_FIELDS and "title^2" in KEYWORD_FIELDS


@pytest.mark.parametrize(
    "q, text",
    [
        ("AI", "artificial intelligence"),
        ("ai turns against humans", "artificial intelligence turns against humans"),
        ("A.I. movies", "artificial intelligence movies"),
        ("WWII resistance", "world war ii resistance"),
        ("ww1 trenches", "world war i trenches"),
        ("nyc romance", "new york city romance"),
        ("MCU", "marvel cinematic universe"),
        ("rom-com in paris", "romantic comedy in paris"),  # beside a topic too (stop 52)
        ("Rom-Coms set in london", "romantic comedy set in london"),
        ("rom coms", "romantic comedy"),
        ("romcom", "romantic comedy"),
        ("said the maid", "said the maid"),  # letters inside a word are no abbreviation
        ("chai tea", "chai tea"),
    ],
)
def test_abbreviations_are_written_out_as_films_say_them(q, text):
    assert expand_abbreviations(q) == text
    assert read_query(q, Filters()).q == text


def test_ruling_a_genre_out_spares_the_films_made_for_families():
    from webapp.explore.intents import genre_clause, ruled_out_clause
    from webapp.explore.search import filter_clauses

    spares = {"bool": {"filter": [{"term": {"genres": "Horror"}}], "must_not": [{"terms": {"genres": ["Animation", "Family"]}}]}}
    assert ruled_out_clause(("Horror",)) == {"bool": {"must_not": [spares]}}
    assert ruled_out_clause(("Family",)) == {"bool": {"must_not": [{"term": {"genres": "Family"}}]}}
    assert genre_clause("Horror", ("Family", "Animation")) == spares  # one clause for "not horror" and a mood's rule-out
    reading = read_query("heartwarming summer camp", Filters())
    assert reading.filters.ruled_out == ("Horror",) and ruled_out_clause(("Horror",)) in filter_clauses(reading.filters)
    assert "ruled_out" not in reading.filters.as_args()  # read from the text each time, never a link's parameter
    shown = reading.filters.as_json()  # what the insight pages echo: every filter they offer, set or not
    assert shown["genre"] is None and "ruled_out" not in shown and "without" not in shown
    assert read_query("heartwarming summer camp", Filters(genre="Horror")).filters.ruled_out == ()  # the page's genre wins


@pytest.mark.parametrize(
    "q, text",
    [
        ("movies about grief", "grief"),
        ("a film about a dog", "a dog"),
        ("Films About friendship", "friendship"),
        ("about time", "about time"),  # a title, no phrase
        ("movies about", "movies about"),  # nothing after it
        ("zombie movies about survival", "zombie movies about survival"),  # only a leading phrase
    ],
)
def test_a_leading_movies_about_leaves_the_text(q, text):
    """... and marks a topic: its words are no title (``Reading.about``, read by ``search.keyword_query``)."""
    reading = read_query(q, Filters())
    assert reading.q == text and reading.about is (text != q)


def test_a_query_about_a_topic_searches_no_title():
    """ "movies about dogs" had Reservoir Dogs third: the title clauses scored it. A topic's words
    still match every field BM25 reads, titles among them."""
    about, bare = (keyword_query("dogs", about=flag) for flag in (True, False))
    assert "title.keyword" in json.dumps(bare) and "title.keyword" not in json.dumps(about)
    assert '"title^2"' in json.dumps(about)


@pytest.mark.parametrize(
    "q, text, genres",
    [
        ("movies that make you cry", "sad movies", ("Drama",)),  # not "cry" (The Crying Game)
        ("a film that made me cry", "a sad film", ("Drama",)),
        ("films to cry to", "films to cry to", ()),
        ("date night movie", "romantic movie", ("Romance",)),
        ("girls night movie", "romantic comedy movie", ("Romance", "Comedy")),  # stop 46: not Unfriended, Mama
        ("chick flicks", "romantic comedy", ("Romance", "Comedy")),
        ("edge of your seat thriller", "suspenseful thriller", ("Thriller",)),
        ("edge-of-your-seat heist", "suspenseful heist", ("Thriller",)),
        ("laugh out loud comedy", "hilarious comedy", ("Comedy",)),
        ("comfort movie", "comforting movie", ("Comedy", "Family")),
        ("something light and fun", "something lighthearted", ("Comedy", "Family")),
        ("something light and funny", "something lighthearted", ("Comedy", "Family")),
        ("movies that make you think", "thought-provoking movies", ()),  # a tone (stop 52), not "think"
        ("a film that made me think", "a thought-provoking film", ()),
        ("comfort women", "comfort women", ()),  # "comfort" names a mood only before "movie"
        ("the night of the date", "the night of the date", ()),
        ("cry freedom", "cry freedom", ()),  # a title, no phrase
    ],
)
def test_everyday_mood_phrasings_are_read_as_the_mood_words_the_search_knows(q, text, genres):
    reading = read_query(q, Filters())
    assert reading.q == text and reading.genres == genres


@pytest.mark.parametrize(
    "q, text, genres",
    [
        ("whodunit", "murder mystery", ("Mystery",)),  # no film carries "whodunit"
        ("creature features", "monster horror", ("Horror",)),  # not Beautiful Creatures, Heavenly Creatures
        ("80s tearjerker", "sad", ("Drama",)),  # the decade becomes the year filter, as after the name
        ("weepies", "sad", ("Drama",)),
        ("sword and sandal epics", "ancient world epic", ()),
        ("tearjerkers from the 80s", "sad", ("Drama",)),
        ("tearjerker dying lover", "tearjerker dying lover", ("Drama",)),  # beside a topic the word stays: the vector knows it
        ("whodunit murder mystery", "whodunit murder mystery", ("Mystery",)),
        ("legal thriller", "courtroom thriller", ("Thriller",)),
        ("techno-thriller", "hacker thriller", ("Thriller",)),
        ("caper", "heist", ()),
        ("caper comedy", "caper comedy", ("Comedy",)),  # beside another word the name stays
        ("weepy romance", "weepy romance", ("Drama", "Romance")),
        ("best whodunits", "best murder mystery", ("Mystery",)),
        ("legally blonde", "legally blonde", ()),  # a title: no whole jargon word in it
        ("caper-loving kid", "caper-loving kid", ()),  # one word, no caper
    ],
)
def test_a_fans_name_for_a_kind_of_film_is_searched_in_tmdbs_words(q, text, genres):
    reading = read_query(q, Filters())
    assert reading.q == text and reading.genres == genres


def test_a_fans_name_is_read_after_what_the_query_does_not_want():
    reading = read_query("whodunits without gore", Filters())
    assert reading.q == "murder mystery" and reading.filters.without == ("gore",)


@pytest.mark.parametrize(
    "q, text, unwanted",
    [
        ("action movies without superheroes", "action movies", ("superheroes",)),
        ("crime movies with no drugs or guns", "crime movies", ("drugs", "guns")),
        ("animated movies that aren't for kids", "animated movies", ("for kids",)),
        ("zombie movies that are not horror", "zombie movies", ("horror",)),
        ("superhero movies not marvel", "superhero movies", ("marvel",)),
        ("war movies not about world war 2", "war movies", ("world war ii",)),
        ("horror films without gore scenes", "horror films", ("gore",)),
        ("vampire movies, but not twilight", "vampire movies", ("twilight",)),
        # everyday forms (stop 48): a bare "not" or "no" after a comma, a bare "no" after the kind, "not too"
        ("scary movies, not gory", "scary movies", ("gory",)),
        ("comedies, no romance", "comedies", ("romance",)),
        ("thrillers, no murder", "thrillers", ("murder",)),
        ("horror movies no gore", "horror movies", ("gore",)),
        ("horror movies not too gory", "horror movies", ("gory",)),
        ("war movies, not ww2", "war movies", ("world war ii",)),
        ("non-horror zombie movies", "zombie movies", ("horror",)),  # "non-" before a genre, tone or studio word
        ("non animated family movies", "family movies", ("animated",)),
        ("non-marvel superhero movies", "superhero movies", ("marvel",)),
        ("nonviolent protest films", "protest films", ("violent",)),
        ("Non-Stop", "Non-Stop", ()),  # a title; "stop" names no kind of film
        ("non-stop action movies", "non-stop action movies", ()),
        ("nonlinear storyline", "nonlinear storyline", ()),
        # titles stay titles: a negation first, before an article or a pronoun, or a bare "not" after no kind
        ("Rebel Without a Cause", "Rebel Without a Cause", ()),
        ("Without a Paddle", "Without a Paddle", ()),
        ("No Country for Old Men", "No Country for Old Men", ()),
        ("My Life Without Me", "My Life Without Me", ()),
        ("The World Is Not Enough", "The World Is Not Enough", ()),
        ("Safety Not Guaranteed", "Safety Not Guaranteed", ()),
        ("Alexander and the Terrible, Horrible, No Good, Very Bad Day", "Alexander and the Terrible, Horrible, No Good, Very Bad Day", ()),
        ("movies no one saw coming", "movies no one saw coming", ()),
        # a plot is no kind of film: its "with no" describes the story
        (
            "friends wake up in Las Vegas after a bachelor party with no memory",
            "friends wake up in Las Vegas after a bachelor party with no memory",
            (),
        ),
    ],
)
def test_what_a_query_does_not_want_leaves_its_text_for_the_filters(q, text, unwanted):
    reading = read_query(q, Filters())
    assert (reading.q, reading.filters.without) == (text, unwanted)
    assert reading.intents()["without"] == list(unwanted)
    assert "without" not in reading.filters.as_args()  # read from the text each time, never a link's parameter


def test_the_without_clause_leaves_out_genres_studios_tones_and_the_phrase():
    clauses = without_clause(("horror",))["bool"]["must_not"]
    assert clauses == [{"bool": {"filter": [{"term": {"genres": "Horror"}}], "must_not": [{"terms": {"genres": list(LIGHTER_GENRES["Horror"])}}]}}]
    marvel = without_clause(("marvel",))["bool"]["must_not"]
    assert {"match_phrase": {"companies.text": "marvel"}} in marvel and any("multi_match" in c for c in marvel)
    gore = without_clause(("gore",))["bool"]["must_not"]
    assert {"term": {"keywords": "slasher"}} in gore  # the Gory tone's evidence, not only the word
    kids = without_clause(("for kids",))["bool"]["must_not"]
    assert kids[0] == {"term": {"genres": "Family"}} and not any("multi_match" in c for c in kids)
    gory = without_clause(("gory",))["bool"]["must_not"]  # a tone, though a scary word too: no genre left out
    assert {"term": {"keywords": "slasher"}} in gory and not any("genres" in str(c) for c in gory)
    assert without_clause(("scary",))["bool"]["must_not"][0]["bool"]["filter"] == [{"term": {"genres": "Horror"}}]
    assert without_clause(("superheroes",))["bool"]["must_not"] == [
        {"multi_match": {"query": "superheroes", "type": "phrase", "fields": ["title", "keywords.text", "micro_genre.text", "overview"]}}
    ]


@pytest.mark.parametrize(
    "q, studios, genres",
    [
        ("pixar movies", ("Pixar",), ()),
        ("studio ghibli films", ("Studio Ghibli",), ()),
        ("dreamworks animation", ("DreamWorks",), ("Animation",)),
        ("blumhouse horror", ("Blumhouse",), ("Horror",)),
        ("hammer horror films", ("Hammer Films",), ("Horror",)),
        ("disney's animated movies", ("Disney",), ("Animation",)),
        ("a24 movies", ("A24",), ()),
    ],
)
def test_a_query_naming_a_studio_browses_its_films(q, studios, genres):
    reading = read_query(q, Filters())
    assert (reading.scale, reading.genres, reading.browse) == (studios, genres, True)
    assert {"match_phrase": {"companies.text": STUDIOS[studios[0]][0]}} in kind_clauses(reading)


@pytest.mark.parametrize("q", ["thor's hammer", "universal soldier", "the hammer", "legendary heroes"])
def test_a_word_a_studio_is_named_by_is_no_studio_elsewhere(q):
    assert read_query(q, Filters()).scale == ()


def test_no_film_title_is_read_as_what_a_query_does_not_want(settings):
    """Each title of the catalogue typed alone stays a title: the negation reads "Rebel Without a
    Cause", "The World Is Not Enough" or "Alexander and the Terrible, Horrible, No Good, Very Bad Day"
    as nothing a visitor wants left out (stop 48 read a bare "not" / "no" after a comma)."""
    movies = load_movies(settings.movies_csv).movies
    read = {m.title: read_query(m.title, Filters()).filters.without for m in movies}
    assert len(read) > 4000 and {t: w for t, w in read.items() if w} == {}
