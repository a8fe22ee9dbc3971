#!/usr/bin/env python3
"""Checks a folder of crawled pages with healthlint as a Spark stage (PySpark).

Each partition of pages is piped through one `healthlint check --input jsonl --format jsonl`
process (stream mode, see the README's "Stream mode"), and the findings are written as Parquet:

    OUTPUT/findings/   one row per diagnostic (id, path, code, severity, message, positions…)
    OUTPUT/records/    one row per input record: its counts, or the `error` that kept it
                       from being checked (a line that is not JSON, a record without `text`…)

`id` is a string column: a string id as given, any other JSON value as its JSON text. Every
row also has `input_file`, `partition` and `stream_line` (the record's line in the stream its
partition's process read) to find the record again.

Input (`--input-format`):
    jsonl    a folder (or file, or glob) of JSON-lines files, one page a line, in the stream-mode
             shape: {"id": …, "text": …, "format": "md" | "txt", "path": …}. Lines are handed to
             the binary as they are, so a bad line is reported by the binary, not by Spark.
             Spark reads text as UTF-8 and replaces invalid bytes with U+FFFD before the binary
             sees them, so a line that is not UTF-8 is checked with replacement characters here
             instead of being reported as "not UTF-8" as a direct run would.
    parquet  Parquet files with a string column `text` and optional `id`, `format` and `path`.

Run in local mode (see scripts/spark-test.sh, which also installs pyspark and Java):

    python3 examples/spark/healthlint_job.py --binary target/release/healthlint \\
        --input pages/ --output findings/ [--input-format parquet] [--master local[2]]

On a cluster, submit the same file with spark-submit; the binary is shipped to the executors
with `SparkContext.addFile`, so it must be built for their platform.

Why a subprocess per partition and not `RDD.pipe`: stream mode exits 1 when it found something
and 2 when some records could not be read, and both are normal outcomes here. `RDD.pipe` can
only ignore every exit code (`checkCode=False`, which also hides a crash or a refused config)
or fail on every non-zero one. Driving the process ourselves lets the job accept 0, 1 and 2,
check that exactly one output line came back per record (so a run that checked nothing is not
mistaken for a clean one), and fail the task with the binary's own message otherwise.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from pyspark import SparkConf, SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T


def position_type():
    return T.StructType([T.StructField(k, T.LongType()) for k in ("offset", "line", "column")])


# One output line of stream mode (see src/report/jsonl.rs), with the fields the job puts in
# front: where the record came from. Parsed by Spark's JSON reader in the JVM rather than into
# rows in the Python workers, which would then cross into the JVM again as pickles. A
# non-string `id` is kept as its JSON text.
OUTPUT_SCHEMA = T.StructType(
    [
        T.StructField("input_file", T.StringType()),
        T.StructField("partition", T.IntegerType()),
        T.StructField("stream_line", T.LongType()),
        T.StructField("line", T.LongType()),
        T.StructField("id", T.StringType()),
        T.StructField("path", T.StringType()),
        T.StructField("error", T.StringType()),
        T.StructField(
            "summary",
            T.StructType([T.StructField(k, T.LongType()) for k in ("error", "warning", "info")]),
        ),
        T.StructField(
            "diagnostics",
            T.ArrayType(
                T.StructType(
                    [
                        *(
                            T.StructField(k, T.StringType())
                            for k in ("code", "name", "category", "severity", "message")
                        ),
                        T.StructField("start", position_type()),
                        T.StructField("end", position_type()),
                        T.StructField("help", T.StringType()),
                        T.StructField("note", T.StringType()),
                        T.StructField(
                            "labels",
                            T.ArrayType(
                                T.StructType(
                                    [
                                        T.StructField("primary", T.BooleanType()),
                                        T.StructField("message", T.StringType()),
                                        T.StructField("start", position_type()),
                                        T.StructField("end", position_type()),
                                    ]
                                )
                            ),
                        ),
                    ]
                )
            ),
        ),
    ]
)

# Where a row came from: the input file, the partition, and the record's line in the stream
# that partition's process read (1-based; stable for a given input and partitioning).
ORIGIN = ["input_file", "partition", "stream_line"]


def flat_positions(item):
    """start_offset, start_line, …, end_column columns of a struct with `start` and `end`."""
    return [
        item[edge][k].alias(f"{edge}_{k}")
        for edge in ("start", "end")
        for k in ("offset", "line", "column")
    ]


def records_of(parsed):
    """One row per input record: its counts, or its error."""
    return parsed.select(
        "id",
        "path",
        "error",
        F.coalesce(F.col("summary.error"), F.lit(0)).alias("errors"),
        F.coalesce(F.col("summary.warning"), F.lit(0)).alias("warnings"),
        F.coalesce(F.col("summary.info"), F.lit(0)).alias("infos"),
        *ORIGIN,
    )


def findings_of(parsed):
    """One row per diagnostic."""
    d = F.col("d")
    labels = F.transform(
        "d.labels",
        lambda label: F.struct(
            label["primary"].alias("primary"),
            label["message"].alias("message"),
            *flat_positions(label),
        ),
    )
    return parsed.select("id", "path", F.explode("diagnostics").alias("d"), *ORIGIN).select(
        "id",
        "path",
        *(d[k].alias(k) for k in ("code", "name", "category", "severity", "message")),
        *flat_positions(d),
        d["help"].alias("help"),
        d["note"].alias("note"),
        labels.alias("labels"),
        *ORIGIN,
    )


def is_blank(line):
    # The binary skips lines of ASCII whitespace without an output line; skipping them here
    # keeps one output line per line fed.
    return not line.strip(" \t\r\n\x0c")


def command(binary, jobs, config):
    cmd = [binary, "check", "--input", "jsonl", "--format", "jsonl", "--jobs", str(jobs)]
    # An executor's working folder is Spark's, not the project's: a healthlint.toml found
    # above it would be an accident, so the job uses the shipped config or none.
    return cmd + (["--config", config] if config else ["--isolated"])


def lint_partition(binary_name, jobs, config_name):
    """The function run on each partition: feeds its (input_file, line) pairs to one
    healthlint process and yields its output lines, in input order, each with the record's
    origin put in front of its fields."""

    def run(partition, pairs):
        binary = SparkFiles.get(binary_name)
        if not os.access(binary, os.X_OK):
            os.chmod(binary, 0o755)
        config = SparkFiles.get(config_name) if config_name else None
        errlog = tempfile.TemporaryFile()
        proc = subprocess.Popen(
            command(binary, jobs, config),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errlog,
        )
        # Files of the records fed and not yet answered. The writer appends before it writes a
        # line, so the reader always finds the file of the answer it reads. Writing from a
        # thread: output starts before input ends, and neither pipe may fill up unread.
        pending = collections.deque()
        failure = []

        def feed():
            try:
                for input_file, line in pairs:
                    if line is None or is_blank(line):
                        continue
                    pending.append(input_file)
                    proc.stdin.write(line.encode("utf-8", "surrogatepass") + b"\n")
            except BrokenPipeError:
                pass  # the process died; its exit code tells why, below
            except BaseException as e:  # an input error must fail the task, not hang it
                failure.append(e)
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        answered = 0
        try:
            for raw in proc.stdout:
                if not pending:
                    raise RuntimeError("healthlint answered more lines than it was given")
                answered += 1
                origin = json.dumps(
                    {"input_file": pending.popleft(), "partition": partition, "stream_line": answered}
                )
                # Every output line is a JSON object with at least `line`: splice the origin in.
                yield origin[:-1] + "," + raw[1:].decode("utf-8")
        finally:
            if proc.poll() is None and (failure or pending):
                proc.kill()
        writer.join()
        code = proc.wait()
        errlog.seek(0)
        stderr = errlog.read().decode("utf-8", "replace").strip()
        if failure:
            raise RuntimeError(f"reading partition {partition} failed") from failure[0]
        # 0: nothing found, 1: findings, 2: some records could not be read (each has its error
        # line). Anything else, or a record left unanswered, is a failure of the run itself:
        # a crash, a refused config, a killed process.
        if code not in (0, 1, 2) or pending:
            raise RuntimeError(
                f"healthlint exited {code} after answering {answered} of "
                f"{answered + len(pending)} records in partition {partition}: {stderr[-2000:]}"
            )

    return run


def read_pages(spark, path, input_format):
    """(input_file, JSON line) pairs, one per page."""
    if input_format == "jsonl":
        # Only `\n` ends a record, as in stream mode (Spark's default also splits on `\r`).
        frame = spark.read.option("lineSep", "\n").text(path)
        return frame.select(F.input_file_name().alias("file"), "value").rdd.map(tuple)
    frame = spark.read.parquet(path)
    if "text" not in frame.columns:
        raise SystemExit(f"healthlint_job: {path} has no `text` column")
    wanted = [c for c in ("id", "text", "format", "path") if c in frame.columns]
    frame = frame.select(F.input_file_name().alias("__file"), *wanted)

    def to_line(row):
        # A null `text` stays null, so the binary reports it as a record without text.
        record = {c: row[c] for c in wanted if row[c] is not None or c in ("id", "text")}
        return row["__file"], json.dumps(record, ensure_ascii=False, default=str)

    return frame.rdd.map(to_line)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--input", required=True, help="folder, file or glob of pages")
    parser.add_argument("--output", required=True, help="folder for findings/ and records/")
    parser.add_argument("--input-format", choices=("jsonl", "parquet"), default="jsonl")
    parser.add_argument("--binary", default="target/release/healthlint")
    parser.add_argument("--config", help="healthlint.toml to ship (default: none, --isolated)")
    parser.add_argument(
        "--jobs", type=int, default=1, help="threads per healthlint process (a task has one core)"
    )
    parser.add_argument("--partitions", type=int, help="repartition the pages into N first")
    parser.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    args = parser.parse_args(argv)

    if not os.access(args.binary, os.X_OK):
        raise SystemExit(f"healthlint_job: {args.binary} is not an executable healthlint binary")
    # A caller that already has a session (a test driving several runs in one JVM) keeps it.
    own_session = SparkSession.getActiveSession() is None
    # Under spark-submit the master comes from its options (and reaches the JVM's properties,
    # which SparkConf reads); run with plain python, there is none, and local mode is meant.
    conf = SparkConf().setAppName("healthlint")
    if args.master:
        conf.setMaster(args.master)
    elif not conf.contains("spark.master"):
        conf.setMaster("local[*]")
    conf.set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
    spark = SparkSession.builder.config(conf=conf).getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    sc.addFile(os.path.abspath(args.binary))
    config_name = None
    if args.config:
        sc.addFile(os.path.abspath(args.config))
        config_name = os.path.basename(args.config)

    started = time.monotonic()
    pages = read_pages(spark, args.input, args.input_format)
    if args.partitions:
        pages = pages.repartition(args.partitions)
    lines = pages.mapPartitionsWithIndex(
        lint_partition(os.path.basename(args.binary), args.jobs, config_name)
    )
    # FAILFAST: a line the reader cannot parse is a bug to see, not a row of nulls. Cached,
    # because both outputs and the counts are made from it: the binary runs once.
    parsed = spark.read.schema(OUTPUT_SCHEMA).option("mode", "FAILFAST").json(lines).persist()
    records_of(parsed).write.mode("overwrite").parquet(os.path.join(args.output, "records"))
    findings_of(parsed).write.mode("overwrite").parquet(os.path.join(args.output, "findings"))
    seconds = time.monotonic() - started

    counts = parsed.agg(
        F.count(F.lit(1)).alias("records"),
        F.count("error").alias("failed"),
        F.sum(F.when(F.col("error").isNull(), F.size("diagnostics")).otherwise(0)).alias(
            "findings"
        ),
        # The binary numbers its answers by input line; the job fed one record a line.
        F.sum((F.col("line") != F.col("stream_line")).cast("int")).alias("misnumbered"),
    ).first()
    parsed.unpersist()
    if counts["misnumbered"]:
        raise SystemExit(f"healthlint_job: {counts['misnumbered']} answers out of order")
    summary = {
        "records": counts["records"],
        "failed": counts["failed"],
        "findings": counts["findings"] or 0,
        "partitions": lines.getNumPartitions(),
        "seconds": round(seconds, 3),
    }
    if own_session:
        spark.stop()
    # The last line of standard output, for scripts (Spark's own log goes to standard error).
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
