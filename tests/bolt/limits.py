"""Limits of `kg serve --query-timeout 300ms --max-message-bytes 100000 --max-connections 3`,
seen through the official Python driver (argv[1]: the server's address): a slow query is
stopped with Neo4j's timeout code, an oversized message closes only its own connection,
and the server keeps answering after both."""

import sys

from neo4j import GraphDatabase
from neo4j.exceptions import ClientError, DriverError, Neo4jError

address = sys.argv[1]
# A cartesian product of scans: billions of rows, checked for cancellation as it goes.
slow = "MATCH (a:N), (b:N), (c:N) RETURN count(*) AS c"

with GraphDatabase.driver(f"bolt://{address}", max_connection_pool_size=1) as driver:
    with driver.session() as session:
        session.run("UNWIND range(1, 2000) AS i CREATE (:N)").consume()
        try:
            session.run(slow).consume()
        except ClientError as error:
            assert error.code == "Neo.ClientError.Transaction.TransactionTimedOut", error.code
        else:
            raise AssertionError("the slow query should time out")
        assert session.run("RETURN 1 AS one").single()["one"] == 1
        # A driver's own, shorter timeout is honoured too.
        try:
            session.run(slow, timeout=0.05).consume()
        except ClientError as error:
            assert error.code == "Neo.ClientError.Transaction.TransactionTimedOut", error.code
        else:
            raise AssertionError("the driver's timeout should stop the query")

with GraphDatabase.driver(f"bolt://{address}", max_connection_pool_size=1) as driver:
    try:
        driver.execute_query("RETURN $big AS big", big="x" * 200_000)
    except (Neo4jError, DriverError):
        pass
    else:
        raise AssertionError("a message over the limit should be refused")

with GraphDatabase.driver(f"bolt://{address}") as driver:
    records, _, _ = driver.execute_query("RETURN 2 AS two")
    assert records[0]["two"] == 2
print("ok")
