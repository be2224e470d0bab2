"""The discovery flows in headless Chromium, at desktop and phone widths (``page`` fixture):
landing rows, likes -> "More like these", a micro-genre paged through, the movie map, Trends for
one macro theme, and axe-core (axe-playwright-python) on every page: 0 serious or critical
violations. Expectations come from the index (the taxonomy changes between runs), never from
hard-coded ids or labels.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe

from webapp.discover.data import PAGE_SIZE

AXE = Axe()
CHARTS_DRAWN = "() => [...document.querySelectorAll('[data-chart]')].every(n => n.querySelector('.main-svg'))"


def get_json(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path) as resp:
        return json.load(resp)


def assert_accessible(page) -> None:
    """axe-core's serious and critical findings must be empty."""
    results = AXE.run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


def card_ids(scope) -> list[int]:
    """Film ids of the cards inside the locator ``scope``, in order."""
    hrefs = scope.locator("a.open").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [int(h.split("movie=")[1].split("#")[0].split("&")[0]) for h in hrefs]


def test_landing_has_search_rows_and_surprise(page, live_server):
    page.goto(live_server + "/")
    landing = get_json(live_server, "/api/landing")
    assert page.locator("form[role=search] input[name=q]").is_visible()
    rows = page.locator(".browse-row")
    assert rows.count() == len(landing["rows"]) >= 3
    first = landing["rows"][0]
    assert rows.first.locator("h2 a").get_attribute("href") == first["href"]
    assert card_ids(page.locator(".browse-row").first) == [f["id"] for f in first["films"]]
    page.screenshot_as("discover-landing")
    assert_accessible(page)
    # The whole card opens the film: click the poster, not the title.
    film = first["films"][0]
    poster = page.locator(".browse-row").first.locator(".film .poster").first
    poster.scroll_into_view_if_needed()
    box = poster.bounding_box()  # a real click on the poster's middle, whatever element takes it
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"**/explore?movie={film['id']}*")
    assert page.locator("#detail-title").inner_text().startswith(film["title"])
    page.goto(live_server + "/surprise")
    assert "/micro-genres/" in page.url
    micro_id = int(page.url.split("/micro-genres/")[1].split("?")[0])
    assert micro_id in landing["surprise"]


def test_like_three_films_and_get_recommendations(page, live_server):
    page.goto(live_server + "/")
    row = page.locator(".browse-row").first
    hearts = row.locator("button.heart")
    liked = card_ids(page.locator(".browse-row").first)[:3]
    for i in range(3):
        hearts.nth(i).click()
        assert hearts.nth(i).get_attribute("aria-pressed") == "true"
    assert page.locator("[data-likes-count]").inner_text() == "(3)"
    page.click("[data-likes-link]")
    page.wait_for_url("**/likes?ids=*")
    assert page.url.endswith("ids=" + ",".join(map(str, liked)))
    assert card_ids(page.locator("section[aria-labelledby=liked-heading]")) == liked
    recommended = card_ids(page.locator(".recommendations"))
    assert len(recommended) >= 10 and not set(recommended) & set(liked)
    api = urllib.request.Request(
        live_server + "/api/recommend", data=json.dumps({"liked": liked, "size": 12}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(api) as resp:
        rows = json.load(resp)["rows"]
    assert page.locator(".recommendations .browse-row").count() == len(rows)
    page.screenshot_as("discover-likes")
    assert_accessible(page)
    # Unliking from the likes page updates the stored list.
    page.locator("section[aria-labelledby=liked-heading] button.heart").first.click()
    assert page.locator("[data-likes-count]").inner_text() == "(2)"


def test_shared_likes_url_shows_the_list_in_a_fresh_browser(browser, live_server):
    ids = [f["id"] for f in get_json(live_server, "/api/landing")["rows"][0]["films"][:2]]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/likes?ids={ids[0]},{ids[1]}")
    assert card_ids(page.locator("section[aria-labelledby=liked-heading]")) == ids
    assert page.locator(".recommendations .film").count() >= 10
    context.close()


def test_micro_genre_pages_through_all_its_films(page, live_server):
    micros = get_json(live_server, "/api/micro-genres?size=100")["results"]
    micro = min((m for m in micros if m["size"] > PAGE_SIZE), key=lambda m: m["size"])  # at least two pages
    page.goto(f"{live_server}/micro-genres/{micro['id']}")
    assert page.locator("h1").inner_text() == micro["label"]
    assert page.locator(".evidence li").count() >= 1
    assert "% here" in page.locator(".evidence li").first.inner_text()
    assert page.locator(".neighbours li").count() >= 1
    page.screenshot_as("discover-micro-genre")
    assert_accessible(page)
    seen: list[int] = []
    while True:
        seen += card_ids(page.locator(".film-grid"))
        nxt = page.locator(".pager a[rel=next]")
        if not nxt.count():
            break
        nxt.click()
        page.wait_for_load_state()
    assert len(seen) == len(set(seen)) == micro["size"]
    page.click(".sorts a.sort:has-text('Rating')")
    page.wait_for_url("**sort=rating**")
    shown = page.locator(".film-grid .rating").all_inner_texts()  # "★ 7.9", or "not enough votes"
    ratings = [float(t.split("★")[1]) for t in shown if "★" in t]
    assert ratings and ratings == sorted(ratings, reverse=True)
    assert shown[: len(ratings)] == [t for t in shown if "★" in t]  # a film too little voted on comes after the rated ones


FIND_ISOLATED_POINT = """() => {
  const gd = document.getElementById('movie-map');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
  const pts = [];
  gd._fullData.forEach(t => t.x.forEach((x, i) => pts.push({x: xa._offset + xa.l2p(x), y: ya._offset + ya.l2p(t.y[i]), id: t.customdata[i][0]})));
  // inside the plot, clear of the legend, and on screen: a point below the fold takes no hover
  const inside = pts.filter(p => p.x > 20 && p.y > 20 && p.x < box.width - 260 && p.y < box.height - 20
                            && box.top + p.y < window.innerHeight - 20);
  let best = null, bestGap = -1;
  for (const p of inside) {
    let gap = Infinity;
    for (const q of pts) { if (q !== p) gap = Math.min(gap, Math.hypot(p.x - q.x, p.y - q.y)); }
    if (gap > bestGap) { bestGap = gap; best = p; }
  }
  return {x: box.left + best.x, y: box.top + best.y, id: best.id, gap: bestGap, total: pts.length};
}"""


def test_map_click_opens_the_film(page, live_server):
    data = get_json(live_server, "/api/map")
    page.goto(live_server + "/map")
    page.wait_for_selector("#movie-map[data-ready=true]")
    target = page.evaluate(FIND_ISOLATED_POINT)
    assert target["total"] == data["count"] == len(data["id"])
    page.screenshot_as("discover-map")
    assert_accessible(page)
    page.mouse.move(target["x"], target["y"])
    title = data["title"][data["id"].index(target["id"])]
    page.wait_for_function("t => document.querySelector('#movie-map .hoverlayer').textContent.includes(t)", arg=title)
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url(f"**/explore?movie={target['id']}*")
    assert page.locator("#detail-title").inner_text().startswith(title)


def test_map_highlights_search_results(page, live_server):
    page.goto(live_server + "/map?q=boxing")
    page.wait_for_selector("#movie-map[data-ready=true]")
    found = get_json(live_server, "/api/search?size=100&q=boxing")["results"]
    highlighted = page.evaluate("() => document.getElementById('movie-map')._fullData.find(t => t.name === 'Search results').x.length")
    assert highlighted == len(found) > 0
    assert str(len(found)) in page.locator("#map-status").inner_text()


def test_trends_for_one_macro_theme_splits_it_into_micro_genres(page, live_server):
    catalog = get_json(live_server, "/api/trends")["catalog"]
    counts: dict[str, int] = {}
    for m in catalog["micros"].values():
        counts[m["macro"]] = counts.get(m["macro"], 0) + 1
    macro = max(counts, key=counts.get)
    macro_id = next(m["id"] for m in catalog["macros"] if m["name"] == macro)  # `macro` is an id in every URL
    data = get_json(live_server, f"/api/trends?macro={macro_id}")
    assert data["groups"] == "micro"
    names = {s["name"] for s in data["shares"]["macro"]["by_decade"]["series"]}
    # a macro theme is each film's own: its micro-genres are those with films under it
    tree = get_json(live_server, f"/api/overview?macro={macro_id}")["treemap"]["children"]
    assert len(names) > 1 and names <= {c["name"] for m in tree for c in m["children"]}
    shift = next(f for f in data["insights"] if f["title"].endswith("over time"))
    if "gained" in shift["numbers"] and "lost" in shift["numbers"]:
        assert shift["numbers"]["gained"]["name"] != shift["numbers"]["lost"]["name"]
    page.goto(live_server + f"/trends?macro={macro_id}")
    page.wait_for_function(CHARTS_DRAWN)
    assert "micro-genre" in page.locator("#macro-shares").locator("xpath=..").locator("h2").inner_text()
    assert page.locator("#macro-shares .scatterlayer .trace").count() == len(data["shares"]["stacked"]["by_decade"]["series"]) > 1
    assert page.locator("[data-chart=heatmap] .main-svg").count() >= 1
    page.screenshot_as("discover-trends-one-theme")
    assert_accessible(page)


def _slug(path: str) -> str:
    return path.strip("/").replace("?", "-").replace("=", "-")


@pytest.mark.parametrize("path", ["/explore", "/explore?q=heist", "/overview", "/trends", "/about-model", "/likes"], ids=_slug)
def test_other_pages_pass_axe(page, live_server, path):
    page.goto(live_server + path)
    if page.locator("[data-chart]").count():
        page.wait_for_function(CHARTS_DRAWN)
    page.screenshot_as("page")  # named page-<width>-<path>.png by the fixture
    assert_accessible(page)


def test_film_panel_has_heart_why_and_rated_similar_films(page, live_server):
    landing = get_json(live_server, "/api/landing")
    film = landing["rows"][0]["films"][0]
    page.goto(f"{live_server}/explore?movie={film['id']}#detail")
    heart = page.locator("#detail button.heart")
    heart.click()
    assert heart.get_attribute("aria-pressed") == "true"
    why = get_json(live_server, f"/api/movies/{film['id']}/why")
    if why["shared"]:
        page.wait_for_function("() => document.querySelector('[data-why]').textContent.includes('Why')")
        assert why["shared"][0]["phrase"] in page.locator("[data-why]").inner_text()
    assert all("★" in t for t in page.locator(".similar li").all_inner_texts())
    assert_accessible(page)
    # Keyboard: the skip link is the first Tab stop and leads past the filters to the results.
    page.goto(f"{live_server}/explore?q=heist")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the results"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first = page.locator(".cards a.open").first.get_attribute("href")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
