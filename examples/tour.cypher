// A tour of the article graph: China's "little giants" (The Japan Times, early 2022).
// Run it with:  kg --echo -f examples/tour.cypher   (--echo shows each step with these
// comments before its result; or :source examples/tour.cypher in the REPL)
// Every node and relationship carries an `evidence` excerpt of the article; :why shows it.

// 1. What is in the graph? Labels with counts and property keys, then the sizes.
:schema
:stats

// 2. A lookup by name: the autonomous driving startup at the heart of the story.
MATCH (c:Company {name: 'Uisee'})
RETURN c.name AS company, c.description AS what, c.valuation_usd AS valuation_usd, c.unicorn AS unicorn;

// 3. Who founded it? Return the relationship itself, then ask :why for the sentence
//    of the article it comes from (:why reads the evidence of returned nodes and rels).
MATCH (:Person)-[f:FOUNDED]->(:Company {name: 'Uisee'})
RETURN f;
:why

// 4. Its card: labels, properties, evidence, and neighbours per relationship type.
:show Uisee

// 5. Fuzzy search over names and aliases tolerates typos; inside a query it is kg.find,
//    so a query can start from what the article calls someone. "Beijing" finds the city
//    and, just after it, the central government the article also calls Beijing.
:find gansha
:find Beijing
CALL kg.find('gansha') YIELD node AS founder
WITH founder LIMIT 1
MATCH (founder)-[:FOUNDED]->(c)
RETURN founder.name AS founder, c.name AS company;

// 6. Neighbours: who founded which company?
MATCH (p:Person)-[:FOUNDED]->(c:Company)
RETURN p.name AS founder, c.name AS company
ORDER BY founder;

// 7. Everything directly connected to Wu Gansha, in either direction.
MATCH (:Person {name: 'Wu Gansha'})-[r]-(other)
RETURN type(r) AS relationship, other.name AS other
ORDER BY relationship, other;

// 8. The program that gives the little giants their name, and who runs it.
MATCH (a:Agency)-[:RUNS]->(p:Program {name: 'Little Giants Program'})
RETURN a.name AS agency, p.name AS program;

// 9. Member companies of the program.
MATCH (c:Company)-[:MEMBER_OF]->(:Program {name: 'Little Giants Program'})
RETURN c.name AS member
ORDER BY member;

// 10. Aggregation: which sectors have the most companies?
MATCH (c:Company)-[:IN_SECTOR]->(s:Sector)
RETURN s.name AS sector, count(c) AS companies, collect(c.name) AS names
ORDER BY companies DESC, sector
LIMIT 5;

// 11. Where are the companies? Cities by number of companies located there.
MATCH (c:Company)-[:LOCATED_IN]->(place:Place)
RETURN place.name AS place, count(*) AS companies
ORDER BY companies DESC, place;

// 12. Funding rounds: the company RAISED the round, investors INVESTED_IN it; the amount
//     is the round's (the article never gives one investor's share).
MATCH (i:Investor)-[:INVESTED_IN]->(f:FundingRound)<-[:RAISED]-(c:Company)
RETURN i.name AS investor, c.name AS company, f.amount AS amount, f.currency AS currency
ORDER BY company, investor;

// 13. Who said what about whom: people, their quotes, and the quote's subject.
MATCH (p:Person)-[:SAID]->(q:Quote)-[:ABOUT]->(x)
RETURN p.name AS speaker, q.text AS quote, x.name AS about
ORDER BY speaker
LIMIT 5;

// 14. Variable-length paths: cities within two PART_OF hops of China.
MATCH (c:City)-[:PART_OF*1..2]->(:Country {name: 'China'})
RETURN c.name AS city
ORDER BY city;

// 15. A whole path, shown in Cypher notation: from a person to a sector.
MATCH path = (:Person {name: 'Wu Gansha'})-[:FOUNDED]->(:Company)-[:IN_SECTOR]->(:Sector)
RETURN path;

// 16. :why works on paths too: the evidence for each node and relationship on it.
:why

// 17. Parameters: set once, use in several queries.
:param company => 'ForwardX Robotics'
MATCH (p:Person)-[w:WORKS_FOR]->(c:Company {name: $company})
RETURN p.name AS person, w.title AS title;

// 18. What the article quotes about that company.
MATCH (q:Quote)-[:ABOUT]->(:Company {name: $company})
RETURN q.name AS quote;

// 19. Government action: who funds what, directly or not.
MATCH (x)-[f:FUNDS]->(y)
RETURN x.name AS funder, y.name AS funded, f.direct AS direct
ORDER BY funder, funded;

// 20. The big picture: relationship types by frequency in the article files.
MATCH ()-[r]->()
WHERE NOT type(r) IN ['MENTIONS', 'PUBLISHED_BY']
RETURN type(r) AS type, count(*) AS n
ORDER BY n DESC, type
LIMIT 10;

// 21. OPTIONAL MATCH keeps companies without a known sector.
MATCH (c:Company)
WHERE c.startup = true
OPTIONAL MATCH (c)-[:IN_SECTOR]->(s:Sector)
RETURN c.name AS startup, s.name AS sector
ORDER BY startup;
