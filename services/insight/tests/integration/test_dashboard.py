"""The managers' dashboard in a real browser (headless Chromium, Selenium; ``dashboard_browser``):
sign in through the dev issuer, each chart and figure shows the numbers ``GET /v1/measures``
gives for the same period and team, the filters change them to the API's, and axe-core finds no
WCAG 2.2 AA violation; the skip link comes first and keyboard focus is visible.

The figures are the measures' journeys (``measures_journeys``: 2019-20 Q1 and a year before),
with the kernel's clock on 10 July 2019, so the page opens on 2019-20 Q2 to date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from dashboard_browser import axe_violations, chromium, off_loop, served
from insight_support import Api, Cases
from measures_journeys import delivered
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from continuum.casework import clock

TODAY = datetime(2019, 7, 10, 9, tzinfo=UTC)


def _number(raw: str | None) -> float | None:
    return None if raw in (None, "") else float(raw)


def _api_number(value: Any) -> float | None:
    return None if value is None else float(value)


def shown_on_page(driver: WebDriver) -> dict[str, Any]:
    """Each chart's rows and each card's figures, as the page carries them for machines."""
    charts: dict[str, dict[str, tuple[float | None, float | None]]] = {}
    for table in driver.find_elements(By.CSS_SELECTOR, "table[data-chart]"):
        rows = table.find_elements(By.CSS_SELECTOR, "tr[data-figure]")
        charts[table.get_attribute("data-chart") or ""] = {
            row.get_attribute("data-figure") or "": (
                _number(row.get_attribute("data-value")),
                _number(row.get_attribute("data-year-before")),
            )
            for row in rows
        }
    cards = {
        span.get_attribute("data-figure"): _number(span.get_attribute("data-value"))
        for span in driver.find_elements(By.CSS_SELECTOR, ".govuk-summary-card span[data-figure]")
    }
    return {"charts": charts, "cards": cards}


async def api_figures(api: Api, **params: str) -> dict[str, dict[str, Any]]:
    async with api.as_user("performance", teams=()) as caller:
        answer = await caller.get("/v1/measures", params=params)
    assert answer.status_code == 200, answer.text
    figures: dict[str, dict[str, Any]] = answer.json()["total"]["figures"]
    return figures


def assert_page_is_the_api(page: dict[str, Any], figures: dict[str, dict[str, Any]]) -> None:
    assert set(page["charts"]) == {"activity", "timeliness", "closures", "drift"}
    for chart, rows in page["charts"].items():
        assert rows, f"the {chart} chart has no bars"
        for name, (value, year_before) in rows.items():
            api = figures[name]
            assert (value, year_before) == (_api_number(api["value"]), _api_number(api["year_before"])), (chart, name)
    assert len(page["cards"]) >= 30
    for name, value in page["cards"].items():
        assert value == _api_number(figures[name]["value"]), name


def submit(driver: WebDriver, button: WebElement) -> None:
    """Click a form's button and wait for the page it loads: a click returns before the navigation
    it starts, so reading the URL or the page at once may read the page before."""
    before = driver.find_element(By.TAG_NAME, "html")
    button.click()
    wait = WebDriverWait(driver, 30)
    wait.until(expected_conditions.staleness_of(before))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def choose(driver: WebDriver, field: str, value: str) -> None:
    Select(driver.find_element(By.ID, field)).select_by_value(value)
    submit(driver, driver.find_element(By.ID, "show-figures"))


def focused_style(driver: WebDriver) -> dict[str, str]:
    style: dict[str, str] = driver.execute_script(
        "const e = document.activeElement, s = getComputedStyle(e);"
        "return {id: e.id, cls: e.className, outline: s.outlineStyle + ' ' + s.outlineWidth,"
        " shadow: s.boxShadow, background: s.backgroundColor};"
    )
    return style


def walk_through(driver: WebDriver, url: str, figures: dict[str, dict[str, dict[str, Any]]]) -> None:
    """A manager's visit, in the browser (every call of it blocking: run off the event loop)."""
    # Not signed in: to the dev issuer's form, which comes back to the page asked for.
    driver.get(f"{url}/dashboard")
    assert "/dashboard/sign-in" in driver.current_url
    assert axe_violations(driver) == []
    Select(driver.find_element(By.ID, "role")).select_by_value("performance")
    Select(driver.find_element(By.ID, "team")).select_by_value("")
    sub = driver.find_element(By.ID, "sub")
    sub.clear()
    sub.send_keys("analyst-jo")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert driver.current_url == f"{url}/dashboard", driver.page_source[:500]
    cookie = driver.get_cookie("continuum_dashboard")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/dashboard"

    # The current financial quarter to date by default, every team: the API's figures.
    assert Select(driver.find_element(By.ID, "period")).first_selected_option.get_attribute("value") == "2019-20-Q2"
    assert_page_is_the_api(shown_on_page(driver), figures["q2"])

    # Another period: the figures change, to the API's.
    choose(driver, "period", "2019-20-Q1")
    assert "period=2019-20-Q1" in driver.current_url
    page = shown_on_page(driver)
    assert_page_is_the_api(page, figures["q1"])
    assert page["charts"]["closures"]["closures_under_3_months"][0] == figures["q1"]["closures_under_3_months"]["value"] > 0

    # A team: the figures change again, to the API's for that team.
    choose(driver, "team", "east")
    assert_page_is_the_api(shown_on_page(driver), figures["east"])
    assert "East Fieldwork Team" in driver.find_element(By.CSS_SELECTOR, ".govuk-caption-l").text

    # Accessible: no WCAG 2.2 AA violation; the skip link first, and focus visible.
    assert axe_violations(driver) == []
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = focused_style(driver)
    assert "govuk-skip-link" in skip["cls"], skip
    assert skip["outline"].startswith("solid") or skip["shadow"] != "none", skip
    driver.find_element(By.ID, "period").send_keys("")  # focus the period filter
    select = focused_style(driver)
    assert select["id"] == "period" and (select["outline"].startswith("solid") or select["shadow"] != "none"), select


async def test_the_dashboard_in_a_browser(api: Api, cases: Cases, insight_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    await delivered(cases)
    monkeypatch.setattr(clock, "now", lambda: TODAY)
    figures = {
        "q2": await api_figures(api, period="2019-20-Q2"),
        "q1": await api_figures(api, period="2019-20-Q1"),
        "east": await api_figures(api, period="2019-20-Q1", team="east"),
    }
    # The filters must change the figures for the test to show that they do.
    assert figures["q1"]["referrals"]["value"] not in (figures["q2"]["referrals"]["value"], figures["east"]["referrals"]["value"])
    driver = await off_loop(chromium)
    try:
        async with served(insight_app) as url:
            await off_loop(walk_through, driver, url, figures)
    finally:
        await off_loop(driver.quit)
