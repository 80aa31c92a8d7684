#!/usr/bin/env python3
"""Validates SARIF logs against the OASIS SARIF 2.1.0 JSON schema.

usage: validate_sarif.py SCHEMA LOG...

Besides the schema, checks what the schema leaves to the format checker:
every artifact URI is a relative reference made of unreserved characters,
'/' and %XX escapes (RFC 3986), every uriBaseId is declared in
originalUriBaseIds, whose URIs are absolute file:// URIs ending in '/'.
Exits 0 when every log is valid, 1 otherwise (one line per problem).
"""
import json
import re
import sys

import jsonschema

REL = re.compile(r"^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})+$")
BASE = re.compile(r"^file://(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})*/$")


def check(log, schema, validator_class):
    problems = []
    validator = validator_class(schema)
    for error in validator.iter_errors(log):
        problems.append("schema: %s at %s" % (error.message[:300], "/".join(map(str, error.absolute_path))))
    for run in log.get("runs", []):
        bases = run.get("originalUriBaseIds", {})
        for name, base in bases.items():
            if not BASE.match(base.get("uri", "")):
                problems.append("base %s: not an absolute file:// URI ending in '/': %r" % (name, base.get("uri")))
        rules = run["tool"]["driver"].get("rules", [])
        for i, result in enumerate(run.get("results", [])):
            index = result.get("ruleIndex")
            if index is None or rules[index]["id"] != result.get("ruleId"):
                problems.append("result %d: ruleIndex %r does not name rule %r" % (i, index, result.get("ruleId")))
            for loc in result.get("locations", []):
                art = loc.get("physicalLocation", {}).get("artifactLocation", {})
                if not REL.match(art.get("uri", "")):
                    problems.append("result %d: uri %r is not a percent-encoded relative reference" % (i, art.get("uri")))
                if art.get("uriBaseId") not in bases:
                    problems.append("result %d: uriBaseId %r not declared" % (i, art.get("uriBaseId")))
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    failed = False
    for path in argv[2:]:
        with open(path, "rb") as f:
            # Strict: the log must be UTF-8 without surrogate escapes.
            log = json.loads(f.read().decode("utf-8", errors="strict"))
        for problem in check(log, schema, validator_class):
            print("%s: %s" % (path, problem))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
