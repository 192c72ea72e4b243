#!/usr/bin/env python3
"""How often claim-digest's extracted title, link and date agree with feedparser's own
expectations, per folder of feedparser's test documents.

Usage: .ci/feedparser-agreement.py BINARY CORPUS_DIR [--markdown]

Reads _manifests/feedparser.tsv, keeps the well-formed documents (and the encoding tests that
feedparser reads without error) whose expectation checks a feed or entry title, link or date,
runs `BINARY feed check --json` over them (documents marked http-mock are served from
127.0.0.1:8097 with their headers, as feedparser's own tests do), and compares.
"""
import ast
import html
import datetime as dt
import email.utils
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections import defaultdict

CLAUSE = re.compile(
    r"^(feed|entries\[(\d+)\])\['(title|link|published|updated|published_parsed|updated_parsed)'\]\s*==\s*(.+)$"
)


def load_cases(corpus):
    cases = []
    with open(os.path.join(corpus, "_manifests", "feedparser.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            klass = row.get("class", "")
            if not (klass.startswith("wellformed") or klass.startswith("encoding:not-bozo")):
                continue
            checks = []
            for clause in row.get("expect", "").split(" and "):
                m = CLAUSE.match(clause.strip())
                if not m:
                    continue
                try:
                    expected = ast.literal_eval(m.group(4).strip())
                except (ValueError, SyntaxError):
                    continue
                index = int(m.group(2)) if m.group(2) is not None else None
                checks.append((index, m.group(3), expected))
            if not checks:
                continue
            parts = row["path"].split("/")
            folder = parts[2] if parts[1] == "wellformed" else parts[1]
            cases.append({"path": row["path"], "served": row["served_as"], "headers": row.get("headers", ""),
                          "folder": folder, "checks": checks})
    return cases


def serve(corpus, cases):
    by_path = {"/" + c["path"]: c for c in cases if c["served"] != "direct"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            case = by_path.get(self.path)
            if case is None:
                self.send_error(404)
                return
            with open(os.path.join(corpus, "feedparser", case["path"]), "rb") as f:
                body = f.read()
            self.send_response(200)
            for header in filter(None, case["headers"].split("|")):
                name, _, value = header.partition(":")
                self.send_header(name.strip(), value.strip())
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 8097), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def when(value):
    """Our RFC 3339 string, feedparser's date string or its 9-tuple, as a comparable tuple."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(value[:6])
    text = str(value).strip()
    for parse in (lambda t: dt.datetime.fromisoformat(t.replace("Z", "+00:00")), email.utils.parsedate_to_datetime):
        try:
            d = parse(text)
            if d.tzinfo is not None:
                d = d.astimezone(dt.timezone.utc)
            return (d.year, d.month, d.day, d.hour, d.minute, d.second)
        except (ValueError, TypeError, IndexError):
            continue
    return ("unparsed", text)


def plain(text):
    """feedparser keeps markup in some titles; ours are plain text by design."""
    text = re.sub(r"<[^>]*>", "", text)
    return " ".join(html.unescape(text).split())


def same_title(ours, expected, as_plain):
    ours = " ".join((ours or "").split())
    return ours == (plain(expected) if as_plain else " ".join(expected.split()))


def agrees(ours, index, field, expected, as_plain=False):
    if not ours.get("ok"):
        return False
    if index is None:
        if field == "title":
            return same_title(ours.get("title"), expected, as_plain)
        if field == "link":
            return (ours.get("link") or "") == expected
        return when(ours.get("updated")) == when(expected)
    items = ours.get("items", [])
    if index >= len(items):
        return False
    item = items[index]
    if field == "title":
        return same_title(item["title"], expected, as_plain)
    if field == "link":
        return (item.get("url") or "") == expected
    return when(item.get("published")) == when(expected)


def main():
    binary, corpus = sys.argv[1], sys.argv[2]
    markdown = "--markdown" in sys.argv
    cases = load_cases(corpus)
    server = serve(corpus, cases)
    inputs = []
    for c in cases:
        if c["served"] == "direct":
            inputs.append(os.path.join(corpus, "feedparser", c["path"]))
        else:
            inputs.append("http://127.0.0.1:8097/" + c["path"])
    env = dict(os.environ, FEED_ALLOW_PRIVATE="true", RUST_LOG="error")
    results = []
    for start in range(0, len(inputs), 200):
        chunk = inputs[start:start + 200]
        out = subprocess.run([binary, "feed", "check", "--json", *chunk], capture_output=True, text=True, env=env, timeout=300)
        lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        assert len(lines) == len(chunk), f"expected {len(chunk)} lines, got {len(lines)}: {out.stderr[-500:]}"
        results.extend(lines)
    server.shutdown()
    totals = defaultdict(lambda: [0, 0, 0])
    misses = defaultdict(list)
    for case, ours in zip(cases, results):
        exact = all(agrees(ours, i, f, e) for i, f, e in case["checks"])
        as_plain = all(agrees(ours, i, f, e, as_plain=True) for i, f, e in case["checks"])
        t = totals[case["folder"]]
        t[0] += exact
        t[1] += as_plain
        t[2] += 1
        if not as_plain:
            misses[case["folder"]].append(case["path"])
    rows = sorted(totals.items()) + [("all", [sum(t[k] for t in totals.values()) for k in range(3)])]
    if markdown:
        print("| folder | documents measured | agree exactly | agree, titles as plain text |")
        print("|---|---:|---:|---:|")
    for folder, (exact, as_plain, n) in rows:
        if markdown:
            name = f"**{folder}**" if folder == "all" else folder
            print(f"| {name} | {n} | {exact} ({100 * exact / n:.0f}%) | {as_plain} ({100 * as_plain / n:.0f}%) |")
        else:
            print(f"{folder:12} {n:4}  exact {100 * exact / n:5.1f}%  plain-text titles {100 * as_plain / n:5.1f}%")
    if os.environ.get("SHOW_MISSES"):
        for folder, paths in sorted(misses.items()):
            for p in paths:
                print(f"  miss {folder}: {p}")

if __name__ == "__main__":
    main()
