#!/usr/bin/env python3
"""The OASIS oracles on the STIX 2.1 our nodes carry (issue 6).

Reads a detente evidence bundle, takes every STIX bundle inside its signed
envelopes (body.stix), and checks each with the OASIS stix2-validator
(STIX 2.1: every MUST; SHOULDs are printed as warnings) and with the stix2 library's parser. Exits 1 naming the
message and the validator's findings if any bundle fails, 2 if the file
holds no STIX at all (the oracle would prove nothing).

Usage: stix_oracle.py EVIDENCE_BUNDLE.json
"""
import json
import sys

import stix2
from stix2validator import ValidationOptions, validate_instance


def stix_bundles(evidence):
    for message in evidence.get("messages", []):
        signed = json.loads(message["envelope"])
        envelope = signed["envelope"]
        stix = envelope.get("body", {}).get("stix")
        if stix is not None:
            yield envelope["id"], envelope["kind"], stix


def main(path):
    with open(path, encoding="utf-8") as f:
        evidence = json.load(f)
    options = ValidationOptions(version="2.1", strict=False)
    checked = 0
    failed = 0
    for message_id, kind, bundle in stix_bundles(evidence):
        checked += 1
        results = validate_instance(bundle, options)
        if not results.is_valid:
            failed += 1
            print(f"FAIL {kind} {message_id}: stix2-validator")
            for error in results.errors:
                print(f"  {error}")
            continue
        for warning in results.warnings:
            print(f"  warning: {warning}")
        parsed = stix2.parse(bundle, allow_custom=True)
        print(
            f"ok   {kind} {message_id}: {bundle['id']} — {len(parsed.objects)} objects,"
            " valid for stix2-validator and parsed by stix2"
        )
    if checked == 0:
        print(f"{path} holds no STIX bundle: nothing was checked", file=sys.stderr)
        return 2
    print(f"{checked} STIX bundles checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
