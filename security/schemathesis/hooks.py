"""Schemathesis hooks of the security campaign (npm run test:security).

Every request gets valid credentials from the campaign's signer (a schemathesis auth provider) (the Node target,
services/gateway/test/security/target.ts), so the generated data reaches the routes' own
logic instead of stopping at authentication:

- a signed write (security scheme detachedJws) gets an X-IES-Signature: a detached JWS over
  the exact body bytes sent, bound to the method, the path as sent and the tenant, signed by
  the participant whose write it is (head-end, aggregator, platform, node operator);
- a read (security scheme bearer) gets a bearer token of a participant; two reads in three
  use the route's own reader, the third rotates through the other roles (including the
  auditor with its capability and the peer DISCOM), so refusals are exercised too.

The signer's URL comes from IES_SECURITY_SIGNER; its /fixtures answer names the seeded
batch, DR event, meters and participants, which path and query parameters sometimes use.
"""

from __future__ import annotations

import atexit
import base64
import itertools
from collections import Counter, defaultdict
import json
import os
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import schemathesis
import yaml
from schemathesis.core import NotSet

SIGNER = os.environ["IES_SECURITY_SIGNER"]

# Who signs each write; who reads each route by default (the others take turns).
WRITERS = {
    ("POST", "/v1/meter-data"): "HEADEND",
    ("POST", "/v1/registry"): "OPERATOR",
    ("POST", "/v1/dr/events"): "AGGREGATOR",
    ("POST", "/v1/dr/events/{eventId}/transitions"): "AGGREGATOR",
    ("POST", "/v1/p2p/trades"): "PLATFORM",
    ("POST", "/v1/dr/openadr-clients"): "DISCOM",
    ("POST", "/v1/dr/kafka-credentials"): "AGGREGATOR",
    ("DELETE", "/v1/dr/kafka-credentials/{username}"): "AGGREGATOR",
}
READ_ROLES = ["DISCOM", "HEADEND", "AGGREGATOR", "PLATFORM", "AUDITOR", "PEER_DISCOM"]
OWN_READER = {
    "/v1/dr/webhook": "AGGREGATOR",
    "/v1/dr/kafka-credentials": "AGGREGATOR",
    "/v1/dr/events/{eventId}": "AGGREGATOR",
    "/v1/dr/events/{eventId}/baselines": "AGGREGATOR",
    "/v1/dr/events/{eventId}/performance": "AGGREGATOR",
    "/v1/p2p/trades/{tradeId}": "PLATFORM",
    "/v1/p2p/trades/{tradeId}/allocation": "PLATFORM",
}
_turn = itertools.count()
# Per operation, so that every operation's first request is made as its own participant.
_calls: defaultdict[tuple[str, str], itertools.count] = defaultdict(itertools.count)


def _signer(path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(SIGNER + path, data=data, method="POST", headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


FIXTURES = _signer("/fixtures")

# Bodies of media types schemathesis has no serializer for go on the wire as text.
schemathesis.serializer.alias(["application/jose", "text/csv"], "text/plain")


def _wire_bytes(case) -> bytes:
    """The generated body as the bytes to send (the signature covers exactly these)."""
    body = case.body
    if isinstance(body, bytes):
        return body
    media = (case.media_type or "application/json").split(";")[0].strip().lower()
    if "yaml" in media:
        return yaml.safe_dump(body).encode()
    if media.endswith("json"):
        return json.dumps(body).encode()
    return (body if isinstance(body, str) else json.dumps(body)).encode()


def _uses(case, scheme: str) -> bool:
    security = case.operation.definition.raw.get("security") or []
    return any(scheme in requirement for requirement in security)


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    """One case in three asks for a resource that exists (the seeded batch, DR event and trade,
    the tenant's tiled log and its first leaf's tile or entry bundle)."""
    if path_parameters is None or next(_turn) % 3:
        return path_parameters
    known = {name: FIXTURES[name] for name in ("batchId", "eventId", "tradeId") if FIXTURES.get(name)}
    known["discom"] = FIXTURES["tenant"]
    known["*"] = ["0/000.p/1", "entries/000.p/1"][next(_turn) % 2]
    return {name: known.get(name, value) for name, value in path_parameters.items()}


@schemathesis.hook
def map_query(ctx, query):
    """One read-proof query in three names the seeded read."""
    if not query or "meterId" not in query or next(_turn) % 3:
        return query
    return {**query, "meterId": FIXTURES["meters"][0], "blockStart": FIXTURES["blockStart"], "channel": "IMPORT"}


@schemathesis.auth(refresh_interval=None)
class Credentials:
    """Every case's credentials, fresh from the signer (never cached: a signature covers one request).

    Given as schemathesis auth, so the `ignored_auth` check knows them for real credentials and
    sends each successful request again without them and with invalid ones.
    """

    def get(self, case, ctx):
        method = case.operation.method.upper()
        template = case.operation.path
        call = next(_calls[(method, template)])
        if (method, template) in WRITERS and _uses(case, "detachedJws"):
            if isinstance(case.body, NotSet):
                return None
            path = urlsplit(case.as_transport_kwargs()["url"]).path
            body = base64.b64encode(_wire_bytes(case)).decode()
            signed = _signer("/sign", {"role": WRITERS[(method, template)], "method": method, "path": path, "body": body})
            return {"headers": {"X-IES-Signature": signed["signature"]}, "call": call}
        if _uses(case, "bearer"):
            own = OWN_READER.get(template, "DISCOM")
            role = own if call % 3 != 2 else READ_ROLES[(call // 3) % len(READ_ROLES)]
            credentials = _signer("/token", {"role": role})
            headers = {"Authorization": credentials["authorization"]}
            if "capability" in credentials:
                headers["X-IES-Capability"] = credentials["capability"]
            return {"headers": headers, "call": call}
        return None

    def set(self, case, data, ctx):
        headers = {**(case.headers or {}), **data["headers"]}
        # A generated X-IES-Tenant names no tenant of this node: two batches in three name the right one.
        if data["call"] % 3 != 2 and any(name.lower() == "x-ies-tenant" for name in headers):
            headers = {name: value for name, value in headers.items() if name.lower() != "x-ies-tenant"}
            headers["X-IES-Tenant"] = FIXTURES["tenant"]
        case.headers = headers


@schemathesis.hook
def before_call(ctx, case, kwargs):
    """A signed write goes out as the bytes its signature covers; the case itself stays as generated."""
    if "X-IES-Signature" in (case.headers or {}) and not isinstance(case.body, NotSet):
        kwargs["data"] = _wire_bytes(case)


@schemathesis.hook
def map_body(ctx, body):
    """One object body in two names this tenant and its participants, so it gets past the first checks."""
    if not isinstance(body, dict) or next(_turn) % 2:
        return body
    operation = (ctx.operation.method.upper(), ctx.operation.path)
    if operation == ("POST", "/v1/registry"):
        return {**body, "discom": FIXTURES["tenant"]}
    if operation == ("POST", "/v1/dr/events"):
        return {**body, "aggregatorId": FIXTURES["participants"]["AGGREGATOR"], "programmeId": FIXTURES["programme"]}
    if operation == ("POST", "/v1/dr/openadr-clients"):
        return {**body, "participantId": FIXTURES["participants"]["AGGREGATOR"]}
    return body


_statuses: defaultdict[str, Counter] = defaultdict(Counter)


@schemathesis.hook
def after_call(ctx, case, response):
    """Tallies the statuses each operation answered (out/security/statuses.json): what the campaign reached."""
    _statuses[f"{case.operation.method.upper()} {case.operation.path}"][str(response.status_code)] += 1


@atexit.register
def _write_statuses() -> None:
    directory = os.environ.get("IES_SECURITY_REPORT_DIR")
    if directory and _statuses:
        with open(os.path.join(directory, "statuses.json"), "w") as out:
            json.dump({operation: dict(sorted(counts.items())) for operation, counts in sorted(_statuses.items())}, out, indent=1)
