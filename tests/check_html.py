#!/usr/bin/env python3
"""Checks a tblint --format html report in headless Chromium (docs/html.md).

usage: check_html.py CHROMIUM REPORT.html SCREENSHOT.png [--run N] [--expect-text TEXT]...

Loads REPORT with every run opened (#all) and dumps the DOM; loads it again
with one run opened (#run-N) and takes a screenshot. Chromium runs headless,
without sandbox or GPU, with every host name mapped to nothing and a net log
of everything it tried to fetch. Checks, from the data island and the DOM:
  - the page forbids network access (CSP default-src 'none') and names no
    external URL, and the net log holds no request the page started (the
    browser's own background requests carry no initiator and are ignored);
  - every run has a timeline (an <svg class="timeline" data-run=N>);
  - every finding has a row (<tr data-finding=ID>);
  - every TB303/TB402 finding is drawn as an overlap (data-overlap=ID);
  - the expected texts (--expect-text) appear as text and no <script> or
    element other than the page's own was created from a name.
Exit 0 when all hold; else 1 with one line per failed check.
"""
import html.parser
import json
import os
import subprocess
import sys
import tempfile


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs dict)
        self.text = []
        self.scripts = 0
        self.in_data = False
        self.in_title = False
        self.title = ''
        self.data = ''

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == 'script':
            self.scripts += 1
            self.in_data = a.get('id') == 'tblint-data'
        self.in_title = tag == 'title' and not self.in_svg()

    def in_svg(self):
        return any(t == 'svg' for t, _ in self.elements[-50:])

    def handle_endtag(self, tag):
        if tag == 'script':
            self.in_data = False
        self.in_title = False

    def handle_data(self, data):
        if self.in_data:
            self.data += data
        elif self.in_title and not self.title:
            self.title = data
        else:
            self.text.append(data)


def chromium(binary, args, profile):
    base = [binary, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--disable-default-apps', '--disable-extensions', '--host-resolver-rules=MAP * ~NOTFOUND',
            '--user-data-dir=' + profile, '--virtual-time-budget=5000']
    return subprocess.run(base + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)


def main():
    argv = sys.argv[1:]
    if len(argv) < 3:
        print(__doc__)
        return 2
    binary, report, shot = argv[0], os.path.abspath(argv[1]), os.path.abspath(argv[2])
    run = 0
    expect = []
    rest = argv[3:]
    while rest:
        if rest[0] == '--run':
            run = int(rest[1])
        elif rest[0] == '--expect-text':
            expect.append(rest[1])
        rest = rest[2:]
    failures = []
    raw = open(report, encoding='utf-8').read()
    if "default-src 'none'" not in raw:
        failures.append("no Content-Security-Policy default-src 'none' in the page")
    with tempfile.TemporaryDirectory() as profile:
        netlog = os.path.join(profile, 'netlog.json')
        url = 'file://' + report
        p = chromium(binary, ['--log-net-log=' + netlog, '--dump-dom', url + '#all'], os.path.join(profile, 'a'))
        if p.returncode != 0:
            print('chromium --dump-dom failed: ' + p.stderr.decode(errors='replace')[-2000:])
            return 1
        dom_text = p.stdout.decode('utf-8', errors='replace')
        os.makedirs(os.path.dirname(shot), exist_ok=True)
        q = chromium(binary, ['--screenshot=' + shot, '--window-size=1300,1100', '--hide-scrollbars',
                              url + '#open-run-' + str(run)], os.path.join(profile, 'b'))
        if q.returncode != 0 or not os.path.exists(shot) or os.path.getsize(shot) == 0:
            failures.append('no screenshot: ' + q.stderr.decode(errors='replace')[-1000:])
        requests = []
        if os.path.exists(netlog):
            log = open(netlog, encoding='utf-8', errors='replace').read()
            try:
                events = json.loads(log)['events']
            except ValueError:  # chromium may leave the log unterminated
                events = json.loads(log.rstrip().rstrip(',') + ']}')['events']
            types = {v: k for k, v in json.loads(log[:log.find('"events"')].rstrip().rstrip(',') + '}')
                     ['constants']['logEventTypes'].items()} if '"constants"' in log else {}
            for ev in events:
                params = ev.get('params') or {}
                u = params.get('url')
                # The browser's own background requests (updates, time) have no
                # origin; the page's have its origin (file:// pages: "null").
                if (types.get(ev.get('type')) == 'URL_REQUEST_START_JOB' and u and
                        params.get('initiator') != 'not an origin' and not u.startswith('data:')):
                    requests.append(u)
        else:
            failures.append('chromium wrote no net log')
        if requests:
            failures.append('the page made network requests: ' + ', '.join(sorted(set(requests))[:5]))

    dom = Dom()
    dom.feed(dom_text)
    data = json.loads(dom.data) if dom.data else None
    if data is None:
        failures.append('no data island in the DOM')
        data = {'runs': [], 'findings': []}
    timelines = {a.get('data-run') for t, a in dom.elements if t == 'svg' and 'timeline' in a.get('class', '')}
    for i, r in enumerate(data['runs']):
        if str(i) not in timelines:
            failures.append('run %d (%s) has no timeline' % (i, r['n']))
    rows = {a.get('data-finding') for t, a in dom.elements if t == 'tr' and 'data-finding' in a}
    overlaps = {a.get('data-overlap') for t, a in dom.elements if 'data-overlap' in a}
    for f in data['findings']:
        if str(f['id']) not in rows:
            failures.append('finding %d (%s) has no row' % (f['id'], f['c']))
        if f['c'] in ('TB303', 'TB402') and str(f['id']) not in overlaps:
            failures.append('overlap finding %d (%s) is not drawn' % (f['id'], f['c']))
    for t, a in dom.elements:
        for k in ('src', 'href', 'xlink:href', 'action', 'poster', 'data'):
            v = a.get(k)
            if v and not v.startswith('#') and not v.startswith('data:'):
                failures.append('external reference <%s %s="%s">' % (t, k, v))
        if t in ('img', 'iframe', 'object', 'embed', 'link', 'base', 'form'):
            failures.append('unexpected <%s> element' % t)
    if dom.scripts != 2:
        failures.append('expected the page\'s 2 script elements, found %d' % dom.scripts)
    if not dom.title.startswith('tblint: '):
        failures.append('the page title was changed to %r' % dom.title)
    text = ''.join(dom.text)
    for e in expect:
        if e not in text:
            failures.append('text not shown: %r' % e)
    print('%d runs, %d findings, %d overlaps drawn; screenshot %s' %
          (len(data['runs']), len(data['findings']), len(overlaps), shot))
    for f in failures:
        print('FAIL: ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
