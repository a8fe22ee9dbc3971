#!/usr/bin/env python3
"""Compares the Parquet written by examples/spark/healthlint_job.py with the output of a
direct `healthlint check --input jsonl --format jsonl` over the same records (the checking
half of scripts/spark-test.sh).

    spark_check.py [--parquet-job SOURCE.jsonl WORK BINARY] \
        --compare LABEL DIRECT.jsonl SPARK_OUTPUT EXPECTED_FAILED [--compare …]

--parquet-job first writes the records of SOURCE.jsonl as Parquet (WORK/pages-parquet) and
runs the job over them (into WORK/out-parquet), in this process's Spark session: every JVM
start costs seconds, and CI runs this.

Each --compare checks, and the script exits 1 on any difference:
- the same records: the same ids, each with the same path, counts and diagnostics (code,
  severity, message, positions, help, note, labels);
- the same bad records: the same errors (without the `line N:` prefix, whose N is the line in
  the stream one process read: one partition's in Spark, the whole input in the direct run);
- the same totals per severity and per code, and EXPECTED_FAILED bad records.

Needs pyspark (reads the Parquet back with Spark; no pandas).
"""

import argparse
import collections
import json
import os
import re
import sys

from pyspark.sql import SparkSession

PREFIX = re.compile(r"^line \d+: ")


def id_text(value):
    # As the job's `id` column holds it: Spark keeps a non-string value as its JSON text, as
    # the binary wrote it (compact, keys sorted).
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def position(item):
    s, e = item["start"], item["end"]
    return (s["offset"], s["line"], s["column"], e["offset"], e["line"], e["column"])


def direct_view(path):
    records, errors, findings = {}, collections.Counter(), collections.defaultdict(list)
    with open(path, "rb") as f:
        for raw in f:
            obj = json.loads(raw)
            ident = id_text(obj.get("id"))
            if "error" in obj:
                errors[(ident, PREFIX.sub("", obj["error"]))] += 1
                continue
            s = obj["summary"]
            records[ident] = (obj["path"], s["error"], s["warning"], s["info"])
            for d in obj["diagnostics"]:
                labels = tuple(
                    (label["primary"], label.get("message"), *position(label))
                    for label in d["labels"]
                )
                findings[ident].append(
                    (d["code"], d["name"], d["category"], d["severity"], d["message"],
                     *position(d), d.get("help"), d.get("note"), labels)
                )
    return records, errors, findings


def spark_view(spark, out):
    records, errors, findings = {}, collections.Counter(), collections.defaultdict(list)
    for r in spark.read.parquet(f"{out}/records").collect():
        if r["error"] is not None:
            errors[(r["id"], PREFIX.sub("", r["error"]))] += 1
        else:
            if r["id"] in records:
                raise SystemExit(f"spark_check: id {r['id']!r} twice in the Spark records")
            records[r["id"]] = (r["path"], r["errors"], r["warnings"], r["infos"])
    for r in spark.read.parquet(f"{out}/findings").collect():
        labels = tuple(
            (
                label["primary"], label["message"], label["start_offset"], label["start_line"],
                label["start_column"], label["end_offset"], label["end_line"], label["end_column"],
            )
            for label in r["labels"]
        )
        findings[r["id"]].append(
            (r["code"], r["name"], r["category"], r["severity"], r["message"],
             r["start_offset"], r["start_line"], r["start_column"], r["end_offset"],
             r["end_line"], r["end_column"], r["help"], r["note"], labels)
        )
    return records, errors, findings


def totals(findings):
    severity, code = collections.Counter(), collections.Counter()
    for rows in findings.values():
        for row in rows:
            severity[row[3]] += 1
            code[row[0]] += 1
    return severity, code


def compare(spark, label, direct, out, expect_failed):
    d_records, d_errors, d_findings = direct_view(direct)
    s_records, s_errors, s_findings = spark_view(spark, out)
    problems = []
    if d_records.keys() != s_records.keys():
        only_d = sorted(map(str, d_records.keys() - s_records.keys()))[:5]
        only_s = sorted(map(str, s_records.keys() - d_records.keys()))[:5]
        problems.append(f"records differ: only direct {only_d}, only Spark {only_s}")
    for ident in sorted(d_records.keys() & s_records.keys(), key=str):
        if d_records[ident] != s_records[ident]:
            problems.append(f"{ident}: counts {d_records[ident]} direct, {s_records[ident]} Spark")
        # Spark does not keep row order; the direct run's order is by offset then code.
        if sorted(d_findings[ident], key=repr) != sorted(s_findings[ident], key=repr):
            problems.append(f"{ident}: diagnostics differ")
    if d_errors != s_errors:
        problems.append(f"bad records differ: direct {dict(d_errors)}, Spark {dict(s_errors)}")
    d_sev, d_code = totals(d_findings)
    s_sev, s_code = totals(s_findings)
    if d_sev != s_sev or d_code != s_code:
        problems.append(f"totals differ: direct {dict(d_sev)}, Spark {dict(s_sev)}")
    failed = sum(s_errors.values())
    if failed != expect_failed:
        problems.append(f"{failed} failed records, {expect_failed} expected")
    for p in problems[:20]:
        print(f"spark_check [{label}]: MISMATCH: {p}", file=sys.stderr)
    severities = ", ".join(f"{k} {v}" for k, v in sorted(s_sev.items()))
    verdict = "SAME as the direct run" if not problems else "DIFFERENT"
    print(
        f"spark_check [{label}]: {len(s_records)} records checked, {failed} bad records, "
        f"{sum(s_sev.values())} findings ({severities}), {len(s_code)} codes: {verdict}",
        file=sys.stderr,
    )
    return not problems


def parquet_job(spark, source, work, binary):
    from pyspark.sql import types as T

    job = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "spark")
    sys.path.insert(0, job)
    # Imported, the job's functions reach the Python workers by module name, so the workers
    # need the module too (run as a script, they would travel by value).
    spark.sparkContext.addPyFile(os.path.join(job, "healthlint_job.py"))
    import healthlint_job

    schema = T.StructType([T.StructField(c, T.StringType()) for c in ("id", "path", "format", "text")])
    pages = os.path.join(work, "pages-parquet")
    spark.read.schema(schema).json(source).repartition(3).write.mode("overwrite").parquet(pages)
    healthlint_job.main(
        ["--binary", binary, "--input-format", "parquet", "--input", pages,
         "--output", os.path.join(work, "out-parquet")]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--parquet-job", nargs=3, metavar=("SOURCE", "WORK", "BINARY"))
    parser.add_argument(
        "--compare", nargs=4, action="append", required=True,
        metavar=("LABEL", "DIRECT", "SPARK_OUTPUT", "EXPECTED_FAILED"),
    )
    args = parser.parse_args()

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("healthlint-check")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    if args.parquet_job:
        parquet_job(spark, *args.parquet_job)
    ok = [compare(spark, label, d, s, int(n)) for label, d, s, n in args.compare]
    spark.stop()
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
