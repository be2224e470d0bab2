"""Landing, Overview, Trends and About the model in headless Chromium: every chart draws, no console errors.

The ``page`` fixture runs each test at desktop and phone widths, fails on any console error and
saves screenshots under artifacts/screenshots/.
"""

from __future__ import annotations

import json
import urllib.request

ALL_CHARTS_DRAWN = "() => [...document.querySelectorAll('[data-chart]')].every(n => n.querySelector('.main-svg'))"


def open_page(page, url: str) -> int:
    """Load ``url``; wait until every ``[data-chart]`` holds Plotly's SVG; return the chart count."""
    response = page.goto(url)
    assert response.status == 200
    page.wait_for_selector(".js-plotly-plot .main-svg")
    page.wait_for_function(ALL_CHARTS_DRAWN)
    return page.locator("[data-chart]").count()


def test_landing_renders_and_links_examples_into_the_app(page, live_server):
    assert open_page(page, live_server + "/") == 1  # films per macro theme
    page.screenshot_as("insights-landing")
    first = page.locator(".mg-list .mg").first
    assert first.locator("a.mg-name").get_attribute("href").startswith("/micro-genres/")
    assert first.locator("a.mg-explore").get_attribute("href").startswith("/explore?micro_genre=")
    assert page.locator(".kpis .kpi").count() == 6


def test_overview_renders_treemap_and_leaves_diagnostics_to_about_the_model(page, live_server):
    assert open_page(page, live_server + "/overview") == 1
    assert page.locator(".kpis .kpi").count() == 4
    assert "silhouette" not in page.locator("main").inner_text().lower()
    page.screenshot_as("insights-overview")


def test_about_the_model_shows_the_diagnostics_and_the_held_out_fan_check(page, live_server):
    with urllib.request.urlopen(live_server + "/api/overview") as resp:
        overview = json.load(resp)
    held = overview["head_check"]["held_out"]  # every run on the TMDB data checks the famous films
    behind = overview["catalogue_check"]["held_out"]  # and the judged films behind them
    assert page.goto(live_server + "/about-model").status == 200 and page.locator("[data-chart]").count() == 0
    text = page.locator(".kpis").inner_text().lower()
    assert "silhouette" in text and "label fit" in text
    row = page.locator("table.head-check tbody tr").first.inner_text()
    assert row.startswith(f"held out ({held['films']})") and f"{held['macro_fit'] * 100:.0f}%" in row
    assert f"accepts the name {behind['fit'] * 100:.0f}% of the films in the held-out half" in page.locator("main").inner_text()
    page.screenshot_as("insights-about-model")


def test_trends_renders_all_its_charts(page, live_server):
    assert open_page(page, live_server + "/trends") == 5  # macro/micro shares, heatmap, growth, scatter
    assert page.locator(".insights li").count() == 5
    assert page.locator(".wordcloud .word").count() >= 5
    page.screenshot_as("insights-trends")


def test_overview_ranking_opens_top_movies(page, live_server):
    open_page(page, live_server + "/overview")
    first = page.locator(".ranking details").first
    first.locator("summary").click()
    assert first.locator(".films li").count() >= 1
    assert page.locator("[data-chart=treemap] .main-svg").count() >= 1


def test_trends_filters_live_in_the_url(page, live_server):
    open_page(page, live_server + "/trends")
    page.fill("input[name=year_from]", "1980")
    page.fill("input[name=year_to]", "2009")
    page.click("form.filters button[type=submit]")
    page.wait_for_function(ALL_CHARTS_DRAWN)
    assert "year_from=1980" in page.url and "year_to=2009" in page.url
    heatmap = page.locator("[data-chart=heatmap]").inner_text()
    assert "1980s" in heatmap or "'80s" in heatmap  # phones use the short decade labels
    assert "2010s" not in heatmap and "'10s" not in heatmap
    page.screenshot_as("insights-trends-filtered")


def test_trends_granularity_toggle_redraws_by_year(page, live_server):
    open_page(page, live_server + "/trends")
    chart = page.locator("#macro-shares")
    assert "1990s" in chart.inner_text()
    page.click("button[data-toggle=macro-shares][data-granularity=by_year]")
    page.wait_for_function("() => document.querySelector('#macro-shares').dataset.granularity === 'by_year'")
    assert "1990s" not in chart.inner_text()
    assert page.locator("button[data-toggle=macro-shares][data-granularity=by_year]").get_attribute("aria-pressed") == "true"
