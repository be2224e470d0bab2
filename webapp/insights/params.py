"""The Trends page's own knobs, on top of the shared ``webapp.api.params.Filters``.

The URL is the page state (shareable links), so every parameter is validated here and a bad
one becomes a 400 ``{"error", "field"}`` before any aggregation runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from webapp.api.errors import ApiError
from webapp.api.params import MAX_MICRO_ID, YEAR_MAX, YEAR_MIN, Filters, number_arg, parse_filters

MAX_PICKED = 10  # more lines than this on one share chart are unreadable
DEFAULT_SPLIT = 2000
DEFAULT_CLOUD_DECADE = 1980
DEFAULT_MIN_SUPPORT = 15


@dataclass(frozen=True)
class TrendsParams:
    """Frozen and hashable: the parsed parameters are themselves the page's cache key."""

    filters: Filters
    split: int
    min_support: int
    micro: tuple[int, ...] = ()  # empty: pick growers/decliners
    cloud_decade: int | None = None
    cloud_micro: int | None = None


INSIGHT_FIELDS = ("year_from", "year_to", "macro")  # the Filters the insight pages offer
TRENDS_FIELDS = INSIGHT_FIELDS + ("split", "min_support", "micro", "cloud_decade", "cloud_micro")


def _default_split(filters: Filters) -> int:
    """2000 when it cuts the selected range in two, else the range's middle year."""
    lo = filters.year_from if filters.year_from is not None else YEAR_MIN
    hi = filters.year_to if filters.year_to is not None else YEAR_MAX
    if lo < DEFAULT_SPLIT <= hi:
        return DEFAULT_SPLIT
    return (lo + hi + 1) // 2


def _default_cloud_decade(filters: Filters) -> int:
    """1980s (old enough to differ from today) clamped into the selected range's decades."""
    lo = (filters.year_from // 10 * 10) if filters.year_from is not None else YEAR_MIN
    hi = (filters.year_to // 10 * 10) if filters.year_to is not None else YEAR_MAX
    return min(max(DEFAULT_CLOUD_DECADE, lo), hi)


def parse_trends(args: Mapping[str, str]) -> TrendsParams:
    """Filters plus the trend page's own knobs (split year, support, picked micro-genres, cloud focus)."""
    filters = parse_filters(args)
    split = number_arg(args, "split", YEAR_MIN, YEAR_MAX)
    if split is None:
        split = _default_split(filters)
    else:
        lo, hi = filters.year_from, filters.year_to
        if (lo is not None and split <= lo) or (hi is not None and split > hi):
            raise ApiError(f"split ({split}) must fall inside the year range, after year_from", field="split")
    min_support = number_arg(args, "min_support", 1, 10_000, default=DEFAULT_MIN_SUPPORT)
    micro = _int_list(args.get("micro", ""), "micro")
    cloud_decade = number_arg(args, "cloud_decade", YEAR_MIN // 10 * 10, YEAR_MAX)
    cloud_micro = number_arg(args, "cloud_micro", 0, MAX_MICRO_ID)
    if cloud_decade is not None and cloud_micro is not None:
        raise ApiError("give cloud_decade or cloud_micro, not both", field="cloud_micro")
    if cloud_decade is not None:
        if cloud_decade % 10:
            raise ApiError(f"cloud_decade must be a decade such as 1980, got {cloud_decade}", field="cloud_decade")
        lo, hi = filters.year_from, filters.year_to
        if (lo is not None and cloud_decade + 9 < lo) or (hi is not None and cloud_decade > hi):
            raise ApiError(f"cloud_decade ({cloud_decade}s) is outside the year range", field="cloud_decade")
    if cloud_decade is None and cloud_micro is None:
        cloud_decade = _default_cloud_decade(filters)
    return TrendsParams(
        filters=filters,
        split=split,
        min_support=min_support,
        micro=micro,
        cloud_decade=cloud_decade,
        cloud_micro=cloud_micro,
    )


def _int_list(raw: str, name: str) -> tuple[int, ...]:
    """Comma-separated micro-genre ids, de-duplicated in order."""
    values: list[int] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        if not part.isdigit() or int(part) > MAX_MICRO_ID:
            raise ApiError(f"{name} must be comma-separated micro-genre ids, got {part[:40]!r}", field=name)
        if int(part) not in values:
            values.append(int(part))
    if len(values) > MAX_PICKED:
        raise ApiError(f"{name}: at most {MAX_PICKED} micro-genres at once", field=name)
    return tuple(values)
