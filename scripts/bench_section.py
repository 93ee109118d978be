#!/usr/bin/env python3
"""Replaces (or appends) one generated section of docs/benchmarks.md.

usage: bench_section.py MARKER FILE   — FILE holds the section, starting with
"<!-- BEGIN GENERATED: MARKER -->" and ending with "<!-- END GENERATED: MARKER -->".
"""
import re
import sys

marker, section = sys.argv[1], open(sys.argv[2]).read()
path = "docs/benchmarks.md"
doc = open(path).read()
pattern = re.compile(r"<!-- BEGIN GENERATED: %s -->.*?<!-- END GENERATED: %s -->\n?" % (re.escape(marker), re.escape(marker)), re.S)
doc = pattern.sub(lambda m: section, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section
open(path, "w").write(doc)
