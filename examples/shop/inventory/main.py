"""Starts inventory on PORT/HOST (PORT=0: any free port) with uvicorn.

Run it traced:  .tools/venv/bin/opentelemetry-instrument .tools/venv/bin/python examples/shop/inventory/main.py
(the shop launcher does this; see README.md for the OTEL_* variables it sets).
"""

import logging
import os
import socket
import ssl
import sys
import threading

import uvicorn
from app import create_app
from log import setup_logging

log = logging.getLogger("inventory")


class EnvError(ValueError):
    pass


def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, default)
    if value not in allowed:
        raise EnvError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def integer(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise EnvError(f"{name} must be an integer from {low} to {high}, got {raw!r}")
    return int(raw)


def read_security() -> tuple[str, dict[str, str] | None]:
    """SHOP_SECURITY (plain | mtls) and the PEM files SHOP_TLS_CA, SHOP_TLS_CERT, SHOP_TLS_KEY,
    read as the Node services read them (shared/tls.ts): required for mtls; a plain service
    given them still presents its certificate when it calls an https: URL."""
    kind = choice("SHOP_SECURITY", ("plain", "mtls"), "plain")
    if kind == "plain" and not os.environ.get("SHOP_TLS_CA", ""):
        return kind, None
    files: dict[str, str] = {}
    for field in ("ca", "cert", "key"):
        name = f"SHOP_TLS_{field.upper()}"
        path = os.environ.get(name, "")
        if path == "":
            raise EnvError(f"{name} is not set: TLS needs a PEM file here")
        if not os.access(path, os.R_OK):
            raise EnvError(f"{name}={path!r}: cannot read the file")
        files[field] = path
    return kind, files


def client_tls(products_url: str, files: dict[str, str] | None) -> ssl.SSLContext | bool:
    """How inventory verifies products: for https: with the test CA and its own client certificate."""
    if not products_url.startswith("https://") or files is None:
        return True
    context = ssl.create_default_context(cafile=files["ca"])
    context.load_cert_chain(files["cert"], files["key"])
    return context


def main() -> None:
    setup_logging("inventory", os.environ.get("LOG_LEVEL", "info"))
    try:
        port = integer("PORT", 0, 0, 65535)
        host = os.environ.get("HOST", "127.0.0.1")
        products_url = os.environ.get("PRODUCTS_URL", "http://127.0.0.1:8082")
        if not products_url.startswith(("http://", "https://")):
            raise EnvError(f"PRODUCTS_URL must be an http(s) URL, got {products_url!r}")
        security, tls_files = read_security()
        app = create_app(
            products_url=products_url.rstrip("/"),
            products_tls=client_tls(products_url, tls_files),
            stock=integer("INVENTORY_STOCK", 1_000_000, 0, 10**9),
            forward_correlation=choice("INVENTORY_FORWARD_CORRELATION", ("on", "off"), "on") == "on",
            provider_states=choice("INVENTORY_PROVIDER_STATES", ("on", "off"), "off") == "on",
        )
    except EnvError as error:
        log.critical("invalid configuration", extra={"error": str(error)})
        sys.exit(2)

    # Bind first, so that the "listening" line names the port we really hold.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        log.critical("cannot listen", extra={"port": port, "code": "EADDRINUSE" if error.errno == 98 else error.errno})
        sys.exit(1)
    sock.listen(128)
    bound = sock.getsockname()[1]
    log.info("configured", extra={"security": security, "productsUrl": products_url, **(tls_files or {})})
    # mtls: TLS with the service's certificate, and a client certificate signed by the CA required.
    tls = (
        {
            "ssl_certfile": tls_files["cert"],
            "ssl_keyfile": tls_files["key"],
            "ssl_ca_certs": tls_files["ca"],
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }
        if security == "mtls" and tls_files is not None
        else {}
    )
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", **tls))

    if os.environ.get("SHOP_EXIT_WITH_PARENT") == "1":
        # The launcher keeps our stdin open as a pipe; it closes when the launcher dies.
        def watch_parent() -> None:
            sys.stdin.buffer.read()
            server.should_exit = True

        threading.Thread(target=watch_parent, daemon=True).start()

    scheme = "https" if tls else "http"
    log.info("listening", extra={"port": bound, "host": host, "url": f"{scheme}://{host}:{bound}"})
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
