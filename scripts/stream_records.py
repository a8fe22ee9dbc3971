#!/usr/bin/env python3
"""Helpers for testing stream mode (`healthlint check --input jsonl`) with bad records.

    stream_records.py mix --seed 7 --bad 1000 [--split 4] [--no-invalid-utf8] IN OUT
        Copies the JSON lines of IN (e.g. from `gen_corpus --jsonl`) and puts BAD bad lines
        among them at random places: text that is not JSON, records cut short, JSON that is
        not an object, objects without `text`, `text` that is not a string, an unknown
        `format`, bytes that are not UTF-8 (unless --no-invalid-utf8: Spark's text reader
        replaces those before the binary sees them), and a few blank lines, which are not
        records. With --split K, OUT is a folder of K files (part-000.jsonl, …) instead of
        one file. Writes OUT.manifest.json: the stream lines (1-based, over the files in name
        order) that are bad, and how many records there are in all.

    stream_records.py check-bad --manifest M --clean CLEAN_OUT MIXED_OUT
        Checks the output of a run over the mixed stream against the manifest and against the
        output of a run over the clean input: one output line per record, every bad line has
        an `error` object with its line number, and every good record has exactly the
        diagnostics and summary it had in the clean run. Prints the counts; exits 1 on a
        mismatch.

Standard library only, so that it runs without a virtual environment.
"""

import argparse
import json
import os
import random
import sys

KINDS = (
    "not-json",
    "truncated",
    "not-object",
    "no-text",
    "text-not-string",
    "unknown-format",
    "invalid-utf8",
)


def bad_line(rng, kind, n, good_lines):
    """One bad line (bytes, no newline) of the given kind."""
    if kind == "not-json":
        alphabet = "abcdefghij {}[]:,\"'\\<>#-=*&%$!?"
        while True:
            s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
            if s.strip():
                try:
                    json.loads(s)
                except ValueError:
                    return s.encode()
    if kind == "truncated":
        # Cut at a character boundary: this kind is about JSON, and a line that is also not
        # UTF-8 would be reported as such by a direct run but not through Spark, whose text
        # reader replaces invalid bytes.
        line = rng.choice(good_lines)
        while True:
            cut = line[: rng.randint(1, len(line) - 1)]
            try:
                cut.decode("utf-8")
                return cut
            except UnicodeDecodeError:
                pass
    if kind == "not-object":
        return rng.choice([b"[1, 2, 3]", b'"just a string"', b"42", b"null", b"true", b"[]"])
    if kind == "no-text":
        return json.dumps({"id": f"bad-{n}", "body": "no text field"}).encode()
    if kind == "text-not-string":
        return json.dumps({"id": f"bad-{n}", "text": rng.choice([5, None, ["a"], {"b": 1}])}).encode()
    if kind == "unknown-format":
        return json.dumps({"id": f"bad-{n}", "text": "# Title\n\nBody.", "format": "docx"}).encode()
    if kind == "invalid-utf8":
        prefix = b'{"id": "bad-%d", "text": "caf' % n
        return prefix + bytes([rng.choice([0xFF, 0xFE, 0xC3, 0x80, 0xE9])]) + b'"}'
    raise ValueError(kind)


def mix(args):
    rng = random.Random(args.seed)
    with open(args.input, "rb") as f:
        good = [line.rstrip(b"\n") for line in f if line.strip()]
    kinds = [k for k in KINDS if not (args.no_invalid_utf8 and k == "invalid-utf8")]
    total = len(good) + args.bad
    bad_at = set(rng.sample(range(total), args.bad))
    # (line, kind): kind is None for a good record and "blank" for a blank line.
    lines, g, n = [], 0, 0
    for i in range(total):
        if i in bad_at:
            kind = kinds[n % len(kinds)]
            lines.append((bad_line(rng, kind, n, good), kind))
            n += 1
        else:
            lines.append((good[g], None))
            g += 1
    # Blank lines are not records: a few, so that line numbers and record counts differ.
    for i in sorted(rng.sample(range(len(lines)), min(args.blank, len(lines))), reverse=True):
        lines.insert(i, (rng.choice([b"", b"   ", b"\t"]), "blank"))
    bad = {no: kind for no, (_, kind) in enumerate(lines, 1) if kind not in (None, "blank")}
    records = sum(1 for _, kind in lines if kind != "blank")

    data = [line for line, _ in lines]
    if args.split:
        size = -(-len(data) // args.split)
        os.makedirs(args.output, exist_ok=True)
        for k in range(args.split):
            with open(os.path.join(args.output, f"part-{k:03d}.jsonl"), "wb") as f:
                f.write(b"".join(line + b"\n" for line in data[k * size : (k + 1) * size]))
    else:
        with open(args.output, "wb") as f:
            f.write(b"".join(line + b"\n" for line in data))
    manifest = {"records": records, "good": len(good), "bad": {str(k): v for k, v in bad.items()}}
    with open(args.output.rstrip("/") + ".manifest.json", "w") as f:
        json.dump(manifest, f)
    print(
        f"{len(good)} good records, {len(bad)} bad lines, {args.blank} blank lines -> {args.output}",
        file=sys.stderr,
    )


def check_bad(args):
    with open(args.manifest) as f:
        manifest = json.load(f)
    bad = {int(k): v for k, v in manifest["bad"].items()}
    with open(args.clean, "rb") as f:
        clean = {}
        for raw in f:
            obj = json.loads(raw)
            clean[json.dumps(obj["id"])] = (obj.get("diagnostics"), obj.get("summary"))
    problems = []
    seen_bad, seen_good, kinds = 0, 0, {}
    with open(args.mixed, "rb") as f:
        out = [json.loads(raw) for raw in f]
    if len(out) != manifest["records"]:
        problems.append(f"{len(out)} output lines for {manifest['records']} records")
    for obj in out:
        line = obj.get("line")
        if line in bad:
            if "error" not in obj or not obj["error"].startswith(f"line {line}: "):
                problems.append(f"bad line {line} ({bad[line]}) got no error object: {obj}")
            else:
                seen_bad += 1
                kinds[bad[line]] = kinds.get(bad[line], 0) + 1
        else:
            key = json.dumps(obj.get("id"))
            if "error" in obj:
                problems.append(f"good line {line} got an error: {obj['error']}")
            elif clean.get(key) != (obj.get("diagnostics"), obj.get("summary")):
                problems.append(f"good line {line} (id {key}) differs from the clean run")
            else:
                seen_good += 1
    if seen_good != manifest["good"]:
        problems.append(f"{seen_good} of {manifest['good']} good records reported as in the clean run")
    if seen_bad != len(bad):
        problems.append(f"{seen_bad} of {len(bad)} bad lines have an error object")
    for p in problems[:20]:
        print("MISMATCH:", p, file=sys.stderr)
    print(
        json.dumps(
            {
                "records": len(out),
                "good_as_clean": seen_good,
                "bad_with_error": seen_bad,
                "bad_kinds": kinds,
                "problems": len(problems),
            }
        )
    )
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mix")
    m.add_argument("--seed", type=int, default=7)
    m.add_argument("--bad", type=int, default=1000)
    m.add_argument("--blank", type=int, default=5)
    m.add_argument("--split", type=int, default=0)
    m.add_argument("--no-invalid-utf8", action="store_true")
    m.add_argument("input")
    m.add_argument("output")
    c = sub.add_parser("check-bad")
    c.add_argument("--manifest", required=True)
    c.add_argument("--clean", required=True)
    c.add_argument("mixed")
    args = parser.parse_args()
    if args.cmd == "mix":
        return mix(args) or 0
    return check_bad(args)


if __name__ == "__main__":
    sys.exit(main())
