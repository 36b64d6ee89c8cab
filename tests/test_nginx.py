"""The deployed nginx site in front of the served app, driven in a real browser.

The site is `deploy/nginx/mallboard.conf` itself, served from a temporary folder by
`tests/nginx_site.py` (its listen ports, certificate paths and upstream servers
substituted; here one process is the whole upstream).
"""

from __future__ import annotations

import http.client
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, RunningApp, login
from tests.nginx_site import HOST, NGINX, chromium_host_rule, open_exact, served_site

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}

# CI installs nginx (.ci/run): there its absence fails the test (in `proxied_app`).
if NGINX is None and os.environ.get("CI") != "true":
    pytestmark.append(pytest.mark.skip(reason="nginx is not installed (apt-get install nginx)"))


@dataclass(frozen=True)
class ProxiedApp:
    """The app behind nginx: its HTTPS app, the plain-HTTP port and nginx's folder."""

    app: RunningApp
    http_port: int
    folder: Path


@pytest.fixture
def proxied_app(running_app: RunningApp, tmp_path: Path) -> Iterator[ProxiedApp]:
    """nginx with the deployed site on free loopback ports in front of `running_app`."""
    if NGINX is None:
        pytest.fail("nginx is not installed, and CI=true: .ci/run should have installed it")
    with served_site(tmp_path / "nginx", [urlsplit(running_app.url).netloc]) as site:
        yield ProxiedApp(replace(running_app, url=site.url), site.http_port, site.folder)


def _http_get(port: int, path: str, host: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_deployed_site_serves_the_app_with_its_headers(proxied_app):
    from playwright.sync_api import sync_playwright

    app = proxied_app.app

    # Plain HTTP says where the console is, path and query kept, and serves nothing else.
    plain = _http_get(proxied_app.http_port, "/sales?shop=1", f"{HOST}:{proxied_app.http_port}")
    assert plain.status == 301, plain.status
    assert plain.getheader("Location") == f"https://{HOST}/sales?shop=1"

    refused: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[*CHROMIUM_ARGS, chromium_host_rule()],
        )
        context = browser.new_context(
            ignore_https_errors=True, locale="en-US", viewport={"width": 1400, "height": 1000}
        )
        # Every violation of the policy is said in the console, in every page loaded.
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on(
            "console",
            lambda m: (
                refused.append(m.text)
                if re.search(r"Content Security Policy|Refused|CSP violation", m.text)
                else None
            ),
        )
        responses = []
        page.on("response", lambda r: responses.append(r) if r.url.startswith(app.url) else None)
        try:
            response = page.goto(app.url)
            assert response is not None and response.status == 200, response
            headers = response.headers
            for name, value in SECURITY_HEADERS.items():
                assert headers.get(name) == value, (name, headers.get(name))
            assert headers["strict-transport-security"].startswith("max-age="), headers
            csp = headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "http" not in csp, csp

            login(page, app, "operator", "demo-operator")
            # Sales draws bars and lines; Members a heatmap (an image Plotly makes).
            for name in ("Sales", "Members"):
                chart = open_exact(page, name).locator(".js-plotly-plot").first
                chart.locator("svg.main-svg").first.wait_for()
                # Drawn, not only laid out: at least one trace of data in the plot area.
                traces = chart.locator("svg.main-svg g.trace")
                assert traces.count() > 0, (name, chart.inner_html()[:2000])
            assert page.locator(".js-plotly-plot .heatmaplayer image").count() > 0
            assert "Traceback" not in page.content()

            # Every response the page had from nginx carries them: scripts, fonts, icons.
            assert len(responses) > 10, [r.url for r in responses]
            for each in responses:
                sent = each.all_headers()
                assert sent.get("x-frame-options") == "DENY", (each.url, each.status, sent)
                assert sent.get("content-security-policy") == csp, (each.url, sent)
            page.screenshot(path=str(proxied_app.folder / "members.png"), full_page=True)
        except Exception:
            print("[nginx] error log:\n" + (proxied_app.folder / "error.log").read_text()[-3000:])
            raise
        finally:
            context.close()
            browser.close()

    assert refused == [], refused
    # The page's stream went through nginx, upgraded to a websocket.
    access = (proxied_app.folder / "access.log").read_text()
    assert re.search(r'"GET /_stcore/stream HTTP/1\.1" 101 ', access), access[-2000:]
