//! Cypher's keywords: the one list behind the parser's messages (clause keywords),
//! `Display`'s quoting (reserved words) and the shell's highlighting and completion (the
//! words kg's grammar uses).

use std::sync::LazyLock;

/// A word the grammar uses (the shell highlights and completes it).
const USED: u8 = 1;
/// An openCypher reserved word: a name spelled like one needs backticks.
const RESERVED: u8 = 1 << 1;
/// Starts or continues a clause (`MATCH`, `ORDER`, ...): the parser names these together.
const CLAUSE: u8 = 1 << 2;

/// Every keyword, upper case, alphabetical, with what it is.
const TABLE: &[(&str, u8)] = &[
    ("ADD", RESERVED),
    ("ALL", USED | RESERVED),
    ("AND", USED | RESERVED),
    ("AS", USED | RESERVED),
    ("ASC", USED | RESERVED),
    ("ASCENDING", USED | RESERVED),
    ("BY", USED | RESERVED),
    ("CALL", USED | CLAUSE),
    ("CASE", USED | RESERVED),
    ("CONSTRAINT", USED | RESERVED),
    ("CONSTRAINTS", USED),
    ("CONTAINS", USED | RESERVED),
    ("COUNT", USED),
    ("CREATE", USED | RESERVED | CLAUSE),
    ("DELETE", USED | RESERVED | CLAUSE),
    ("DESC", USED | RESERVED),
    ("DESCENDING", USED | RESERVED),
    ("DETACH", USED | RESERVED | CLAUSE),
    ("DISTINCT", USED | RESERVED),
    ("DO", RESERVED),
    ("DROP", USED | RESERVED),
    ("ELSE", USED | RESERVED),
    ("END", USED | RESERVED),
    ("ENDS", USED | RESERVED),
    ("EXISTS", USED | RESERVED),
    ("EXPLAIN", USED | CLAUSE),
    ("FALSE", USED | RESERVED),
    ("FOR", USED | RESERVED),
    ("FOREACH", USED | CLAUSE),
    ("IF", USED),
    ("IN", USED | RESERVED),
    ("INDEX", USED),
    ("INDEXES", USED),
    ("IS", USED | RESERVED),
    ("LIMIT", USED | RESERVED | CLAUSE),
    ("LOAD", USED | CLAUSE),
    ("MANDATORY", RESERVED),
    ("MATCH", USED | RESERVED | CLAUSE),
    ("MERGE", USED | RESERVED | CLAUSE),
    ("NOT", USED | RESERVED),
    ("NULL", USED | RESERVED),
    ("OF", RESERVED),
    ("ON", USED | RESERVED),
    ("OPTIONAL", USED | RESERVED | CLAUSE),
    ("OR", USED | RESERVED),
    ("ORDER", USED | RESERVED | CLAUSE),
    ("PROFILE", USED | CLAUSE),
    ("RANGE", USED),
    ("REMOVE", USED | RESERVED | CLAUSE),
    ("REQUIRE", USED | RESERVED),
    ("RETURN", USED | RESERVED | CLAUSE),
    ("SCALAR", RESERVED),
    ("SET", USED | RESERVED | CLAUSE),
    ("SHOW", USED | CLAUSE),
    ("SKIP", USED | RESERVED | CLAUSE),
    ("STARTS", USED | RESERVED),
    ("THEN", USED | RESERVED),
    ("TRUE", USED | RESERVED),
    ("UNION", USED | RESERVED | CLAUSE),
    ("UNIQUE", USED | RESERVED),
    ("UNWIND", USED | RESERVED | CLAUSE),
    ("WHEN", USED | RESERVED),
    ("WHERE", USED | RESERVED | CLAUSE),
    ("WITH", USED | RESERVED | CLAUSE),
    ("XOR", USED | RESERVED),
    ("YIELD", USED),
];

/// The words kg's grammar uses, upper case, alphabetical.
pub static KEYWORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| with(USED).collect());

fn with(flag: u8) -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .filter(move |(_, flags)| flags & flag != 0)
        .map(|(word, _)| *word)
}

fn has(word: &str, flag: u8) -> bool {
    TABLE
        .iter()
        .any(|(w, flags)| flags & flag != 0 && w.eq_ignore_ascii_case(word))
}

/// Whether `word` is a keyword kg's grammar uses, in any case.
pub fn is_keyword(word: &str) -> bool {
    has(word, USED)
}

/// Whether `word` is an openCypher reserved word (case-insensitive).
pub fn is_reserved_word(word: &str) -> bool {
    has(word, RESERVED)
}

/// The clause keywords, upper case.
pub fn clause_keywords() -> impl Iterator<Item = &'static str> {
    with(CLAUSE)
}

/// Whether `token` is a clause keyword as the grammar spells it (upper case).
pub fn is_clause_keyword(token: &str) -> bool {
    clause_keywords().any(|k| k == token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_table_answers_each_question() {
        assert!(is_keyword("match") && is_reserved_word("Match") && is_clause_keyword("MATCH"));
        assert!(is_keyword("YIELD") && !is_reserved_word("YIELD"));
        assert!(is_reserved_word("mandatory") && !is_keyword("mandatory"));
        assert!(
            !is_clause_keyword("match"),
            "tokens are compared as the grammar spells them"
        );
        assert!(
            KEYWORDS.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert!(clause_keywords().all(is_keyword));
    }
}
