"""inventory → products, written with pact-python (Pact's Rust core, like msa-verify).

The consumer is the real inventory app: its reservation endpoint is called in
process (FastAPI's TestClient) and its products client talks over HTTP to
Pact's mock of products. Every request must carry x-correlation-id (the one
rule of src/core/correlation-id.ts as a regex), so a build that stops
forwarding it breaks this contract. The pact goes to $MSA_VERIFY_PACT_DIR
(default contracts/pacts), where `msa-verify contracts verify` verifies it
against the Node products service.
"""

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pact import Pact, match

from app import create_app

PACT_DIR = Path(os.environ.get("MSA_VERIFY_PACT_DIR", Path(__file__).resolve().parents[1] / "pacts"))
CORRELATION = match.regex("c0ffee00-0000-4000-8000-000000000001", regex=r"^[A-Za-z0-9._:+/=-]{1,128}$")


@pytest.fixture
def pact():
    pact = Pact("inventory", "products").with_specification("V4")
    yield pact
    pact.write_file(PACT_DIR)


def inventory(products_url: str, forward_correlation: bool = True) -> TestClient:
    app = create_app(
        products_url=products_url, stock=10, forward_correlation=forward_correlation, provider_states=False
    )
    return TestClient(app)


def expect_catalogue_lists_p1(pact: Pact) -> None:
    (
        pact.upon_receiving("list catalogue product p-1")
        .given("products exist", {"ids": ["p-1"]})
        .with_request("GET", "/api/products")
        .with_query_parameter("ids", "p-1")
        .with_header("x-correlation-id", CORRELATION)
        .will_respond_with(200)
        .with_body({"items": match.each_like({"id": match.str("p-1")}, min=1)}, content_type="application/json")
    )


def test_reserves_a_product_the_catalogue_lists(pact):
    expect_catalogue_lists_p1(pact)
    with pact.serve() as products, inventory(str(products.url)) as client:
        res = client.put(
            "/api/reservations/order-1",
            json={"items": [{"productId": "p-1", "quantity": 2}]},
            headers={"x-correlation-id": "corr-pact-1"},
        )
    assert res.status_code == 201, res.text
    assert res.json() == {"id": "order-1", "items": [{"productId": "p-1", "quantity": 2}]}
    assert res.headers["x-correlation-id"] == "corr-pact-1"


def test_refuses_a_product_the_catalogue_does_not_list(pact):
    (
        pact.upon_receiving("list catalogue product p-9, which does not exist")
        .given("product does not exist", {"id": "p-9"})
        .with_request("GET", "/api/products")
        .with_query_parameter("ids", "p-9")
        .with_header("x-correlation-id", CORRELATION)
        .will_respond_with(200)
        .with_body({"items": []}, content_type="application/json")
    )
    with pact.serve() as products, inventory(str(products.url)) as client:
        res = client.put("/api/reservations/order-2", json={"items": [{"productId": "p-9", "quantity": 1}]})
    assert res.status_code == 422, res.text
    assert res.json() == {"error": "unknown_product", "productIds": ["p-9"]}


def test_a_build_that_does_not_forward_the_correlation_header_breaks_the_contract():
    # Not written to the pact directory: this one only proves the contract catches the variant.
    pact = Pact("inventory-no-correlation", "products").with_specification("V4")
    expect_catalogue_lists_p1(pact)
    with pact.serve(raises=False, verbose=False) as products:
        with inventory(str(products.url), forward_correlation=False) as client:
            client.put("/api/reservations/order-3", json={"items": [{"productId": "p-1", "quantity": 1}]})
        mismatches = [str(m) for m in products.mismatches]
    assert mismatches, "the mock provider accepted a request without x-correlation-id"
    assert any("x-correlation-id" in m for m in mismatches), mismatches
