"""The deployed nginx site in front of the served app, driven in a real browser.

The site is `deploy/nginx/mallboard.conf` itself: only its listen ports, certificate
paths and upstream address are substituted, and a minimal main config around it lets
nginx run from a temporary folder. Chromium reaches it by a host name mapped to
127.0.0.1 (not by the address), so Streamlit's same-origin check of its websocket
sees the Host that nginx forwards and not its loopback allowance.
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, RunningApp, login, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SITE = ROOT / "deploy" / "nginx" / "mallboard.conf"
HOST = "mallboard.test"  # resolved to 127.0.0.1 by Chromium's own rule, below
SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


def _nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


NGINX = _nginx()
# CI installs nginx (.ci/run): there its absence fails the test (in `proxied_app`).
if NGINX is None and os.environ.get("CI") != "true":
    pytestmark.append(pytest.mark.skip(reason="nginx is not installed (apt-get install nginx)"))


@dataclass(frozen=True)
class ProxiedApp:
    """The app behind nginx: its HTTPS app, the plain-HTTP port and nginx's folder."""

    app: RunningApp
    http_port: int
    folder: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for HOST and 127.0.0.1, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _sub(text: str, pattern: str, new: str, count: int) -> str:
    """`text` with `pattern` replaced; exactly `count` times, or the site changed shape."""
    out, made = re.subn(pattern, new, text, flags=re.M)
    assert made == count, f"{SITE.name}: {pattern!r} found {made} times, expected {count}"
    return out


def render_site(
    text: str, *, http_port: int, https_port: int, cert: Path, key: Path, upstream: str
) -> str:
    """The deployed site with only its ports, certificate paths and upstream changed."""
    text = _sub(text, r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http_port};", 1)
    text = _sub(text, r"^(\s*)listen 443 ssl", rf"\1listen 127.0.0.1:{https_port} ssl", 1)
    text = _sub(text, r"^\s*listen \[::\]:\d+.*\n", "", 2)  # loopback IPv4 is enough
    text = _sub(text, r"^(\s*ssl_certificate) \S+;", rf"\1 {cert};", 1)
    text = _sub(text, r"^(\s*ssl_certificate_key) \S+;", rf"\1 {key};", 1)
    return _sub(text, r"^(\s*server) 127\.0\.0\.1:8501;", rf"\1 {upstream};", 1)


def main_config(folder: Path, site: Path) -> str:
    """What nginx.conf would give the site, with every file nginx writes in `folder`."""
    mime = Path("/etc/nginx/mime.types")
    temps = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root the workers would become nobody, who cannot write the temp folders here.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        + (f"    include {mime};\n" if mime.exists() else "")
        + "    default_type application/octet-stream;\n"
        f"    access_log {folder / 'access.log'};\n"
        f"{temps}\n"
        f"    include {site};\n"
        "}\n"
    )


def _wait_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nginx did not listen on {port}:\n{log.read_text()}")


@pytest.fixture
def proxied_app(running_app: RunningApp, tmp_path: Path) -> Iterator[ProxiedApp]:
    """nginx with the deployed site on free loopback ports in front of `running_app`."""
    if NGINX is None:
        pytest.fail("nginx is not installed, and CI=true: .ci/run should have installed it")
    folder = tmp_path / "nginx"
    folder.mkdir()
    cert, key = _certificate(folder)
    http_port, https_port = _free_port(), _free_port()
    site = folder / "mallboard.conf"
    site.write_text(
        render_site(
            SITE.read_text(),
            http_port=http_port,
            https_port=https_port,
            cert=cert,
            key=key,
            upstream=urlsplit(running_app.url).netloc,
        )
    )
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site))
    check = subprocess.run(
        [NGINX, "-t", "-q", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    output = folder / "nginx.out"
    with output.open("w") as out:
        process = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(folder)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_port(https_port, process, folder / "error.log")
        yield ProxiedApp(
            replace(running_app, url=f"https://{HOST}:{https_port}"), http_port, folder
        )
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown, workers included
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _http_get(port: int, path: str, host: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _open(page, name: str):
    """Open a page from the sidebar and wait for its title; its main area.

    Not tests.browser.open_page: its heading match is not exact, and the Sales page
    has "Item sales breakdown" and the like below its title.
    """
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True).click()
    main = page.get_by_test_id("stMain")
    main.get_by_role("heading", name=name, exact=True).wait_for()
    wait_idle(page)
    return main


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
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
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
                chart = _open(page, name).locator(".js-plotly-plot").first
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
