// Issue 13: allocation failure in a DETACH DELETE over paths.
MATCH (a)-[*]-(b) DETACH DELETE a, b
