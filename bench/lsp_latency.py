#!/usr/bin/env python3
"""Latency of `healthlint server`: the time from a didChange notification to the
publishDiagnostics of that version, with no debounce (`debounceMs: 0`), so that the figure is
the check itself plus the protocol round trip. Run by bench/lsp.sh; prints one line of JSON.

    bench/lsp_latency.py --bin target/release/healthlint --file article.md [--changes 200]

Each change is incremental and alternates between inserting a word in the middle of the
article and taking it out again, so every check sees a text of the same size. The first
change is reported on its own (`first_ms`): the issue asks for 10 ms "after the first".
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import queue
import time


def frames(stream, out):
    while True:
        length = None
        while True:
            line = stream.readline()
            if not line:
                out.put(None)
                return
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        out.put(json.loads(stream.read(length)))


def utf16_position(text, offset):
    before = text[:offset]
    line = before.count("\n")
    column = before[before.rfind("\n") + 1:]
    return {"line": line, "character": len(column.encode("utf-16-le")) // 2}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--changes", type=int, default=200)
    args = ap.parse_args()
    text = open(args.file, encoding="utf-8").read()
    cache = tempfile.mkdtemp(prefix="healthlint-lsp-bench-")
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    server = subprocess.Popen([args.bin, "server", "--isolated"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=env)
    messages = queue.Queue()
    threading.Thread(target=frames, args=(server.stdout, messages), daemon=True).start()

    def send(message):
        body = json.dumps(dict(jsonrpc="2.0", **message)).encode()
        server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        server.stdin.flush()

    def wait(test):
        while True:
            m = messages.get(timeout=60)
            if m is None:
                sys.exit("the server stopped")
            if test(m):
                return m

    uri = "file://" + os.path.abspath(args.file)
    start = time.perf_counter()
    send({"id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": None, "capabilities": {},
        "initializationOptions": {"debounceMs": 0, "workspaceCheck": False}}})
    wait(lambda m: m.get("id") == 1)
    send({"method": "initialized", "params": {}})
    send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "markdown", "version": 1, "text": text}}})
    published = lambda v: lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                                     and m["params"].get("version") == v)
    found = wait(published(1))
    open_ms = (time.perf_counter() - start) * 1000

    # Insert a word after the first space past the middle, then take it out again.
    middle = text.index(" ", len(text) // 2) + 1
    at = utf16_position(text, middle)
    word = "really "
    end = {"line": at["line"], "character": at["character"] + len(word)}
    latencies = []
    for version in range(2, args.changes + 2):
        if version % 2 == 0:
            change = {"range": {"start": at, "end": at}, "text": word}
        else:
            change = {"range": {"start": at, "end": end}, "text": ""}
        sent = time.perf_counter()
        send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})
        wait(published(version))
        latencies.append((time.perf_counter() - sent) * 1000)

    send({"id": 2, "method": "shutdown"})
    wait(lambda m: m.get("id") == 2)
    send({"method": "exit"})
    server.wait(10)
    later = sorted(latencies[1:])
    p95 = later[min(len(later) - 1, int(round(0.95 * (len(later) - 1))))]
    print(json.dumps({
        "file": args.file, "bytes": len(text.encode()), "findings": len(found["params"]["diagnostics"]),
        "changes": len(latencies), "start_to_first_diagnostics_ms": round(open_ms, 1),
        "first_ms": round(latencies[0], 2), "median_ms": round(statistics.median(later), 2),
        "p95_ms": round(p95, 2), "max_ms": round(later[-1], 2),
        "exit_code": server.returncode}))


if __name__ == "__main__":
    main()
