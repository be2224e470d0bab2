"""The explorer in headless Chromium (desktop and phone): search, open a movie, follow a chip.

The ``page`` fixture fails any test that logs a console error.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

PHONE_MAX = 760  # explore.css: up to this width, a card drops the shelf name


def _overlap(a: dict | None, b: dict | None) -> bool:
    """Do two ``bounding_box`` rectangles share any area?"""
    if not a or not b:
        return False
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_search_open_movie_and_follow_micro_genre(page, live_server):
    page.goto(f"{live_server}/explore")
    expect(page.locator(".cards .movie").first).to_be_visible()  # browsing before any query
    page.screenshot_as("explore-browse")

    page.fill("#q", "astronaut stranded on mars grows potatoes")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=astronaut"))
    first = page.locator(".cards .movie").first
    expect(first.locator("h3")).to_have_text("The Martian")
    expect(page.locator(".toolbar .summary")).to_contain_text("hybrid")
    expect(first.locator(".heart")).to_be_visible()
    page.screenshot_as("explore-results")
    shelves = [(c.locator(".heart").bounding_box(), c.locator(".poster .macro").bounding_box()) for c in page.locator(".cards .movie").all()[:4]]
    assert not any(_overlap(heart, shelf) for heart, shelf in shelves)  # the shelf name stays readable
    assert any(shelf for _, shelf in shelves) == (page.viewport_size["width"] > PHONE_MAX)  # a phone card has no room for it

    first.locator("a.open").click()
    detail = page.locator("#detail")
    expect(detail.locator("h2")).to_have_text("The Martian")
    expect(detail.locator(".similar li")).to_have_count(6)
    state = parse_qs(urlparse(page.url).query)
    assert state["movie"] == ["286217"] and state["q"] == ["astronaut stranded on mars grows potatoes"]
    page.screenshot_as("explore-detail")

    chip = detail.locator("a.chip.micro")
    label = chip.inner_text()
    chip.click()
    page.wait_for_url(re.compile(r"/micro-genres/\d+$"))
    expect(page.locator("h1")).to_have_text(label)
    expect(page.locator(".neighbours li").first).to_be_visible()
    expect(page.locator(".film-grid .film").first).to_be_visible()  # every film of the micro-genre
    page.screenshot_as("micro-genre")


def test_mode_switch_and_facet_filter_keep_state_in_url(page, live_server):
    page.goto(f"{live_server}/explore?q=friendship+adventure")
    page.locator('.modes label:has-text("Keyword")').click()  # the script re-submits on change
    page.wait_for_url(re.compile(r"mode=keyword"))
    expect(page.locator(".toolbar .summary")).to_contain_text("keyword")
    total_before = int(page.locator(".toolbar .summary").inner_text().split()[0].replace(",", ""))

    if page.locator("#filters:not([open]) > summary").count():
        page.locator("#filters > summary").click()  # folded on phones
    page.locator('.facet a:text-is("Animation")').click()
    page.wait_for_url(re.compile(r"genre=Animation"))
    state = parse_qs(urlparse(page.url).query)
    assert state["mode"] == ["keyword"] and state["q"] == ["friendship adventure"]
    total_after = int(page.locator(".toolbar .summary").inner_text().split()[0].replace(",", ""))
    assert 0 < total_after < total_before
    expect(page.locator(".active-filter")).to_contain_text("Animation")
    page.screenshot_as("explore-filtered")

    page.goto(page.url)  # the shared URL reproduces the same view
    expect(page.locator('.modes input[value="keyword"]')).to_be_checked()
    expect(page.locator(".active-filter")).to_contain_text("Animation")


def test_keyboard_only_search_and_pagination(page, live_server):
    page.goto(f"{live_server}/explore?mode=keyword")  # keyword mode pages through every match
    # The search box has focus on an empty explorer; Chromium applies autofocus after load,
    # so wait for it rather than typing into nothing.
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("space")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=space"))
    nxt = page.locator('.pager a[rel="next"]')
    nxt.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator('.pager span[aria-current="page"]')).to_have_text("2")
    expect(page.locator(".cards")).to_have_attribute("start", "21")


def test_filter_and_sort_on_a_theme_keep_on_topic_films_on_top(page, live_server, os_client, live_index):
    """zombies + Comedy + 2000 or later, sorted by rating: the top cards are zombie films, rated with votes."""
    page.goto(f"{live_server}/explore?q=zombies&genre=Comedy&year_from=2000")
    page.locator('select[name="sort"]').select_option("rating")  # the script re-submits on change
    page.wait_for_url(re.compile(r"sort=rating"))
    cards = page.locator(".cards .movie")
    expect(cards.first).to_be_visible()
    titles = cards.locator("h3").all_inner_texts()[:5]
    docs = os_client.search(
        index=live_index.index_alias, body={"size": 5, "_source": ["title", "keywords", "overview"], "query": {"terms": {"title.raw": titles}}}
    )["hits"]["hits"]
    on_topic = [d["_source"]["title"] for d in docs if "zombie" in d["_source"]["keywords"] or "zombie" in d["_source"]["overview"].lower()]
    assert len(titles) >= 3 and len(on_topic) >= len(titles) - 1, (titles, on_topic)
    expect(cards.first.locator(".votes")).to_contain_text("votes")
    ratings = [float(t.split()[1]) for t in cards.locator(".rating:not(.unrated)").all_inner_texts()]
    assert ratings == sorted(ratings, reverse=True)
    page.screenshot_as("explore-theme-sorted")


def test_nonsense_shows_a_helpful_empty_state(page, live_server):
    page.goto(f"{live_server}/explore?q=qwxzv")
    empty = page.locator(".empty")
    expect(empty).to_contain_text("No film is a close enough match")
    expect(empty.locator('a[href="/explore"]')).to_be_visible()
    page.screenshot_as("explore-empty")


def test_picking_a_suggested_title_shows_films_like_it(page, live_server):
    page.goto(f"{live_server}/explore")
    page.locator("#q").press_sequentially("incepti", delay=30)
    expect(page.locator("#title-suggest option").first).to_have_attribute("value", "Inception")
    # Choosing a datalist option replaces the text (inputType insertReplacementText).
    page.evaluate("""() => { const q = document.getElementById('q'); q.value = 'Inception';
        q.dispatchEvent(new InputEvent('input', {inputType: 'insertReplacementText', bubbles: true})); }""")
    page.wait_for_url(re.compile(r"movie=27205"))
    expect(page.locator(".like-banner")).to_contain_text("Films like Inception")
    expect(page.locator("#detail h2")).to_have_text("Inception")
    titles = page.locator(".cards .movie h3").all_inner_texts()
    assert titles[0] == "Inception" and "Inception" not in titles[1:]  # the film itself, then the films like it
