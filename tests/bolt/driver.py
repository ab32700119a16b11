"""The official Neo4j Python driver against `kg serve`: run by tests/bolt.rs with the
server's address as argv[1] (a server over an empty graph). Every check asserts; the
script exits non-zero on the first failure."""

import datetime
import sys
import threading

import neo4j
import pytz
from neo4j import GraphDatabase
from neo4j.exceptions import ClientError, CypherSyntaxError
from neo4j.graph import Node, Path, Relationship
from neo4j.time import Date, DateTime, Duration, Time

address = sys.argv[1]


def check(name, got, expected):
    assert got == expected, f"{name}: expected {expected!r}, got {got!r}"


def auto_commit_and_values(driver):
    with driver.session() as session:
        summary = session.run("CREATE (:Person {name: 'Ann', age: 41})-[:KNOWS {since: 2001}]->(:Person {name: 'Bob'})").consume()
        check("nodes created", summary.counters.nodes_created, 2)
        check("relationships created", summary.counters.relationships_created, 1)
        check("contains updates", summary.counters.contains_updates, True)
        record = session.run(
            "MATCH p = (a:Person {name: 'Ann'})-[r:KNOWS]->(b) RETURN a, r, b, p"
        ).single()
        a, r, b, p = record["a"], record["r"], record["b"], record["p"]
        assert isinstance(a, Node) and isinstance(r, Relationship) and isinstance(p, Path)
        check("labels", set(a.labels), {"Person"})
        check("properties", dict(a), {"name": "Ann", "age": 41})
        check("rel type", r.type, "KNOWS")
        check("rel props", dict(r), {"since": 2001})
        check("rel ends", (r.start_node.element_id, r.end_node.element_id), (a.element_id, b.element_id))
        check("path nodes", [n["name"] for n in p.nodes], ["Ann", "Bob"])
        check("path rels", [x.type for x in p.relationships], ["KNOWS"])
        # Walked against its direction, the path still knows where the relationship starts.
        back = session.run("MATCH p = (b {name: 'Bob'})<-[:KNOWS]-(a) RETURN p").single()["p"]
        check("reverse path start", back.start_node["name"], "Bob")
        check("reverse rel start", back.relationships[0].start_node["name"], "Ann")


def parameters_round_trip(driver):
    # The driver reads offsets of times through pytz (it ships with the driver).
    tz = pytz.FixedOffset(120)
    values = {
        "null": None,
        "bool": True,
        "int": -(2**40),
        "small": 7,
        "float": 2.5,
        "string": "näive ✓",
        "list": [1, "two", [3.0, None]],
        "map": {"k": [1, 2], "n": {"deep": True}},
        "date": Date(2024, 2, 29),
        "time": Time(12, 30, 15, 123456789, tzinfo=tz),
        "localtime": Time(23, 59, 59),
        "localdatetime": DateTime(2020, 1, 2, 3, 4, 5, 6),
        "datetime": DateTime(2020, 6, 1, 12, 0, 0, tzinfo=tz),
        "py_datetime": datetime.datetime(2021, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc),
        "duration": Duration(months=14, days=3, seconds=3661, nanoseconds=5),
    }
    with driver.session() as session:
        for name, value in values.items():
            got = session.run("RETURN $v AS v", v=value).single()["v"]
            if name == "py_datetime":
                got = got.to_native()
            check(f"parameter {name}", got, value)
        zoned = session.run("RETURN datetime('2020-07-01T12:00[Europe/Stockholm]') AS d").single()["d"]
        check("named zone", str(zoned.tzinfo), "Europe/Stockholm")
        check("named zone hour", zoned.hour, 12)
        check("typed", session.run("RETURN $x + 1 AS y", x=41).single()["y"], 42)


def transactions(driver, label):
    with driver.session() as session:
        with session.begin_transaction() as tx:
            tx.run(f"CREATE (:{label} {{v: 1}})")
            check("own write", tx.run(f"MATCH (n:{label}) RETURN count(n) AS c").single()["c"], 1)
            tx.rollback()
        check("rolled back", session.run(f"MATCH (n:{label}) RETURN count(n) AS c").single()["c"], 0)
        with session.begin_transaction() as tx:
            first = tx.run(f"UNWIND range(1, 5) AS i CREATE (:{label} {{v: i}}) RETURN i")
            second = tx.run("RETURN 'second' AS s")
            # Two open results in one transaction: pulled in either order.
            check("second result", second.single()["s"], "second")
            check("first result", [r["i"] for r in first], [1, 2, 3, 4, 5])
            tx.commit()
        check("committed", session.run(f"MATCH (n:{label}) RETURN count(n) AS c").single()["c"], 5)

        def add(tx, v):
            return tx.run(f"CREATE (n:{label}Managed {{v: $v}}) RETURN n.v AS v", v=v).single()["v"]

        check("execute_write", session.execute_write(add, 9), 9)
        count = session.execute_read(lambda tx: tx.run(f"MATCH (n:{label}Managed) RETURN count(n) AS c").single()["c"])
        check("execute_read", count, 1)
        bookmark = session.last_bookmarks()
        assert bookmark, "a bookmark after a write"


def errors_and_recovery(driver):
    with driver.session() as session:
        cases = [
            ("RETURN x", {}, "Neo.ClientError.Statement.SyntaxError"),
            ("RETURN $missing", {}, "Neo.ClientError.Statement.ParameterMissing"),
            ("RETURN 1 + 'a' - 2", {}, "Neo.ClientError.Statement.TypeError"),
            ("MATCH (n:Person {name: 'Ann'}) DELETE n", {}, "Neo.ClientError.Schema.ConstraintValidationFailed"),
            ("CALL no.such.proc()", {}, "Neo.ClientError.Procedure.ProcedureNotFound"),
        ]
        for query, params, code in cases:
            try:
                session.run(query, params).consume()
            except ClientError as error:
                check(f"code of {query}", error.code, code)
            else:
                raise AssertionError(f"{query} should fail")
            check("usable after the error", session.run("RETURN 1 AS one").single()["one"], 1)
        try:
            session.run("RETURN 1 +").consume()
        except CypherSyntaxError as error:
            assert "line 1, column" in error.message, error.message
        # A failing statement fails its transaction, as in Neo4j: nothing of it stays.
        tx = session.begin_transaction()
        tx.run("CREATE (:Doomed)").consume()
        try:
            tx.run("RETURN 1/0").consume()
        except ClientError:
            pass
        else:
            raise AssertionError("division by zero should fail")
        tx.close()
        check("failed tx rolled back", session.run("MATCH (n:Doomed) RETURN count(n) AS c").single()["c"], 0)
    try:
        with driver.session(database="other") as session:
            session.run("RETURN 1").consume()
    except ClientError as error:
        check("unknown database", error.code, "Neo.ClientError.Database.DatabaseNotFound")


def tool_procedures(driver):
    records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions, edition RETURN *")
    check("components", records[0]["name"], "Neo4j Kernel")
    labels = {r["label"] for r in driver.execute_query("CALL db.labels()").records}
    assert {"Person", "Tx"} <= labels, labels
    types = {r["relationshipType"] for r in driver.execute_query("CALL db.relationshipTypes()").records}
    check("types", types, {"KNOWS"})
    keys = {r["propertyKey"] for r in driver.execute_query("CALL db.propertyKeys()").records}
    assert {"name", "age", "since", "v"} <= keys, keys


def fetch_in_batches(driver):
    with driver.session(fetch_size=7) as session:
        values = [r["i"] for r in session.run("UNWIND range(1, 100) AS i RETURN i")]
        check("batched rows", values, list(range(1, 101)))


def many_threads(driver):
    errors = []

    def work(t):
        try:
            with driver.session() as session:
                for i in range(500):
                    x = t * 1000 + i
                    if i % 50 == 0:
                        got = session.run("CREATE (n:Load {x: $x}) RETURN n.x AS x", x=x).single()["x"]
                    else:
                        got = session.run("RETURN $x * 2 AS x", x=x).single()["x"] // 2
                    if got != x:
                        errors.append(f"thread {t} query {i}: {got} != {x}")
        except Exception as error:  # reported below, with the thread
            errors.append(f"thread {t}: {error!r}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:5]
    records, _, _ = driver.execute_query("MATCH (n:Load) RETURN count(n) AS c")
    check("writes from 8 threads", records[0]["c"], 8 * 10)


for scheme in ["bolt", "neo4j"]:
    driver = GraphDatabase.driver(f"{scheme}://{address}", max_connection_pool_size=16)
    driver.verify_connectivity()
    if scheme == "bolt":
        auto_commit_and_values(driver)
        parameters_round_trip(driver)
        transactions(driver, "Tx")
        errors_and_recovery(driver)
        tool_procedures(driver)
        fetch_in_batches(driver)
        many_threads(driver)
    else:
        # Routing: the server is its own router, reader and writer.
        check("routed read", driver.execute_query("RETURN 1 AS one", routing_=neo4j.RoutingControl.READ).records[0]["one"], 1)
        transactions(driver, "Routed")
    driver.close()
print("ok")
