"""Credentials through the official Python driver (argv[1]: the address of a server that
wants user `kg` with password `s3cret`)."""

import sys

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

address = sys.argv[1]
for auth in [("kg", "wrong"), ("other", "s3cret"), None]:
    try:
        with GraphDatabase.driver(f"bolt://{address}", auth=auth) as driver:
            driver.verify_connectivity()
    except AuthError as error:
        assert error.code == "Neo.ClientError.Security.Unauthorized", error.code
    else:
        raise AssertionError(f"{auth} should be refused")
with GraphDatabase.driver(f"bolt://{address}", auth=("kg", "s3cret")) as driver:
    records, _, _ = driver.execute_query("RETURN 1 AS one")
    assert records[0]["one"] == 1
print("ok")
