#!/usr/bin/env python3
"""Health and metrics against a live node, read by Prometheus's own Python
client (docs/operations.md, "Health and metrics").

Starts `detente demo --serve` (as taxii_oracle.py does), waits until its
script has played, and then on every node:

  1. `GET /healthz` answers `ok`; `GET /readyz` answers 200 with every
     check passed (the demo's peers are all up);
  2. `GET /metrics` without its token, or with another, is 401;
  3. with the token it is OpenMetrics text, which both of prometheus_client's
     parsers read (`openmetrics.parser` and the classic `parser`);
  4. the figures match what the officer API says: the messages per kind,
     direction and state against the messages both officers may list; the
     log size against `GET /api/v1/log/status`; the alerts per state
     against `GET /api/v1/alerts?state=all`.

TLS is verified against exactly the node's self-signed certificate.
Exits 0 when everything holds, 1 with a FAIL line otherwise.

Usage: metrics_oracle.py --detente PATH/TO/detente
"""
import argparse
import collections
import os
import signal
import sys
import tempfile
import time

import requests
from prometheus_client import parser as classic
from prometheus_client.openmetrics import parser as openmetrics

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taxii_oracle import Failure, check, say, start_demo, stop_demo, wait_serving  # noqa: E402

TIMEOUT_S = 30
RUN_TIMEOUT_S = 240


def get(url, cert, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(url, headers=headers, verify=cert, timeout=TIMEOUT_S)


def samples(families, name):
    for family in families:
        for sample in family.samples:
            if sample.name == name:
                yield sample


def union(base, cert, tokens, path, key):
    """Everything any of `tokens` may list at `path`, by id."""
    seen = {}
    for token in tokens:
        answer = get(f"{base}{path}", cert, token)
        check(answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:200]}")
        for item in answer.json()[key]:
            seen[item["id"]] = item
    return seen


def run(state):
    for code, party in sorted(state["parties"].items()):
        base, cert = party["base_url"], party["tls_certificate"]
        tokens = [party["officer_token"], party["ministry_token"]]
        health = get(f"{base}/healthz", cert)
        check(health.status_code == 200 and health.text == "ok\n", f"{code} /healthz: {health.status_code} {health.text!r}")
        ready = get(f"{base}/readyz", cert)
        check(ready.status_code == 200, f"{code} /readyz: {ready.status_code} {ready.text}")
        check(ready.json()["ready"] is True, f"{code} /readyz: {ready.text}")
        url, token = party["metrics"]["url"], party["metrics"]["token"]
        check(get(url, cert).status_code == 401, f"{code} /metrics without a token is not 401")
        check(get(url, cert, "x" * 32).status_code == 401, f"{code} /metrics with another token is not 401")
        scrape = get(url, cert, token)
        check(scrape.status_code == 200, f"{code} /metrics: {scrape.status_code} {scrape.text[:300]}")
        kind = scrape.headers.get("content-type", "")
        check(kind.startswith("application/openmetrics-text"), f"{code} /metrics content type {kind!r}")
        families = list(openmetrics.text_string_to_metric_families(scrape.text))
        classic_families = list(classic.text_string_to_metric_families(scrape.text))
        check(len(classic_families) >= len(families) > 5, f"{code}: {len(families)} families")

        counted = collections.Counter()
        for sample in samples(families, "detente_messages"):
            labels = sample.labels
            counted[(labels["kind"], labels["direction"], labels["state"])] += int(sample.value)
        listed = union(base, cert, tokens, "/api/v1/messages?limit=1000", "messages")
        from_api = collections.Counter()
        for message in listed.values():
            direction = "received" if message["state"] == "received" else "sent"
            from_api[(message["kind"], direction, message["state"])] += 1
        check(counted == from_api, f"{code}: metrics {dict(counted)} != API {dict(from_api)}")

        status = get(f"{base}/api/v1/log/status", cert, tokens[0]).json()
        size = [s.value for s in samples(families, "detente_log_size")]
        check(size == [status["size"]], f"{code}: log size {size} != {status['size']}")

        by_state = {s.labels["state"]: int(s.value) for s in samples(families, "detente_alerts")}
        alerts = union(base, cert, tokens, "/api/v1/alerts?state=all&limit=1000", "alerts")
        api_states = collections.Counter(a["state"] for a in alerts.values())
        for state_name in ("open", "unanswered", "acknowledged"):
            check(
                by_state.get(state_name) == api_states.get(state_name, 0),
                f"{code}: {state_name} alerts {by_state} != API {dict(api_states)}",
            )
        routes = {s.labels["route"] for s in samples(families, "detente_http_request_duration_seconds_count")}
        check("/api/v1/messages" in routes, f"{code}: no latency for /api/v1/messages in {routes}")
        say(
            f"{code}  /healthz ok, /readyz ready; /metrics: {len(families)} families parsed twice;"
            f" {sum(counted.values())} messages, log size {status['size']},"
            f" alerts {dict(sorted(by_state.items()))} — as the API says"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--detente", required=True, help="the detente binary")
    args = parser.parse_args()

    def overran(_signum, _frame):
        raise Failure(f"the metrics run took over {RUN_TIMEOUT_S} s")

    signal.signal(signal.SIGALRM, overran)
    signal.alarm(RUN_TIMEOUT_S)
    proc = None
    with tempfile.TemporaryDirectory(prefix="detente-metrics-") as workdir:
        try:
            proc, state_path, log_path = start_demo(os.path.abspath(args.detente), workdir)
            run(wait_serving(state_path, proc, log_path))
        except Failure as failure:
            print(f"FAIL: {failure}", file=sys.stderr, flush=True)
            return 1
        finally:
            signal.alarm(0)
            stop_demo(proc)
    say("metrics: every figure matches the API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
