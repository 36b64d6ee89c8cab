"""The deployed nginx site (`deploy/nginx/mallboard.conf`) served from a temporary folder.

Only its listen ports, certificate paths and upstream servers are substituted, and a
minimal main config around it lets nginx run as the test's user with every file it
writes in the folder. Chromium reaches it by a host name mapped to 127.0.0.1 (not by the
address), so Streamlit's same-origin check of its websocket sees the Host that nginx
forwards and not its loopback allowance.

    with served_site(folder, ["127.0.0.1:8501", "127.0.0.1:8502"]) as site:
        site.url, site.http_port, site.access_log
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.browser import ROOT, wait_idle

__all__ = [
    "HOST",
    "NGINX",
    "SITE",
    "ServedSite",
    "chromium_host_rule",
    "main_config",
    "open_exact",
    "render_site",
    "served_site",
]

SITE = ROOT / "deploy" / "nginx" / "mallboard.conf"
HOST = "mallboard.test"  # resolved to 127.0.0.1 by Chromium's own rule (chromium_host_rule)
# The deployed site's upstream: one line per app process.
_SERVER_LINE = r"^(\s*server) 127\.0\.0\.1:\d+( [^;\n]*)?;\n"
SITE_PROCESSES = 2


def _nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


NGINX = _nginx()


def chromium_host_rule() -> str:
    """Chromium's argument that resolves HOST to 127.0.0.1."""
    return f"--host-resolver-rules=MAP {HOST} 127.0.0.1"


@dataclass(frozen=True)
class ServedSite:
    """nginx serving the site: its HTTPS base URL, plain-HTTP port and folder."""

    url: str
    http_port: int
    folder: Path

    @property
    def access_log(self) -> Path:
        """Its access log (`main_config`'s format: see there)."""
        return self.folder / "access.log"


def open_exact(page, name: str):
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


def _upstreams(text: str, upstreams: Sequence[str]) -> str:
    """The site's upstream servers replaced by `upstreams`, their parameters kept."""
    lines = list(re.finditer(_SERVER_LINE, text, flags=re.M))
    assert len(lines) == SITE_PROCESSES, f"{SITE.name}: {len(lines)} upstream servers"
    first = lines[0]
    indent, params = first.group(1), first.group(2) or ""
    block = "".join(f"{indent} {address}{params};\n" for address in upstreams)
    start, end = first.start(), lines[-1].end()
    assert re.fullmatch(rf"(?:{_SERVER_LINE})+", text[start:end], flags=re.M), "not adjacent"
    return text[:start] + block + text[end:]


def render_site(
    text: str,
    *,
    http_port: int,
    https_port: int,
    cert: Path,
    key: Path,
    upstreams: Sequence[str],
) -> str:
    """The deployed site with only its ports, certificate paths and upstream servers changed."""
    text = _sub(text, r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http_port};", 1)
    text = _sub(text, r"^(\s*)listen 443 ssl", rf"\1listen 127.0.0.1:{https_port} ssl", 1)
    text = _sub(text, r"^\s*listen \[::\]:\d+.*\n", "", 2)  # loopback IPv4 is enough
    text = _sub(text, r"^(\s*ssl_certificate) \S+;", rf"\1 {cert};", 1)
    text = _sub(text, r"^(\s*ssl_certificate_key) \S+;", rf"\1 {key};", 1)
    return _upstreams(text, upstreams)


def main_config(folder: Path, site: Path) -> str:
    """What nginx.conf would give the site, with every file nginx writes in `folder`.

    The access log adds, after the usual fields, the `mb_route` cookie the request
    carried and the process that answered it (`$upstream_addr`).
    """
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
        '    log_format routed \'$remote_addr - $remote_user [$time_local] "$request" '
        "$status $body_bytes_sent route=$cookie_mb_route upstream=$upstream_addr';\n"
        f"    access_log {folder / 'access.log'} routed;\n"
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


@contextmanager
def served_site(folder: Path, upstreams: Sequence[str]) -> Iterator[ServedSite]:
    """nginx with the deployed site on free loopback ports in front of `upstreams`."""
    assert NGINX is not None, "nginx is not installed"
    folder.mkdir(parents=True, exist_ok=True)
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
            upstreams=upstreams,
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
        yield ServedSite(f"https://{HOST}:{https_port}", http_port, folder)
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown, workers included
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
