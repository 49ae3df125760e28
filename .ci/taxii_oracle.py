#!/usr/bin/env python3
"""TAXII 2.1 interop: OASIS taxii2-client, stix2-validator and stix2 against
a live detente node (docs/taxii.md).

Starts `detente demo --serve` in a temporary directory (or attaches to one
already running, with --state-file), waits until its script has played
(phase `serving`), and then, as the demo's TAXII account `soc` (cleared
AMBER+STRICT) on RU's node, with the OASIS taxii2-client:

  1. reads the discovery resource, the API roots and their collections
     (`received-from`, `sent-to` read-only, `drafts` read + write);
  2. posts several thousand STIX 2.1 objects (indicators, notes, identities)
     to US's `drafts` in requests of 1,000, each under the API root's
     max_content_length, and reads each request's status (`Status`,
     refresh): every object a success;
  3. posts a deliberately invalid object beside a valid one: the status
     counts one success and one failure whose message names the property;
  4. posts objects marked TLP:RED (and objects that are RED through what
     they reference or through the RED draft they came in) beside one marked
     AMBER: the status takes them all, but `soc` (not cleared RED) is never
     served the RED ones: not paged, not in the manifest, not by type, 404
     on their own URL and versions (docs/taxii.md, "TLP enforcement");
  5. pages the drafts collection with `as_pages` (1,000 a request), checking
     that every request after the first carries the server's `next`, that
     every page but the last is full with `more`, and that every object
     posted is seen exactly once; pages the manifest (which has `more` but
     no `next`, TAXII 2.1 §5.3.1) with `added_after` its last `date_added`;
  6. filters by `match[type]` and by `added_after` (the `date_added` of the
     last object of the second request, read from the manifest);
  7. reads every collection of every API root of all three nodes, wraps
     what each serves in bundles and checks them with the OASIS
     stix2-validator (STIX 2.1 MUSTs; SHOULDs counted as warnings), parses
     every object with the stix2 library, and checks that every object this
     script posted is served exactly as it was posted.

TLS is verified against exactly the node's self-signed certificate (the
path in the state file); a control request with another node's certificate
must fail verification. Every HTTP request has a timeout, and so does the
whole run. Exits 0 when everything holds, 1 with a FAIL line otherwise.

Usage: taxii_oracle.py --detente PATH/TO/detente
       taxii_oracle.py --state-file detente-demo.json   (a demo already serving)
"""
import argparse
import datetime
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout

import requests
import stix2
from requests.adapters import HTTPAdapter
from stix2validator import ValidationOptions, validate_instance
from taxii2client.common import _HTTPConnection
from taxii2client.v21 import ApiRoot, Server, Status, as_pages

REQUEST_TIMEOUT_S = 30
SERVING_TIMEOUT_S = 120
STOP_TIMEOUT_S = 15
RUN_TIMEOUT_S = 300
ORACLE_TIMEOUT_S = 200
PAGE = 1000
MAX_PAGES = 50
BATCHES = 6
INDICATORS_PER_BATCH = 940
NOTES_PER_BATCH = 40
IDENTITIES_PER_BATCH = 20

TLP2 = {
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


class Failure(Exception):
    """A check that did not hold; the message says which and why."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def say(text=""):
    print(text, flush=True)


# ---------------------------------------------------------------- TLS, HTTP


class TimeoutAdapter(HTTPAdapter):
    """Puts a timeout on every request (taxii2-client sets none)."""

    def __init__(self, timeout):
        self._timeout = timeout
        super().__init__()

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


def connection(taxii, cert_path):
    """A taxii2-client connection for one node: HTTP Basic, and TLS verified
    against that node's self-signed certificate and nothing else
    (`verify=` the certificate's path, as `Server(..., verify=)` takes it;
    Python's default checks, host name included, hold for it as it is).

    trust_env is off: with it, requests lets REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE from the environment override the session's `verify`
    (requests issue 3829), so taxii2-client's `verify=` would be silently
    replaced by the system CAs, which do not hold the node's certificate.
    Nothing else from the environment (proxies, .netrc) belongs on
    loopback either."""
    conn = _HTTPConnection(
        user=taxii["user"], password=taxii["password"], verify=cert_path, version="2.1"
    )
    conn.session.trust_env = False
    conn.session.mount("https://", TimeoutAdapter(REQUEST_TIMEOUT_S))
    return conn


def api_roots(server, conn):
    """The server's API roots by name, on `conn`: taxii2-client gives the
    ApiRoots of a Server made with `conn=` connections of their own, without
    its credentials or TLS settings."""
    return {
        root.url.rstrip("/").rsplit("/", 1)[-1]: ApiRoot(root.url, conn=conn)
        for root in server.api_roots
    }


def status_code(error):
    response = getattr(error, "response", None)
    return None if response is None else response.status_code


# ---------------------------------------------------------------- the demo


def start_demo(detente, workdir):
    state_path = os.path.join(workdir, "detente-demo.json")
    log_path = os.path.join(workdir, "demo.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [detente, "demo", "--serve", "--state-file", state_path],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return proc, state_path, log_path


def log_tail(log_path, lines=40):
    if not log_path or not os.path.exists(log_path):
        return ""
    with open(log_path, encoding="utf-8", errors="replace") as f:
        return "".join(f.readlines()[-lines:])


def wait_serving(state_path, proc, log_path):
    deadline = time.monotonic() + SERVING_TIMEOUT_S
    while True:
        if proc is not None and proc.poll() is not None:
            raise Failure(
                f"detente demo --serve exited with {proc.returncode} before serving;"
                f" the end of its log:\n{log_tail(log_path)}"
            )
        try:
            with open(state_path, encoding="utf-8") as f:
                state = json.load(f)
            if state.get("phase") == "serving":
                return state
        except (FileNotFoundError, json.JSONDecodeError):
            pass
        if time.monotonic() > deadline:
            raise Failure(
                f"the demo's state file {state_path} did not reach phase `serving` within"
                f" {SERVING_TIMEOUT_S} s; the end of its log:\n{log_tail(log_path)}"
            )
        time.sleep(0.25)


def stop_demo(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(STOP_TIMEOUT_S)


# ---------------------------------------------------------------- STIX we post


def stix_now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def new_id(kind):
    return f"{kind}--{uuid.uuid4()}"


def indicator(n, markings=None):
    t = stix_now()
    if n % 2:
        pattern = f"[ipv4-addr:value = '203.0.113.{n % 256}']"
    else:
        digest = hashlib.sha256(f"detente interop {n}".encode()).hexdigest()
        pattern = f"[file:hashes.'SHA-256' = '{digest}']"
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": new_id("indicator"),
        "created": t,
        "modified": t,
        "name": f"interop indicator {n}",
        "description": "Seen scanning the perimeter; posted by the TAXII interop check.",
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": t,
    }
    if markings:
        obj["object_marking_refs"] = markings
    return obj


def note(n, refs, markings=None):
    t = stix_now()
    obj = {
        "type": "note",
        "spec_version": "2.1",
        "id": new_id("note"),
        "created": t,
        "modified": t,
        "abstract": f"interop note {n}",
        "content": f"interop note {n}: seen on the perimeter",
        "object_refs": refs,
    }
    if markings:
        obj["object_marking_refs"] = markings
    return obj


def identity(n):
    t = stix_now()
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": new_id("identity"),
        "created": t,
        "modified": t,
        "name": f"Interop SOC {n}",
        "description": "A SOC named in interop test traffic.",
        "identity_class": "organization",
    }


def batch(b):
    base = b * INDICATORS_PER_BATCH
    indicators = [indicator(base + i) for i in range(INDICATORS_PER_BATCH)]
    notes = [
        note(b * NOTES_PER_BATCH + i, [indicators[i]["id"]]) for i in range(NOTES_PER_BATCH)
    ]
    identities = [identity(b * IDENTITIES_PER_BATCH + i) for i in range(IDENTITIES_PER_BATCH)]
    return indicators + notes + identities


# ---------------------------------------------------------------- TAXII steps


def post(collection, conn, objects, max_content_length, what):
    """Posts one envelope (after checking its size) and reads its status
    three ways, which must agree: as the POST returned it, after `refresh`
    (GET of the status URL), and as a fresh `Status` resource."""
    envelope = {"objects": objects}
    size = len(json.dumps(envelope, ensure_ascii=False).encode("utf-8"))
    check(
        size <= max_content_length,
        f"{what}: the envelope is {size} bytes, over max_content_length {max_content_length}",
    )
    status = collection.add_objects(envelope, wait_for_completion=True, poll_interval=1, timeout=30)
    posted = {
        k: getattr(status, k)
        for k in ("id", "status", "total_count", "success_count", "failure_count", "pending_count")
    }
    status.refresh()
    refreshed = {k: getattr(status, k) for k in posted}
    check(
        refreshed == posted,
        f"{what}: the status read back by refresh {refreshed} differs from the POST's {posted}",
    )
    fresh = Status(status.url, conn=conn)
    check(
        fresh.id == status.id and fresh.success_count == status.success_count,
        f"{what}: GET {status.url} answered another status: {fresh._raw}",
    )
    check(status.status == "complete", f"{what}: status is {status.status!r}, not complete")
    check(
        status.total_count == len(objects),
        f"{what}: total_count {status.total_count}, but {len(objects)} objects were posted",
    )
    return status, size


def record_pages(func, per_request=PAGE, **filters):
    """Runs taxii2-client's as_pages, recording what each request sent."""
    calls = []

    def recording(**kwargs):
        # as_pages asks again with next="" when `more` comes without `next`,
        # and would do so for ever: stop at the first such request.
        if calls and not kwargs.get("next"):
            raise Failure(
                f"page {len(calls)} of {func.__name__}{filters or ''} says more=true"
                " without a next: as_pages would ask for the first page again"
            )
        check(len(calls) < MAX_PAGES, f"{func.__name__}: over {MAX_PAGES} pages")
        envelope = func(**kwargs)
        calls.append((kwargs.get("next"), kwargs.get("limit"), envelope))
        return envelope

    pages = list(as_pages(recording, per_request=per_request, **filters))
    check(len(pages) == len(calls), "as_pages yielded a page it did not request")
    return calls


def check_paging(calls, per_request, items_key, what):
    """`next` from the server carried on; every page but the last full and `more`."""
    for index, (sent_next, limit, envelope) in enumerate(calls):
        last = index == len(calls) - 1
        count = len(envelope.get(items_key, []))
        if index == 0:
            check(sent_next is None, f"{what}: the first request carried next={sent_next!r}")
        else:
            previous = calls[index - 1][2]
            check(
                sent_next is not None and sent_next == previous.get("next"),
                f"{what}: request {index + 1} carried next={sent_next!r}, "
                f"but page {index} said next={previous.get('next')!r}",
            )
        check(limit == per_request, f"{what}: request {index + 1} asked limit={limit}")
        if last:
            check(
                envelope.get("more") is False,
                f"{what}: the last page says more={envelope.get('more')!r}",
            )
            check(count <= per_request, f"{what}: the last page has {count} > {per_request}")
        else:
            check(envelope.get("more") is True, f"{what}: page {index + 1} lacks more=true")
            check(envelope.get("next"), f"{what}: page {index + 1} has more but no next")
            check(
                count == per_request,
                f"{what}: page {index + 1} has {count} items, not the {per_request} asked",
            )


def manifest_of(collection):
    """The whole manifest, paged as TAXII 2.1 §3.4 says for a resource
    without `next`: `added_after` the last record's `date_added` (what the
    X-TAXII-Date-Added-Last header carries; taxii2-client returns only the
    body). The manifest resource (§5.3.1) has `more` but no `next`, so
    as_pages cannot page it: it would ask for the first page for ever."""
    records = []
    after = None
    for page in range(1, MAX_PAGES + 1):
        manifest = collection.get_manifest(limit=PAGE, added_after=after)
        batch = manifest.get("objects", [])
        records.extend(batch)
        dates = [m["date_added"] for m in batch]
        check(dates == sorted(dates), f"manifest page {page} is not in date_added order")
        check(
            after is None or not dates or dates[0] > after,
            f"manifest page {page} (added_after={after}) starts at {dates[:1]}",
        )
        if not manifest.get("more"):
            return records, page
        check(len(batch) == PAGE, f"manifest page {page} has {len(batch)} records and more")
        after = dates[-1]
    raise Failure(f"the manifest has over {MAX_PAGES} pages")


def objects_of(calls):
    return [obj for _, _, envelope in calls for obj in envelope.get("objects", [])]


def exactly_once(objects, what):
    seen = {}
    for obj in objects:
        seen[obj["id"]] = seen.get(obj["id"], 0) + 1
    twice = [i for i, n in seen.items() if n > 1]
    check(not twice, f"{what}: {len(twice)} objects served more than once, e.g. {twice[:3]}")
    return set(seen)


def absent_everywhere(collection, object_id, served_ids, manifest_ids, what):
    check(object_id not in served_ids, f"{what}: {object_id} was served in the objects pages")
    check(object_id not in manifest_ids, f"{what}: {object_id} is listed in the manifest")
    for name, call in (
        ("object", collection.get_object),
        ("versions", collection.object_versions),
    ):
        try:
            answer = call(object_id)
        except requests.HTTPError as error:
            check(
                status_code(error) == 404,
                f"{what}: GET {name} of {object_id} answered {status_code(error)}, not 404",
            )
            continue
        raise Failure(f"{what}: GET {name} of {object_id} served it: {json.dumps(answer)[:300]}")


# ---------------------------------------------------------------- the oracles


def oracle_chunk(objects):
    """In a worker process: stix2-validator (STIX 2.1, SHOULDs as warnings)
    on the objects wrapped in a bundle, and stix2.parse on each object."""
    options = ValidationOptions(version="2.1", strict=False)
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    results = validate_instance(bundle, options)
    parse_errors = []
    for obj in objects:
        try:
            stix2.parse(obj, allow_custom=True)
        except Exception as error:  # stix2 raises many kinds
            parse_errors.append(f"{obj.get('id')}: {type(error).__name__}: {error}")
    return (
        results.is_valid,
        [str(e) for e in results.errors],
        [str(w) for w in results.warnings],
        parse_errors,
    )


class Oracles:
    """stix2-validator and stix2 on every object the nodes serve.

    The validator takes 20 to 40 ms an indicator here (JSON-schema
    references and two ANTLR parses of the pattern), so the pages are cut
    into bundles of CHUNK objects and checked in a process per core. Each
    served object that this script posted must also equal (as JSON) what it
    posted.
    """

    CHUNK = 250

    def __init__(self, posted):
        self.posted = posted
        self.pool = ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1))
        self.pending = []
        self.bundles = 0
        self.objects = 0
        self.unchanged = 0
        self.warnings = {}

    def submit(self, served, where):
        for obj in served:
            mine = self.posted.get(obj.get("id"))
            if mine is None:
                continue
            check(
                obj == mine,
                f"{where} serves {obj['id']} otherwise than it was posted:"
                f"\n  posted {json.dumps(mine, sort_keys=True)}"
                f"\n  served {json.dumps(obj, sort_keys=True)}",
            )
            self.unchanged += 1
        for start in range(0, len(served), self.CHUNK):
            chunk = served[start : start + self.CHUNK]
            self.pending.append((where, len(chunk), self.pool.submit(oracle_chunk, chunk)))

    def results(self):
        deadline = time.monotonic() + ORACLE_TIMEOUT_S
        for where, count, future in self.pending:
            left = max(1.0, deadline - time.monotonic())
            try:
                valid, errors, warnings, parse_errors = future.result(timeout=left)
            except FuturesTimeout:
                raise Failure(f"the oracles took over {ORACLE_TIMEOUT_S} s")
            if not valid:
                raise Failure(
                    f"stix2-validator rejects what {where} serves:\n  "
                    + "\n  ".join(errors[:20])
                )
            if parse_errors:
                raise Failure(
                    f"stix2 cannot parse what {where} serves:\n  " + "\n  ".join(parse_errors[:20])
                )
            for warning in warnings:
                # "<object id>: {code} text": counted by the text.
                key = warning.split(": ", 1)[-1]
                self.warnings[key] = self.warnings.get(key, 0) + 1
            self.bundles += 1
            self.objects += count

    def close(self):
        self.pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------- main


def run(state):
    parties = state["parties"]
    check({"RU", "US", "UN"} <= set(parties), f"the state file names {sorted(parties)}")
    ru = parties["RU"]
    cert = ru["tls_certificate"]
    check(os.path.exists(cert), f"RU's TLS certificate {cert} is not there")
    conn = connection(ru["taxii"], cert)

    # TLS: the right certificate verifies; another node's does not.
    other_cert = parties["US"]["tls_certificate"]
    control = connection(ru["taxii"], other_cert)
    try:
        Server(ru["taxii"]["discovery"], conn=control).refresh()
        raise Failure("TLS: RU's node was accepted with US's certificate as the only trust anchor")
    except requests.exceptions.SSLError:
        pass
    finally:
        control.close()
    say(f"TLS       verified against {cert} (US's certificate is refused, as it must be)")

    # 1. Discovery, API roots, collections.
    server = Server(ru["taxii"]["discovery"], conn=conn)
    roots = api_roots(server, conn)
    say(f"discovery {server.title!r}: API roots {sorted(roots)}")
    check("us" in roots and "un" in roots, f"RU's node lists API roots {sorted(roots)}")
    us = roots["us"]
    check(
        "application/taxii+json;version=2.1" in [v.replace(" ", "") for v in us.versions],
        f"API root us announces versions {us.versions}",
    )
    max_len = us.max_content_length
    collections = {c.alias: c for c in us.collections}
    for c in us.collections:
        say(
            f"  us/{c.alias:<14} {c.id}  read={c.can_read} write={c.can_write}  {c.title!r}"
        )
    check(
        set(collections) == {"received-from", "sent-to", "drafts"},
        f"API root us lists collections {sorted(collections)}",
    )
    for alias in ("received-from", "sent-to"):
        c = collections[alias]
        check(c.can_read and not c.can_write, f"us/{alias}: can_read/can_write wrong")
    drafts = collections["drafts"]
    check(drafts.can_read and drafts.can_write, "us/drafts must be readable and writable")
    say(f"  max_content_length {max_len} bytes")

    before = exactly_once(objects_of(record_pages(drafts.get_objects)), "drafts before posting")

    # 2. Post the batches.
    batches = [batch(b) for b in range(BATCHES)]
    started = time.monotonic()
    sizes = []
    for b, objects in enumerate(batches):
        status, size = post(drafts, conn, objects, max_len, f"POST {b + 1}/{BATCHES}")
        sizes.append(size)
        check(
            status.success_count == len(objects) and status.failure_count == 0,
            f"POST {b + 1}: success {status.success_count}, failure {status.failure_count}:"
            f" {status.failures[:3]}",
        )
        check(
            {s["id"] for s in status.successes} == {o["id"] for o in objects},
            f"POST {b + 1}: the status's successes are not the objects posted",
        )
    posted_ids = {o["id"] for objects in batches for o in objects}
    say(
        f"posted    {len(posted_ids)} objects in {BATCHES} requests of {len(batches[0])}"
        f" ({min(sizes)}..{max(sizes)} bytes each) in {time.monotonic() - started:.1f} s;"
        f" every status complete, success_count {len(batches[0])}, failure_count 0"
    )

    # 3. An invalid object beside a valid one.
    good = indicator(100000)
    bad = indicator(100001)
    bad["valid_from"] = "yesterday afternoon"
    status, _ = post(drafts, conn, [good, bad], max_len, "POST with an invalid object")
    check(
        status.success_count == 1 and status.failure_count == 1,
        f"invalid object: success {status.success_count}, failure {status.failure_count}",
    )
    failure = status.failures[0]
    check(failure.get("id") == bad["id"], f"the failure names {failure.get('id')}, not {bad['id']}")
    message = failure.get("message") or ""
    check("valid_from" in message, f"the failure's message does not name valid_from: {message!r}")
    check(
        [s["id"] for s in status.successes] == [good["id"]],
        f"the success is not the valid object: {status.successes}",
    )
    posted_ids.add(good["id"])
    say(f"status    invalid object refused: success_count 1, failure_count 1, {message!r}")

    # 4. TLP:RED. A draft posted by soc puts RED objects in red:account:soc,
    #    which soc (AMBER+STRICT) may not read.
    red = indicator(200000, [TLP2["RED"]])
    unmarked = indicator(200001)  # in a RED draft: counts the draft's TLP, RED
    amber_on_red = note(200002, [red["id"]], [TLP2["AMBER"]])  # references RED: RED
    amber = indicator(200003, [TLP2["AMBER"]])  # its own marking: AMBER
    red_post = [red, unmarked, amber_on_red, amber]
    status, _ = post(drafts, conn, red_post, max_len, "POST with TLP:RED")
    check(
        status.success_count == len(red_post) and status.failure_count == 0,
        f"TLP:RED post: success {status.success_count}, failure {status.failure_count}:"
        f" {status.failures}",
    )
    red_ids = {red["id"]: "TLP:RED", unmarked["id"]: "unmarked in a RED draft",
               amber_on_red["id"]: "AMBER, referencing a RED object"}
    posted_ids.add(amber["id"])

    # 5. Page the drafts collection and its manifest.
    started = time.monotonic()
    calls = record_pages(drafts.get_objects)
    elapsed = time.monotonic() - started
    check_paging(calls, PAGE, "objects", "drafts objects")
    served = objects_of(calls)
    served_ids = exactly_once(served, "drafts objects")
    missing = posted_ids - served_ids
    check(not missing, f"{len(missing)} posted objects never served, e.g. {sorted(missing)[:3]}")
    check(
        served_ids == posted_ids | before,
        f"drafts serves {len(served_ids - posted_ids - before)} objects nobody posted",
    )
    check(len(calls) >= 5, f"only {len(calls)} pages for {len(served)} objects")
    say(
        f"paged     drafts: {len(served)} objects in {len(calls)} pages of {PAGE}"
        f" ({elapsed:.1f} s); every request after the first carried the server's next;"
        f" every object posted seen exactly once ({len(before)} were there before)"
    )
    manifest, manifest_pages = manifest_of(drafts)
    manifest_ids = exactly_once(manifest, "drafts manifest")
    check(manifest_ids == served_ids, "the manifest lists other objects than the objects pages")
    say(
        f"manifest  {len(manifest)} records in {manifest_pages} pages (added_after the last"
        " date_added), the same objects"
    )

    for object_id, why in red_ids.items():
        absent_everywhere(drafts, object_id, served_ids, manifest_ids, f"TLP ({why})")
    check(amber["id"] in served_ids, "the AMBER-marked object of the RED draft is not served")
    one = drafts.get_object(amber["id"])
    check(
        [o["id"] for o in one.get("objects", [])] == [amber["id"]],
        f"GET object {amber['id']} answered {one}",
    )
    versions = drafts.object_versions(amber["id"])
    check(
        versions.get("versions") == [amber["modified"]],
        f"versions of {amber['id']}: {versions}",
    )

    # 6. Filters.
    counts = {}
    for obj in served:
        counts[obj["type"]] = counts.get(obj["type"], 0) + 1
    for types in (["note"], ["identity"], ["note", "identity"]):
        type_calls = record_pages(drafts.get_objects, type=types)
        check_paging(type_calls, PAGE, "objects", f"match[type]={','.join(types)}")
        got = objects_of(type_calls)
        exactly_once(got, f"match[type]={','.join(types)}")
        wrong = [o["id"] for o in got if o["type"] not in types]
        check(not wrong, f"match[type]={','.join(types)} served {wrong[:3]}")
        want = sum(counts.get(t, 0) for t in types)
        check(
            len(got) == want,
            f"match[type]={','.join(types)} served {len(got)} objects; the collection has {want}",
        )
        say(f"filter    match[type]={','.join(types)}: {len(got)} objects, all of those types")
    red_typed = [o["id"] for o in objects_of(record_pages(drafts.get_objects, type="indicator"))]
    check(
        not set(red_typed) & set(red_ids),
        "match[type]=indicator serves an object soc may not see",
    )

    added = {m["id"]: m["date_added"] for m in manifest}
    cut = added[batches[1][-1]["id"]]
    after_calls = record_pages(drafts.get_objects, added_after=cut)
    check_paging(after_calls, PAGE, "objects", f"added_after={cut}")
    after_ids = exactly_once(objects_of(after_calls), f"added_after={cut}")
    want = {i for i, at in added.items() if at > cut}
    check(after_ids == want, f"added_after={cut}: {len(after_ids)} objects, want {len(want)}")
    later = {o["id"] for objects in batches[2:] for o in objects}
    check(later <= after_ids, f"added_after={cut} misses objects of requests 3..{BATCHES}")
    earlier = {o["id"] for objects in batches[:2] for o in objects}
    check(not earlier & after_ids, f"added_after={cut} serves objects of requests 1..2")
    say(
        f"filter    added_after={cut} (last of request 2): {len(after_ids)} objects"
        f" in {len(after_calls)} pages, none of requests 1-2, all of requests 3-{BATCHES}"
    )
    say(
        f"TLP       {len(red_ids)} RED objects posted by soc (AMBER+STRICT) accepted"
        f" (status success) but never served to it: not paged, not in the manifest,"
        f" not by type, 404 on object and versions; the AMBER-marked one is served"
    )

    # 7. The OASIS oracles on every collection of every API root of every node.
    started = time.monotonic()
    posted = {o["id"]: o for objects in batches for o in objects}
    posted.update({good["id"]: good, amber["id"]: amber})
    oracles = Oracles(posted)
    try:
        served = 0
        for code in sorted(parties):
            party = parties[code]
            node_conn = (
                conn if code == "RU" else connection(party["taxii"], party["tls_certificate"])
            )
            node_server = Server(party["taxii"]["discovery"], conn=node_conn)
            for root_name, root in sorted(api_roots(node_server, node_conn).items()):
                for c in root.collections:
                    if not c.can_read:
                        continue
                    where = f"{code}:{root_name}/{c.alias}"
                    pages = record_pages(c.get_objects)
                    check_paging(pages, PAGE, "objects", where)
                    objects = objects_of(pages)
                    exactly_once(objects, where)
                    oracles.submit(objects, where)
                    served += len(objects)
                    say(f"read      {where:<22} {len(objects):>5} objects in {len(pages)} pages")
        oracles.results()
    finally:
        oracles.close()
    check(oracles.objects == served, f"the oracles saw {oracles.objects} of {served} objects")
    say(
        f"oracles   all {served} objects served, in {oracles.bundles} bundles of up to"
        f" {Oracles.CHUNK}: valid for stix2-validator (STIX 2.1), parsed by stix2.parse;"
        f" the {oracles.unchanged} this script posted served exactly as posted"
        f" ({time.monotonic() - started:.1f} s)"
    )
    for warning, n in sorted(oracles.warnings.items(), key=lambda kv: -kv[1])[:5]:
        say(f"  warning x{n}: {warning}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--detente", help="the detente binary: start `demo --serve` with it")
    where.add_argument("--state-file", help="the state file of a demo already started")
    args = parser.parse_args()

    def interrupted(signum, _frame):
        raise Failure(f"stopped by signal {signum}")

    def overran(_signum, _frame):
        raise Failure(f"the interop run took over {RUN_TIMEOUT_S} s")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGALRM, overran)
    signal.alarm(RUN_TIMEOUT_S)
    proc = None
    log_path = None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="detente-taxii-") as workdir:
        try:
            if args.detente:
                proc, state_path, log_path = start_demo(os.path.abspath(args.detente), workdir)
            else:
                state_path = args.state_file
            state = wait_serving(state_path, proc, log_path)
            say(f"demo      serving after {time.monotonic() - started:.1f} s")
            run(state)
        except Failure as failure:
            print(f"FAIL: {failure}", file=sys.stderr, flush=True)
            return 1
        except Exception as error:  # anything else is a failure too, with its cause
            import traceback

            traceback.print_exc()
            print(f"FAIL: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            if log_path:
                print(f"the end of the demo's log:\n{log_tail(log_path)}", file=sys.stderr)
            return 1
        finally:
            signal.alarm(0)
            stop_demo(proc)
    say(f"TAXII 2.1 interop: every check holds ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
