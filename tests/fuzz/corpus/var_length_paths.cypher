// Issue 13: allocation failure enumerating paths.
MATCH p = (a)-[*0..]-() RETURN *
