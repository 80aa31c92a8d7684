#!/usr/bin/env python3
"""Checks JUnit XML reports: well-formed XML 1.0 and consistent counts.

usage: check_junit.py REPORT...
       check_junit.py --cases REPORT

Each report must parse (xml.etree.ElementTree, a strict XML 1.0 parser) and
have the shape docs/formats.md describes: a <testsuites> root whose tests and
failures attributes are the sums over its <testsuite>s, each <testsuite>'s
tests the number of its <testcase>s and failures the number of those holding
at least one <failure>. Prints one line per problem; exits 1 on any.

With --cases, prints the report's tests as JSON instead: a list of
{"suite", "file", "failures", "out"}, where "failures" holds the type of each
<failure> and "out" the code of each finding in the <system-out>, in order.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET


def cases(path):
    out = []
    for suite in ET.parse(path).getroot().findall("testsuite"):
        for c in suite.findall("testcase"):
            below = c.find("system-out")
            out.append({"suite": suite.get("name"), "file": c.get("file"),
                        "failures": [f.get("type") for f in c.findall("failure")],
                        "out": re.findall(r"\[(TB[0-9]+) ", below.text if below is not None else "")})
    return out


def check(path):
    problems = []
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return ["not well-formed XML: %s" % e]
    if root.tag != "testsuites":
        return ["root is <%s>, not <testsuites>" % root.tag]
    tests = failures = 0
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        failing = [c for c in cases if c.find("failure") is not None]
        if int(suite.get("tests")) != len(cases):
            problems.append("suite %r: tests=%s, has %d" % (suite.get("name"), suite.get("tests"), len(cases)))
        if int(suite.get("failures")) != len(failing):
            problems.append("suite %r: failures=%s, has %d" % (suite.get("name"), suite.get("failures"), len(failing)))
        for c in cases:
            for f in c.findall("failure"):
                if not f.get("type", "").startswith("TB") or f.get("message") is None:
                    problems.append("failure without type or message in %r" % c.get("name"))
        tests += len(cases)
        failures += len(failing)
    if int(root.get("tests")) != tests or int(root.get("failures")) != failures:
        problems.append("testsuites: tests=%s failures=%s, sums are %d and %d"
                        % (root.get("tests"), root.get("failures"), tests, failures))
    return problems


def main(argv):
    if len(argv) == 3 and argv[1] == "--cases":
        print(json.dumps(cases(argv[2])))
        return 0
    failed = False
    for path in argv[1:]:
        for problem in check(path):
            print("%s: %s" % (path, problem))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
