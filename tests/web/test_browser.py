"""The pages in headless Chromium against a real `refinery serve`: no console errors, layout
at phone and desktop width, share links, 403 for a wrong token, filters, keyboard.

Needs Debian's `chromium` and `chromium-driver`; skips without them, except under CI=true.
Screenshots go to $REFINERY_SCREENSHOTS when set (docs/screenshots holds current ones).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.pages.access import ALL, share_path
from rules.engine import Engine
from tests.web.stock import SECRETS, make_store, settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
WIDTHS = (390, 1280)


def _need_browser() -> None:
    if CHROMIUM and DRIVER:
        return
    message = "no Chromium here: apt-get install chromium chromium-driver (CI installs them)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Server:
    base: str
    all_link: str
    team_link: str
    item_path: str
    shots: Path


def _free_port() -> int:
    with socket.socket() as probe:  # the OS picks a free port; serve binds it right after
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(path: Path, url: str) -> None:
    teams = "\n".join(
        f'[[teams]]\nname = "{team}"\n{kind} = ["{project}"]\n'
        for team, kind, project in (
            ("payments", "projects", "PAY"),
            ("mobile", "repos", "acme/mobile-app"),
        )
    )
    path.write_text(
        f'[store]\nurl = "{url}"\n\n[web]\nenabled = true\n\n'
        f'[schedule]\nsync = ""\ndigest = ""\n\n{teams}'
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _need_browser()
    root = tmp_path_factory.mktemp("serve")
    url, store, items = make_store(root)
    store.close()
    config = root / "refinery.toml"
    _config(config, url)
    port = _free_port()
    env = {**os.environ, "REFINERY_WEB__SECRET": SECRETS["web"]}
    refinery = str(Path(sys.executable).parent / "refinery")
    process = subprocess.Popen(
        [refinery, "serve", "--no-scheduler", "--port", str(port), "--config", str(config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"refinery serve did not start: {output}")
                time.sleep(0.2)
        configured = settings(url)
        engine = Engine()
        unready = [i for i in items if i.project == "PAY" and engine.evaluate(i)]
        # An item with a quote that passed next to a finding shows the item page best.
        item = next(
            (i for i in unready if any(v.passed and v.evidence for v in engine.explain(i))),
            unready[0],
        )
        shots = Path(os.environ.get("REFINERY_SCREENSHOTS") or root / "shots")
        shots.mkdir(parents=True, exist_ok=True)
        yield Server(
            base,
            base + share_path(configured, ALL),
            base + share_path(configured, "payments"),
            f"item/jira/{quote(item.key)}",
            shots,
        )
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _errors(driver: Any) -> list[dict[str, Any]]:
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def test_every_page_loads_clean_at_phone_and_desktop_width(server: Server, browser: Any) -> None:
    pages = {
        "overview": server.all_link,
        "team": server.all_link + "team/payments",
        "item": server.all_link + server.item_path,
        "requests": server.all_link + "requests",
    }
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        for name, url in pages.items():
            _errors(browser)  # drop what earlier pages logged
            browser.get(url)
            assert browser.find_element("tag name", "h1").text, name
            assert _errors(browser) == [], (name, width)  # CSP violations would show here
            inner, scroll = browser.execute_script(
                "return [window.innerWidth, document.documentElement.scrollWidth]"
            )
            assert scroll <= inner, f"{name} scrolls sideways at {width} px ({scroll} > {inner})"
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.set_window_size(width, min(int(height) + 120, 4000))
            browser.save_screenshot(str(server.shots / f"{name}-{width}.png"))
            browser.set_window_size(width, 900)


def test_the_share_link_works_and_a_wrong_token_is_refused(server: Server, browser: Any) -> None:
    browser.set_window_size(1280, 900)
    browser.get(server.team_link)
    assert browser.find_element("tag name", "h1").text == "payments"
    assert "PAY-" in browser.page_source
    forged = server.team_link.rsplit("/", 2)[0] + "/v1.Zm9yZ2VkLXRva2Vu/"
    browser.get(forged)
    assert browser.find_element("tag name", "h1").text == "Forbidden"
    assert "PAY-" not in browser.page_source and "ready" not in browser.page_source
    status = urllib.request.Request(forged)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(status, timeout=5)
    assert refused.value.code == 403


def test_filters_narrow_the_team_page(server: Server, browser: Any) -> None:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.set_window_size(390, 900)
    _errors(browser)  # drop what earlier tests logged (the refused page's 403)
    browser.get(server.team_link)
    before = len(browser.find_elements("css selector", "li.card"))
    Select(browser.find_element("name", "rule")).select_by_value("missing-why")
    browser.find_element("css selector", "form.filters button").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("rule=missing-why"))
    cards = browser.find_elements("css selector", "li.card")
    assert 0 < len(cards) < before
    for card in cards:
        rules = [r.text for r in card.find_elements("css selector", ".finding .rule")]
        assert "missing-why" in rules
    assert _errors(browser) == []


def test_keyboard_reaches_the_content_first(server: Server, browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get(server.all_link)
    browser.find_element("tag name", "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to content"
    assert focused.get_attribute("href").endswith("#main")
