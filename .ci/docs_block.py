"""Print a fenced block of a Markdown file: docs_block.py FILE "HEADING" N (the N-th block, from 1,
under the heading whose text starts with HEADING). The deployment stage runs what the docs say."""

import sys

path, heading, number = sys.argv[1], sys.argv[2], int(sys.argv[3])
inside_section = inside_block = False
seen = 0
for line in open(path, encoding="utf-8"):
    if line.startswith("#") and not inside_block:
        inside_section = line.lstrip("#").strip().startswith(heading)
        continue
    if inside_section and line.startswith("```"):
        inside_block = not inside_block
        if inside_block:
            seen += 1
        elif seen == number:
            sys.exit(0)
        continue
    if inside_section and inside_block and seen == number:
        sys.stdout.write(line)
sys.exit(f"{path}: no block {number} under a heading starting with {heading!r}")
