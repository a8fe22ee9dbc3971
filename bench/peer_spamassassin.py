#!/usr/bin/env python3
"""Side-by-side: healthlint's drug-promotion findings against SpamAssassin's drug rules.

Usage:
    python3 bench/peer_spamassassin.py --corpus ../shared/corpus/real [--bin target/release/healthlint]
        [--with-replace] [--show]

SpamAssassin (Debian package `spamassassin`) is run with only its drug rules: `20_drugs.cf`
(and, with --with-replace, the obfuscation rules of `25_replace.cf`), plus the prefs and plugin
loaders it needs to run at all. Each document becomes a minimal e-mail (its first line as the
subject when it starts with "Subject:"). A document counts as found by SpamAssassin when any
rule from those files fires, and by healthlint when it has a `drug-promotion` error or warning.
Both are scored against `drug_promotion` in the corpus's labels.toml, per source folder.

This is a measurement tool, not a test: SpamAssassin is not a dependency of healthlint.
"""
import argparse
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

SA_SHARE = "/usr/share/spamassassin"
SA_ETC = "/etc/spamassassin"


def sa_config(with_replace):
    """A config folder holding only what the drug rules need to run."""
    conf = tempfile.mkdtemp(prefix="sa-drugs-")
    for pre in glob.glob(os.path.join(SA_ETC, "*.pre")):
        shutil.copy(pre, conf)
    files = ["10_default_prefs.cf", "10_hasbase.cf", "20_aux_tlds.cf", "20_drugs.cf"]
    if with_replace:
        files.append("25_replace.cf")
    for name in files:
        path = os.path.join(SA_SHARE, name)
        if os.path.exists(path):
            shutil.copy(path, conf)
    rule_names = set()
    for name in files[3:]:
        with open(os.path.join(conf, name), encoding="latin-1") as f:
            for line in f:
                m = re.match(r"^\s*(?:body|rawbody|header|meta|uri|full)\s+([A-Z0-9_]+)", line)
                if m and not m.group(1).startswith("__"):
                    rule_names.add(m.group(1))
    return conf, rule_names


def sa_hits(conf, rule_names, path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    first, _, rest = text.partition("\n")
    if first.startswith("Subject:"):
        subject, body = first, rest
    else:
        subject, body = "Subject: document", text
    mail = f"From: a@example.com\nTo: b@example.com\n{subject}\n\n{body}"
    site = tempfile.mkdtemp(prefix="sa-site-")
    out = subprocess.run(
        ["spamassassin", "-t", "-L", "-C", conf, "--siteconfigpath", site],
        input=mail, capture_output=True, text=True,
    ).stdout
    shutil.rmtree(site, ignore_errors=True)
    m = re.search(r"^X-Spam-Status:.*?tests=(.*?)\s+autolearn", out, re.S | re.M)
    tests = re.split(r"[,\s]+", m.group(1)) if m else []
    return sorted(t for t in tests if t in rule_names)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--bin", default="target/release/healthlint")
    ap.add_argument("--with-replace", action="store_true")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    if not shutil.which("spamassassin"):
        sys.exit("peer_spamassassin.py: spamassassin is not installed (Debian: apt-get install spamassassin)")
    with open(os.path.join(args.corpus, "labels.toml"), "rb") as f:
        docs = tomllib.load(f)["doc"]
    paths = [os.path.join(args.corpus, d["file"]) for d in docs]
    hl = subprocess.run([args.bin, "check", "--format", "json", *paths], capture_output=True, text=True)
    flagged = {
        os.path.normpath(d["path"])
        for d in json.loads(hl.stdout)["diagnostics"]
        if d["category"] == "drug-promotion" and d["severity"] in ("error", "warning")
    }
    conf, rule_names = sa_config(args.with_replace)
    rows = collections.defaultdict(lambda: collections.Counter())
    for doc, path in zip(docs, paths):
        folder = doc["file"].split("/")[0] if "/" in doc["file"] else "."
        truth = bool(doc["drug_promotion"])
        sa = sa_hits(conf, rule_names, path)
        ours = os.path.normpath(path) in flagged
        for tool, hit in (("spamassassin", bool(sa)), ("healthlint", ours)):
            key = ("tp" if truth else "fp") if hit else ("fn" if truth else "tn")
            rows[(folder, tool)][key] += 1
        if args.show and (bool(sa) != truth or ours != truth):
            print(f"{doc['file']}: label={truth} healthlint={ours} spamassassin={','.join(sa) or '-'}")
    shutil.rmtree(conf, ignore_errors=True)
    print(f"{'folder':<16}{'tool':<14}{'tp':>4}{'fp':>4}{'fn':>4}{'tn':>4}  recall  precision")
    for (folder, tool), c in sorted(rows.items()):
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
        print(f"{folder:<16}{tool:<14}{c['tp']:>4}{c['fp']:>4}{c['fn']:>4}{c['tn']:>4}  {recall:6.2f}  {precision:9.2f}")


if __name__ == "__main__":
    main()
