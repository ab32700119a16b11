// Issue 13: allocation failure on an unbounded var-length count.
MATCH ()-[*]-() RETURN count(*)
