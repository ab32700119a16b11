//! "Did you mean …?": near misses for unknown labels, relationship types, property keys,
//! functions, variables and meta-commands. Cypher does not reject unknown labels (the
//! match is just empty), so those come back as warnings, not errors.

use kg::error::{ErrorCode, ErrorKind, QueryError};
use kg::script::{TokenKind, code_tokens};

use kg::Value;
use kg::graph::Graph;

use super::schema::Schema;
use super::words::{FUNCTIONS, KEYWORDS, is_keyword};
use kg::search::{NameMatch, find_nodes};

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (name.chars().count().max(c.chars().count()) / 3).max(1))
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Labels, relationship types and property keys named in a statement, found lexically.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub labels: Vec<String>,
    pub rel_types: Vec<String>,
    pub keys: Vec<String>,
    /// Strings compared with `name`: `{name: 'X'}` in a pattern, `x.name = 'X'`.
    pub node_names: Vec<String>,
}

/// Finds `:Label` (in node patterns and label predicates), `[:TYPE|OTHER]`, `x.key` and
/// `{key: ...}` inside patterns.
pub fn names_in(statement: &str) -> Names {
    let toks = code_tokens(statement);
    let text = |i: usize| toks.get(i).map_or("", |t| t.text(statement));
    // The text of a string literal at `i`; one with escapes is skipped, as a rare case
    // that a hint can do without.
    let string = |i: usize| {
        toks.get(i).and_then(|t| match t.kind {
            TokenKind::String { terminated: true } => {
                let s = t.text(statement);
                let inner = &s[1..s.len() - 1];
                (!inner.contains('\\')).then(|| inner.to_string())
            }
            _ => None,
        })
    };
    let name = |i: usize| {
        toks.get(i).and_then(|t| match t.kind {
            TokenKind::Word => Some(t.text(statement).to_string()),
            TokenKind::Backtick { terminated: true } => {
                let s = t.text(statement);
                Some(s[1..s.len() - 1].replace("``", "`"))
            }
            _ => None,
        })
    };
    let mut names = Names::default();
    let mut stack: Vec<&str> = Vec::new();
    let mut in_types = false;
    for (i, tok) in toks.iter().enumerate() {
        match tok.kind {
            TokenKind::Open => stack.push(text(i)),
            TokenKind::Close => {
                stack.pop();
                in_types = false;
            }
            TokenKind::Punct => {
                let top = stack.last().copied();
                match (text(i), top) {
                    (":", Some("[")) | ("|", Some("[")) if text(i) == ":" || in_types => {
                        if let Some(n) = name(i + 1) {
                            names.rel_types.push(n);
                            in_types = true;
                        }
                    }
                    (":", Some("(") | None) => names.labels.extend(name(i + 1)),
                    (":", Some("{")) => {
                        // A map key inside a node or relationship pattern is a property key.
                        let outer = stack.len().checked_sub(2).and_then(|j| stack.get(j));
                        if matches!(outer, Some(&"(") | Some(&"[")) {
                            let key = name(i.wrapping_sub(1));
                            if key.as_deref() == Some("name") {
                                names.node_names.extend(string(i + 1));
                            }
                            names.keys.extend(key);
                        }
                    }
                    (".", _) => {
                        // `n.key`, `f(x).key`, `xs[0].key`; not `{a: 1}.key`, a map's key.
                        let after_value = i > 0
                            && match toks[i - 1].kind {
                                TokenKind::Word | TokenKind::Backtick { .. } => true,
                                TokenKind::Close => text(i - 1) != "}",
                                _ => false,
                            };
                        // `db.labels()`, `CALL kg.find`: a dotted procedure or function name,
                        // followed by `(` or preceded by CALL.
                        let (mut first, mut last) = (i.saturating_sub(1), i + 1);
                        while first >= 2 && text(first - 1) == "." {
                            first -= 2;
                        }
                        while text(last + 1) == "." {
                            last += 2;
                        }
                        let called = text(last + 1) == "("
                            || (first > 0 && text(first - 1).eq_ignore_ascii_case("call"));
                        if after_value && !called {
                            let key = name(i + 1);
                            if key.as_deref() == Some("name") && text(i + 2) == "=" {
                                names.node_names.extend(string(i + 3));
                            }
                            names.keys.extend(key);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    names
}

/// Warnings for names the graph does not have, e.g.
/// `Unknown label :Compnay — did you mean :Company (12 nodes)?`.
pub fn unknown_name_warnings(statement: &str, schema: &Schema) -> Vec<String> {
    let names = names_in(statement);
    let mut warnings = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for label in &names.labels {
        if schema.labels.contains_key(label) || !seen.insert(("label", label.clone())) {
            continue;
        }
        let hint = closest(label, schema.labels.keys().map(String::as_str))
            .map(|c| {
                let n = schema.labels.get(c).copied().unwrap_or(0);
                format!(" — did you mean :{c} ({n} {})?", noun(n, "node", "nodes"))
            })
            .unwrap_or_default();
        warnings.push(format!("Unknown label :{label}{hint}"));
    }
    for rel_type in &names.rel_types {
        if schema.rel_types.contains_key(rel_type) || !seen.insert(("type", rel_type.clone())) {
            continue;
        }
        let hint = closest(rel_type, schema.rel_types.keys().map(String::as_str))
            .map(|c| {
                let n = schema.rel_types.get(c).copied().unwrap_or(0);
                format!(
                    " — did you mean :{c} ({n} {})?",
                    noun(n, "relationship", "relationships")
                )
            })
            .unwrap_or_default();
        warnings.push(format!("Unknown relationship type :{rel_type}{hint}"));
    }
    warnings.extend(unknown_key_warnings(names.keys, schema));
    warnings
}

/// `Unknown property key .nmae — did you mean .name (on :Company)?` for each of `keys` that
/// no node or relationship has, once each.
fn unknown_key_warnings(mut keys: Vec<String>, schema: &Schema) -> Vec<String> {
    let known = schema.all_keys();
    keys.retain(|k| !known.contains(k.as_str()));
    keys.sort();
    keys.dedup();
    keys.iter()
        .map(|key| {
            let hint = closest(key, known.iter().copied())
                .map(|c| format!(" — did you mean .{c} ({})?", owners(&schema.key_owners(c))))
                .unwrap_or_default();
            format!("Unknown property key .{key}{hint}")
        })
        .collect()
}

/// Warnings for property keys no node or relationship has, read from a variable that a
/// pattern binds (`c.valuation` after `(c:Company)`). Such a key reads as null whatever
/// the result looks like, and nulls sort, count and sum without a word (`sum(r.amout)` is
/// 0), so these are worth a warning even when the result is not empty.
pub fn unknown_pattern_key_warnings(statement: &str, schema: &Schema) -> Vec<String> {
    let toks = code_tokens(statement);
    let text = |i: usize| toks.get(i).map_or("", |t| t.text(statement));
    let is_name = |i: usize| {
        toks.get(i)
            .is_some_and(|t| t.kind == TokenKind::Word && !is_keyword(t.text(statement)))
    };
    // `(c` and `-[r`, but not a function's `count(c`.
    let bound: Vec<&str> = (1..toks.len())
        .filter(|&i| is_name(i))
        .filter(|&i| match text(i - 1) {
            "(" => i < 2 || !(is_name(i - 2) || text(i - 2).starts_with('`')),
            "[" => i >= 2 && text(i - 2) == "-",
            _ => false,
        })
        .map(text)
        .collect();
    let keys = (2..toks.len())
        .filter(|&i| text(i - 1) == "." && bound.contains(&text(i - 2)) && is_name(i))
        // `n.key(` would be a namespaced function, not a property.
        .filter(|&i| text(i + 1) != "(")
        .map(|i| text(i).to_string())
        .collect();
    unknown_key_warnings(keys, schema)
}

/// The largest graph whose node names an empty result's hint searches (`:find` is slower
/// than the query it follows beyond this).
const FUZZY_HINT_MAX_NODES: usize = 100_000;

/// Warnings for node names no node has, e.g.
/// `No node is named 'EcoFlow' — did you mean 'EcoFlow Inc.' (also called 'EcoFlow')?`.
pub fn unknown_node_name_warnings(statement: &str, graph: &Graph) -> Vec<String> {
    let mut names = names_in(statement).node_names;
    names.dedup();
    // The fuzzy search reads every node: after an empty result on a big graph the prompt
    // would stall for seconds, so there the hint only points to `:find`.
    let searchable = graph.node_count() <= FUZZY_HINT_MAX_NODES;
    names
        .into_iter()
        .filter(|name| graph.nodes_named(name).next().is_none())
        .map(|name| {
            let best = searchable
                .then(|| find_nodes(graph, &name).into_iter().next())
                .flatten();
            let hint = match best {
                Some(NameMatch { node, matched, .. }) => {
                    let full = graph
                        .node_property(node, "name")
                        .and_then(Value::as_str)
                        .unwrap_or(&matched);
                    if full == matched {
                        format!("did you mean '{full}'?")
                    } else {
                        format!("did you mean '{full}' (also called '{matched}')?")
                    }
                }
                None => format!("try :find {name}"),
            };
            format!("No node is named '{name}' — {hint}")
        })
        .collect()
}

/// A hint for an error about an unknown function or an undefined variable.
pub fn error_hint(error: &QueryError, statement: &str) -> Option<String> {
    if error.kind == ErrorKind::SyntaxError
        && let Some(hint) = sql_hint(statement).or_else(|| missing_semicolon_hint(statement))
    {
        return Some(hint);
    }
    let span = error.span?;
    let word: String = statement
        .get(span.start..)?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    match error.code? {
        ErrorCode::UnknownFunction => {
            closest(&word, FUNCTIONS.iter().copied()).map(|f| format!("did you mean {f}()?"))
        }
        ErrorCode::UndefinedVariable => {
            // `d.name`: the variable is `d`, not the property access.
            let name = word.split('.').next().unwrap_or_default();
            let variables = variable_words(statement);
            closest(name, variables.iter().map(String::as_str))
                .map(|v| format!("did you mean {v}?"))
        }
        // A misspelled clause keyword (`RETRUN`); short words are too often plain names.
        ErrorCode::UnexpectedSyntax if word.chars().count() >= 4 && !is_keyword(&word) => {
            closest(&word, KEYWORDS.iter().copied()).map(|k| format!("did you mean {k}?"))
        }
        _ => None,
    }
}

/// For a statement written in SQL: how the same reads in Cypher.
fn sql_hint(statement: &str) -> Option<String> {
    let first = code_tokens(statement)
        .first()?
        .text(statement)
        .to_ascii_uppercase();
    ["SELECT", "INSERT", "UPDATE"]
        .contains(&first.as_str())
        .then(|| {
            "kg speaks Cypher, not SQL: MATCH (c:Company) WHERE c.name = 'Uisee' RETURN c.name (:schema lists the labels)"
                .to_string()
        })
}

/// For two statements run together: a line that starts a new query after the first one's
/// RETURN, as when a script line lost its `;`.
fn missing_semicolon_hint(statement: &str) -> Option<String> {
    const STARTS: [&str; 7] = [
        "MATCH", "OPTIONAL", "CREATE", "MERGE", "UNWIND", "CALL", "RETURN",
    ];
    let mut depth = 0i32;
    let mut returned = false;
    for tok in code_tokens(statement) {
        match tok.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth -= 1,
            TokenKind::Word if depth == 0 => {
                let word = tok.text(statement).to_ascii_uppercase();
                let line_start = statement[..tok.span.start].rfind('\n').map(|i| i + 1);
                let starts_line =
                    line_start.is_some_and(|i| statement[i..tok.span.start].trim().is_empty());
                if returned && starts_line && STARTS.contains(&word.as_str()) {
                    let line = statement[tok.span.start..]
                        .lines()
                        .next()
                        .unwrap_or_default();
                    let shown: String = line.chars().take(40).collect();
                    let more = if shown.len() < line.len() { "…" } else { "" };
                    return Some(format!(
                        "is a `;` missing before `{}{more}`? Each statement ends with `;`",
                        shown.trim_end()
                    ));
                }
                // After UNION a new query part starts, with its own RETURN.
                returned = (returned || word == "RETURN") && word != "UNION";
            }
            _ => {}
        }
    }
    None
}

/// The words of `statement` that may name variables: not keywords, labels or types (after
/// `:`), property keys (after `.`, or before `:` in a map), or functions (before `(`).
fn variable_words(statement: &str) -> Vec<String> {
    let toks = code_tokens(statement);
    let text = |i: Option<usize>| {
        i.and_then(|i| toks.get(i))
            .map_or("", |t| t.text(statement))
    };
    let mut words = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let word = t.text(statement);
        let before = text(i.checked_sub(1));
        let after = text(Some(i + 1));
        let map_key = after == ":" && matches!(before, "{" | ",");
        if t.kind == TokenKind::Word
            && !is_keyword(word)
            && !matches!(before, ":" | "." | "|")
            && after != "("
            && !map_key
            && !words.iter().any(|w| w == word)
        {
            words.push(word.to_string());
        }
    }
    words
}

/// `on :A, :B` or, for many, `on :A, :B, :C and 4 more`.
fn owners(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    let listed: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|n| match *n {
            "" => "unlabelled nodes".to_string(),
            n => format!(":{n}"),
        })
        .collect();
    match names.len().saturating_sub(SHOWN) {
        0 => format!("on {}", listed.join(", ")),
        more => format!("on {} and {more} more", listed.join(", ")),
    }
}

fn noun<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kg::error::Span;

    #[test]
    fn finds_labels_types_and_keys() {
        let names = names_in(
            "MATCH (p:Person {name: 'x'})-[:FOUNDED|INVESTED_IN]->(c:`Big Co`) WHERE c:Startup RETURN p.age, {k: 1}.k",
        );
        assert_eq!(names.labels, vec!["Person", "Big Co", "Startup"]);
        assert_eq!(names.rel_types, vec!["FOUNDED", "INVESTED_IN"]);
        assert_eq!(names.keys, vec!["name", "age"]);
        assert_eq!(names.node_names, vec!["x"]);
        let names = names_in("MATCH (c) WHERE c.name = 'EcoFlow' OR c.name <> 'y' RETURN c");
        assert_eq!(names.node_names, vec!["EcoFlow"]);
        // Procedure and function names are not property keys.
        let names = names_in("CALL kg.find('x') YIELD node RETURN apoc.coll.sum([1]), node.k");
        assert_eq!(names.keys, vec!["k"]);
        assert!(
            names_in("CALL db.labels YIELD label RETURN label")
                .keys
                .is_empty()
        );
    }

    #[test]
    fn unknown_keys_of_pattern_variables_are_found_in_any_clause() {
        let mut schema = Schema::default();
        schema
            .label_keys
            .entry("Company".into())
            .or_default()
            .insert("valuation_usd".into(), Default::default());
        let warnings = unknown_pattern_key_warnings(
            "MATCH (c:Company)-[r:X]->() WITH {a: 1} AS m, c RETURN count(c), m.a, toLower(c.valuation_usd) ORDER BY c.valuation_us, r.amount",
            &schema,
        );
        assert_eq!(
            warnings,
            vec![
                "Unknown property key .amount",
                "Unknown property key .valuation_us — did you mean .valuation_usd (on :Company)?",
            ]
        );
    }

    #[test]
    fn unknown_label_gets_the_closest_with_its_count() {
        let mut schema = Schema::default();
        schema.labels.insert("Company".into(), 12);
        schema.labels.insert("Person".into(), 3);
        assert_eq!(
            unknown_name_warnings("MATCH (n:Compnay) RETURN n", &schema),
            vec!["Unknown label :Compnay — did you mean :Company (12 nodes)?"]
        );
        assert!(unknown_name_warnings("MATCH (n:Person) RETURN n", &schema).is_empty());
    }

    #[test]
    fn unknown_key_names_a_few_owners() {
        let mut schema = Schema::default();
        for label in ["A", "B", "C", "D"] {
            schema
                .label_keys
                .entry(label.into())
                .or_default()
                .insert("name".into(), Default::default());
        }
        assert_eq!(
            unknown_name_warnings("MATCH (n) WHERE n.nmae = 1 RETURN n", &schema),
            vec!["Unknown property key .nmae — did you mean .name (on :A, :B, :C and 1 more)?"]
        );
    }

    #[test]
    fn unknown_function_hint() {
        let statement = "RETURN toUpperr('a')";
        let err = QueryError::compile(
            kg::ErrorKind::SyntaxError,
            ErrorCode::UnknownFunction,
            "unknown function",
        )
        .with_span(Span::new(7, 15));
        assert_eq!(
            error_hint(&err, statement).as_deref(),
            Some("did you mean toUpper()?")
        );
        let err = QueryError::compile(
            kg::ErrorKind::SyntaxError,
            ErrorCode::UnexpectedSyntax,
            "unexpected",
        )
        .with_span(Span::new(10, 16));
        assert_eq!(
            error_hint(&err, "MATCH (n) RETRUN n").as_deref(),
            Some("did you mean RETURN?")
        );
        let err = QueryError::undefined_variable("pp", Span::new(17, 19));
        assert_eq!(
            error_hint(&err, "MATCH (p) RETURN pp").as_deref(),
            Some("did you mean p?")
        );
    }

    #[test]
    fn statements_run_together_or_written_in_sql_get_a_hint() {
        let syntax = |code| QueryError::compile(ErrorKind::SyntaxError, code, "x");
        let statement = "MATCH (c:Company) RETURN c.name\nMATCH (n) RETURN n.name LIMIT 1";
        let err = syntax(ErrorCode::InvalidClauseComposition).with_span(Span::new(18, 31));
        assert_eq!(
            error_hint(&err, statement).as_deref(),
            Some(
                "is a `;` missing before `MATCH (n) RETURN n.name LIMIT 1`? Each statement ends with `;`"
            )
        );
        // UNION may follow a RETURN; so may a subquery's line inside brackets.
        assert_eq!(
            missing_semicolon_hint("RETURN 1 AS x\nUNION\nRETURN 2 AS x"),
            None
        );
        assert_eq!(
            missing_semicolon_hint(
                "MATCH (n) WHERE EXISTS {\n  MATCH (n)-->(m) RETURN m\n  MATCH (m) RETURN m }\nRETURN n"
            ),
            None
        );
        let err = syntax(ErrorCode::UnexpectedSyntax).with_span(Span::new(0, 6));
        assert!(
            error_hint(&err, "select * from Company")
                .is_some_and(|h| h.starts_with("kg speaks Cypher, not SQL"))
        );
    }

    #[test]
    fn variable_hints_name_variables_only() {
        // Not the relationship type FOUNDED, though it is as close as the alias.
        let statement = "MATCH (p)-[:FOUNDED]->(c) RETURN p.name AS founder ORDER BY found";
        let err = QueryError::undefined_variable("found", Span::new(60, 65));
        assert_eq!(
            error_hint(&err, statement).as_deref(),
            Some("did you mean founder?")
        );
        // Not the property key after the misspelled variable.
        let statement = "MATCH (c {name: 'x'}) RETURN d.name";
        let err = QueryError::undefined_variable("d", Span::new(29, 30));
        assert_eq!(
            error_hint(&err, statement).as_deref(),
            Some("did you mean c?")
        );
        assert_eq!(
            variable_words("MATCH (a:L {k: 1})-[r:T|U]->(b) RETURN toUpper(a.k) AS x"),
            vec!["a", "r", "b", "x"]
        );
    }
}
