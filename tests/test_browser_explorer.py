"""The explorer in headless Chromium (desktop and phone): search, open a movie, follow a chip.

The ``page`` fixture fails any test that logs a console error.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect


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
    page.screenshot_as("explore-results")

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
    page.goto(f"{live_server}/explore")
    # The search box has focus on an empty explorer; Chromium applies autofocus after load,
    # so wait for it rather than typing into nothing.
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("heist")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=heist"))
    nxt = page.locator('.pager a[rel="next"]')
    nxt.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator('.pager span[aria-current="page"]')).to_have_text("2")
    expect(page.locator(".cards")).to_have_attribute("start", "21")

