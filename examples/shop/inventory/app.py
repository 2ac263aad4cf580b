"""inventory: stock counts of the shop, reserved by orders for each order.

    PUT  /api/reservations/{orderId} {"items":[{"productId":"p-1","quantity":2}]}
        -> 201 {"id": orderId, "items": [...]}  (200 with the same body when it exists:
                                                   a retried PUT reserves once)
         | 422 {"error":"unknown_product","productIds":[...]}   (not in products' catalogue)
         | 409 {"error":"out_of_stock","productIds":[...]}
         | 503 {"error":"products_unavailable"}
    GET  /api/stock/{productId} -> 200 {"productId": ..., "available": n} | 404
    POST /_pact/provider-states  (only with INVENTORY_PROVIDER_STATES=on)

Tracing comes from outside: `opentelemetry-instrument` (opentelemetry-distro)
instruments FastAPI and httpx and propagates W3C trace context and baggage.
The code below adds only the correlation ID: read from `x-correlation-id`
(or a new one), kept in the request's baggage, stamped on every span, echoed,
forwarded to products and written into each JSON log line (see log.py).
"""

import logging
import re
import ssl
import uuid
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry import baggage, context, trace
from opentelemetry.sdk.trace import SpanProcessor
from pydantic import BaseModel, Field

CORRELATION_HEADER = "x-correlation-id"
CORRELATION_KEY = "correlation.id"
# The project's one rule for an accepted correlation ID (src/core/correlation-id.ts).
VALID_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:+/=-]{1,128}$")
log = logging.getLogger("inventory")


def correlation_id() -> str | None:
    value = baggage.get_baggage(CORRELATION_KEY)
    return str(value) if value is not None else None


class CorrelationSpanProcessor(SpanProcessor):
    """Stamps correlation.id on each span: from the baggage, else from its parent span."""

    def on_start(self, span, parent_context=None):
        value = baggage.get_baggage(CORRELATION_KEY, parent_context)
        if value is None:
            parent = trace.get_current_span(parent_context)
            value = (getattr(parent, "attributes", None) or {}).get(CORRELATION_KEY)
        if value is not None:
            span.set_attribute(CORRELATION_KEY, str(value))


class Line(BaseModel):
    productId: Annotated[str, Field(min_length=1, max_length=64)]
    quantity: Annotated[int, Field(ge=1, le=1000)]


class Reservation(BaseModel):
    items: Annotated[list[Line], Field(min_length=1, max_length=50)]


class StateChange(BaseModel):
    state: str
    params: dict = {}
    action: str = "setup"


def create_app(
    *,
    products_url: str,
    stock: int,
    forward_correlation: bool,
    provider_states: bool,
    products_tls: ssl.SSLContext | bool = True,
) -> FastAPI:
    provider = trace.get_tracer_provider()
    if hasattr(provider, "add_span_processor"):  # the SDK's provider, set up by opentelemetry-instrument
        provider.add_span_processor(CorrelationSpanProcessor())

    catalogue_ids = ("p-1", "p-2", "p-3", "p-4", "p-5")
    available: dict[str, int] = dict.fromkeys(catalogue_ids, stock)
    reservations: dict[str, dict] = {}

    async def add_correlation(request: httpx.Request) -> None:
        if forward_correlation and (cid := correlation_id()):
            request.headers[CORRELATION_HEADER] = cid

    # products_tls: for an https: products_url (SHOP_SECURITY=mtls) the test CA and inventory's client certificate.
    products = httpx.AsyncClient(
        base_url=products_url, timeout=2.0, verify=products_tls, event_hooks={"request": [add_correlation]}
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        await products.aclose()

    app = FastAPI(title="inventory", openapi_url=None, lifespan=lifespan)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_request: Request, error: RequestValidationError):
        fields = [{"path": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]} for e in error.errors()]
        return JSONResponse({"error": "invalid_body", "fields": fields}, status_code=400)

    @app.middleware("http")
    async def correlation(request: Request, call_next):
        cid = request.headers.get(CORRELATION_HEADER, "")
        if not VALID_CORRELATION_ID.fullmatch(cid):
            cid = str(uuid.uuid4())
        trace.get_current_span().set_attribute(CORRELATION_KEY, cid)
        token = context.attach(baggage.set_baggage(CORRELATION_KEY, cid))
        try:
            response = await call_next(request)
        finally:
            context.detach(token)
        response.headers[CORRELATION_HEADER] = cid
        return response

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.put("/api/reservations/{order_id}", status_code=201)
    async def reserve(order_id: Annotated[str, Path(min_length=1, max_length=64)], reservation: Reservation):
        if order_id in reservations:
            return JSONResponse(reservations[order_id], status_code=200)
        ids = sorted({line.productId for line in reservation.items})
        try:
            answer = await products.get("/api/products", params={"ids": ",".join(ids)})
            answer.raise_for_status()
            known = {item["id"] for item in answer.json()["items"]}
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as error:
            log.warning("products unavailable", extra={"error": repr(error)})
            return JSONResponse({"error": "products_unavailable"}, status_code=503)
        if order_id in reservations:  # a retry of this order was served while we asked products
            return JSONResponse(reservations[order_id], status_code=200)
        unknown = [i for i in ids if i not in known]
        if unknown:
            return JSONResponse({"error": "unknown_product", "productIds": unknown}, status_code=422)
        wanted: dict[str, int] = {}
        for line in reservation.items:
            wanted[line.productId] = wanted.get(line.productId, 0) + line.quantity
        short = [i for i in ids if available.get(i, 0) < wanted[i]]
        if short:
            log.info("out of stock", extra={"productIds": short})
            return JSONResponse({"error": "out_of_stock", "productIds": short}, status_code=409)
        for product_id, quantity in wanted.items():
            available[product_id] -= quantity
        reservations[order_id] = {"id": order_id, "items": [line.model_dump() for line in reservation.items]}
        log.info("stock reserved", extra={"orderId": order_id, "products": len(wanted)})
        return reservations[order_id]

    @app.get("/api/stock/{product_id}")
    async def stock_of(product_id: str):
        if product_id not in available:
            return JSONResponse({"error": "not_found", "id": product_id}, status_code=404)
        return {"productId": product_id, "available": available[product_id]}

    if provider_states:
        # Pact provider states, served by the provider itself: only its own
        # memory can be set up this way. Unknown states answer 400, so that a
        # state nobody handles fails its interaction.
        @app.post("/_pact/provider-states")
        async def provider_state(change: StateChange):
            # Every interaction starts from the initial stock and no reservation.
            available.update(dict.fromkeys(catalogue_ids, stock))
            reservations.clear()
            if change.action == "teardown":
                return {}
            product_id = str(change.params.get("productId", ""))
            if change.state == "stock is available" and product_id in available:
                available[product_id] = max(stock, int(change.params.get("quantity", 1)))
                return {}
            if change.state == "product is out of stock" and product_id in available:
                available[product_id] = 0
                return {}
            return JSONResponse({"error": f"unknown provider state {change.state!r} for {change.params}"}, 400)

    return app
