"""The query page in a real headless Chromium (Debian's chromium + chromium-driver)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.server import create_app, synthetic
from kg.server.background import serve_in_thread

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                       reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)"),
]
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium from PyPI")


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "store"
    synthetic.build_store(str(path), 30)
    with serve_in_thread(create_app(path)) as base:
        yield base


@pytest.fixture()
def browser(tmp_path):
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1100", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to see Content-Security-Policy reports
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_page_runs_an_example_and_draws_the_views(url, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    browser.get(url + "/")
    assert browser.find_elements(By.CSS_SELECTOR, ".CodeMirror .cm-keyword")  # highlighted by the vendored mode
    example = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, '#examples button[data-name="articles"]')))
    example.click()
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")) > 0)
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert all(row.is_displayed() for row in rows[:5])
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#results th")]
    assert "headline" in headers
    arabic = [td for td in browser.find_elements(By.CSS_SELECTOR, "#results td") if "خبر رقم" in td.text]
    assert arabic and arabic[0].get_attribute("dir") == "auto"
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", arabic[0]) == "rtl"
    wait.until(lambda driver: driver.find_elements(By.CSS_SELECTOR, "#network circle.node"))
    wait.until(lambda driver: driver.find_elements(By.CSS_SELECTOR, "#timeline rect.bar"))
    assert "run" in browser.find_element(By.ID, "status").text or "rows" in browser.find_element(By.ID, "status").text
    screenshot = tmp_path / "page.png"
    browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """A store whose results hold a javascript: IRI, as any writer could put there."""
    import pyoxigraph as ox

    path = tmp_path_factory.mktemp("browser-hostile") / "store"
    store = ox.Store(str(path))
    for target in ("javascript:document.title='owned'", "https://example.org/fine"):
        store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode(target),
                          ox.NamedNode("urn:x:g")))
    store.flush()
    del store
    with serve_in_thread(create_app(path)) as base:
        yield base


def test_page_links_only_web_addresses_under_its_csp(hostile_url, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(hostile_url + "/")
    browser.execute_script("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])",
                           "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o } ORDER BY ?o")
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 20).until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == 2)
    cells = browser.find_elements(By.CSS_SELECTOR, "#results tbody td")
    links = [(a.text, a.get_attribute("href")) for a in browser.find_elements(By.CSS_SELECTOR, "#results tbody a")]
    assert [c.text for c in cells] == ["https://example.org/fine", "javascript:document.title='owned'"]
    assert links == [("https://example.org/fine", "https://example.org/fine")]
    cells[1].click()
    assert browser.title == "Diplomatic meetings: SPARQL"
    violations = [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]
    assert violations == []
