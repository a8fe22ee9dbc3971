"""Writes the pathological shapes of `bench/shapes.sh` into a folder: the same bytes every
time, from a few invented sentences (advice with drug names and doses, and a claim that the
rules report about every 2 KB, every 100 bytes in `findings-on-one-line`), so that every
stage has work to do. A file that already holds the right bytes is left alone."""

import os
import sys

ADVICE = (
    "rest the knee and raise it on a pillow, take ibuprofen 200 mg with food or "
    "paracetamol 500 mg up to four times a day, and see a doctor if the pain gets "
    "worse or you cannot put weight on it"
).split()
SENTENCE = (
    "Rest the knee, take ibuprofen 200 mg with food and see a doctor if it gets "
    "worse or you cannot walk on it. "
)
CLAIM = "Some sellers call this gel a miracle cure. "


def words(n_bytes, claim_every=2000):
    """Words of advice with no full stop, `a miracle cure` every `claim_every` bytes."""
    parts, size, since, i = [], 0, 0, 0
    while size < n_bytes:
        word = ADVICE[i % len(ADVICE)]
        if since >= claim_every:
            word, since = "a miracle cure", 0
        parts.append(word)
        size += len(word) + 1
        since += len(word) + 1
        i += 1
    return " ".join(parts)


def every(n, i, plain, claimed):
    return claimed if i % n == n - 1 else plain


SHAPES = {
    # One sentence of 2 MB: no full stop anywhere.
    "long-sentence.md": "# Knee pain\n\n" + words(2_000_000) + "\n",
    # One paragraph of 2 MB: sentences without a blank line between them.
    "long-paragraph.md": "# Knee pain\n\n"
    + "".join(every(15, i, SENTENCE, CLAIM) for i in range(2_000_000 // len(SENTENCE)))
    + "\n",
    # A table of 10,000 rows (2 MB).
    "table-10000-rows.md": "# Knee pain\n\n| advice | dose | when to get help |\n|---|---|---|\n"
    + "".join(
        f"| rest the knee and raise it, row {i}{every(10, i, '', '. This gel is a miracle cure')} "
        f"| ibuprofen 200 mg with food, up to three times a day | see a doctor if it gets "
        f"worse or you cannot walk on it |\n"
        for i in range(10_000)
    ),
    # A list of 100,000 items (3.5 MB).
    "list-100000-items.md": "# Knee pain\n\n"
    + "".join(
        f"- take paracetamol 500 mg, item {i}{every(50, i, '', ': a miracle cure')}\n"
        for i in range(100_000)
    ),
    # 2,000 nested block quotes, each level a line of its own (2 MB of `>`).
    "nested-quotes.md": "# Knee pain\n\n"
    + "".join(
        ">" * d + " " + every(10, d, "rest the knee", "this gel is a miracle cure") + "\n"
        for d in range(1, 2_001)
    ),
    # 1,400 nested list levels, each indented under the one before (2 MB of indentation).
    "nested-lists.md": "# Knee pain\n\n"
    + "".join(
        "  " * d + "- " + every(10, d, "take ibuprofen 200 mg", "a miracle cure") + "\n"
        for d in range(1_400)
    ),
    # One line of 1 MB with a finding every 100 bytes.
    "findings-on-one-line.md": "# Knee pain\n\n" + words(1_000_000, claim_every=90) + "\n",
}


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, text in SHAPES.items():
        path = os.path.join(out, name)
        data = text.encode()
        if os.path.exists(path):
            with open(path, "rb") as f:
                if f.read() == data:
                    continue
        with open(path, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
