// Issue 13: allocation failure in a DETACH DELETE over paths.
OPTIONAL MATCH (a)-[*1..]-() DETACH DELETE a, a
