"""Starts inventory on PORT/HOST (PORT=0: any free port) with uvicorn.

Run it traced:  .tools/venv/bin/opentelemetry-instrument .tools/venv/bin/python examples/shop/inventory/main.py
(the shop launcher does this; see README.md for the OTEL_* variables it sets).
"""

import logging
import os
import socket
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


def main() -> None:
    setup_logging("inventory", os.environ.get("LOG_LEVEL", "info"))
    try:
        port = integer("PORT", 0, 0, 65535)
        host = os.environ.get("HOST", "127.0.0.1")
        products_url = os.environ.get("PRODUCTS_URL", "http://127.0.0.1:8082")
        if not products_url.startswith(("http://", "https://")):
            raise EnvError(f"PRODUCTS_URL must be an http(s) URL, got {products_url!r}")
        app = create_app(
            products_url=products_url.rstrip("/"),
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
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))

    if os.environ.get("SHOP_EXIT_WITH_PARENT") == "1":
        # The launcher keeps our stdin open as a pipe; it closes when the launcher dies.
        def watch_parent() -> None:
            sys.stdin.buffer.read()
            server.should_exit = True

        threading.Thread(target=watch_parent, daemon=True).start()

    log.info("listening", extra={"port": bound, "host": host, "url": f"http://{host}:{bound}"})
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
