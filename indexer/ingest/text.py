"""Compose the text that represents a movie for embedding and labelling.

TMDB keywords mix themes ("time travel") with bookkeeping about the production
("duringcreditsstinger", "woman director", "3d", "based on novel"). Bookkeeping says nothing
about what a movie is about, so it pulls unrelated movies together and leaks into labels:
it is dropped here, once, for the embedding text and for the indexed ``keywords``.
"""

from __future__ import annotations

from indexer.ingest.load import Movie

BOOKKEEPING = frozenset(
    {
        "duringcreditsstinger",
        "aftercreditsstinger",
        "woman director",
        "independent film",
        "3d",
        "imax",
        "sequel",
        "prequel",
        "remake",
        "reboot",
        "cgi",
        "nudity",
        "female nudity",
        "male nudity",
        "frontal nudity",
        "sex",
        "anime",
        "live action remake",
        "short",
        "silent film",
        "black and white",
        "stop motion",
        "non-fiction",
        "film",
        "movie",
        "director",
        "no opening credits",
        "montage",
        "title spoken by character",
    }
)


def is_bookkeeping(keyword: str) -> bool:
    """True for production metadata ("based on novel", "sequel") rather than a theme."""
    key = keyword.strip().lower()
    return key in BOOKKEEPING or key.startswith("based on ") or key.endswith(" remake")


def _lowered(keywords: tuple[str, ...] | list[str]) -> list[str]:
    """The non-empty keywords, stripped and lower-cased, in TMDB order, once each."""
    return list(dict.fromkeys(key for k in keywords if (key := k.strip().lower())))


def theme_keywords(keywords: tuple[str, ...] | list[str]) -> list[str]:
    """Keywords that describe the story, lower-cased, in TMDB order, without duplicates."""
    return [k for k in _lowered(keywords) if not is_bookkeeping(k)]


def production_keywords(keywords: tuple[str, ...] | list[str]) -> list[str]:
    """The bookkeeping keywords ``theme_keywords`` drops, lower-cased, once each: no theme, but
    facts a visitor asks for by name ("indie dramas": TMDB's "independent film")."""
    return [k for k in _lowered(keywords) if is_bookkeeping(k)]


def embedding_text(movie: Movie) -> str:
    """Tagline, overview and theme keywords: what the movie is about, in one string.

    The title is left out on purpose. Title words pulled unrelated films together ("Ocean's
    Eleven" next to shark films, "Reservoir Dogs" leading a pet-dog group); titles stay
    searchable through the BM25 title fields instead.
    """
    parts = []
    if movie.tagline:
        parts.append(movie.tagline)
    parts.append(movie.overview)
    keywords = theme_keywords(movie.keywords)
    if keywords:
        parts.append("Themes: " + ", ".join(keywords) + ".")
    return " ".join(parts)


def grounding_text(movie: Movie) -> str:
    """Where a label keyword must occur to count as grounded: overview, tagline, theme keywords.

    Fields are joined with " | " so a phrase never matches across two fields.
    """
    return " | ".join([movie.overview, movie.tagline, *theme_keywords(movie.keywords)])
