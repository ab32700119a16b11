//! The TCK value notation read back: `parse_value` turns expected cells such as
//! `(:A {name: 'a'})` or `[1, 2.0, 'x']` into an `Expected` tree, and `Expected::matches`
//! compares one against an actual `kg::Value` (using the `ResultSet` snapshots for nodes,
//! relationships and paths). Also: parameters as `kg::Value`, and splitting a golden-file row
//! into cells. Rendering lives in `kg::format::tck`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use kg::result::ResultSet;
use kg::value::Value;

/// A value written in TCK notation.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Expected>),
    Map(BTreeMap<String, Expected>),
    Node(NodeShape),
    Rel(RelShape),
    /// A start node, then (relationship, points forward?, next node) per hop.
    Path(NodeShape, Vec<(RelShape, bool, NodeShape)>),
}

/// `(:L1:L2 {k: v})`: labels are a set.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeShape {
    pub labels: BTreeSet<String>,
    pub properties: BTreeMap<String, Expected>,
}

/// `[:T {k: v}]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RelShape {
    pub rel_type: String,
    pub properties: BTreeMap<String, Expected>,
}

/// Parses one complete value; trailing text is an error.
pub fn parse_value(text: &str) -> Result<Expected, String> {
    let mut p = Parser { text, pos: 0 };
    let v = p.value()?;
    p.skip_ws();
    if p.pos != text.len() {
        return Err(format!(
            "unexpected `{}` after a value in `{text}`",
            &text[p.pos..]
        ));
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), String> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.error(&format!("expected `{s}`")))
        }
    }

    fn error(&self, what: &str) -> String {
        format!("{what} at column {} of `{}`", self.pos + 1, self.text)
    }

    fn value(&mut self) -> Result<Expected, String> {
        self.skip_ws();
        match self.peek() {
            Some('\'') | Some('"') => self.string().map(Expected::String),
            Some('[') => {
                if self.rest()[1..].trim_start().starts_with(':') {
                    self.rel().map(Expected::Rel)
                } else {
                    self.list()
                }
            }
            Some('{') => self.map().map(Expected::Map),
            Some('(') => self.node().map(Expected::Node),
            Some('<') => self.path(),
            Some(c) if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(_) => {
                let word = self.word();
                match word.as_str() {
                    "null" => Ok(Expected::Null),
                    "true" => Ok(Expected::Bool(true)),
                    "false" => Ok(Expected::Bool(false)),
                    "NaN" => Ok(Expected::Float(f64::NAN)),
                    "Inf" | "Infinity" => Ok(Expected::Float(f64::INFINITY)),
                    _ => Err(self.error(&format!("unknown value `{word}`"))),
                }
            }
            None => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self) -> String {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        self.pos += len;
        rest[..len].to_string()
    }

    fn number(&mut self) -> Result<Expected, String> {
        let rest = self.rest();
        for (text, value) in [
            ("-Inf", f64::NEG_INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
        ] {
            if rest.starts_with(text) && !rest[text.len()..].starts_with(char::is_alphanumeric) {
                self.pos += text.len();
                return Ok(Expected::Float(value));
            }
        }
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphanumeric()
                    || c == '.'
                    || ((c == '-' || c == '+') && (i == 0 || rest[..i].ends_with(['e', 'E']))))
            })
            .map_or(rest.len(), |(i, _)| i);
        let token = &rest[..len];
        self.pos += len;
        let is_float = token.contains(['.', 'e', 'E']) && !token.contains(['x', 'X']);
        if is_float {
            token
                .parse::<f64>()
                .map(Expected::Float)
                .map_err(|_| self.error(&format!("bad float `{token}`")))
        } else {
            parse_int(token)
                .map(Expected::Int)
                .ok_or_else(|| self.error(&format!("bad integer `{token}`")))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let Some(quote) = self.peek() else {
            return Err(self.error("expected a string"));
        };
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' => {
                            let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                            let c = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.error("bad \\u escape"))?;
                            out.push(c);
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        Err(self.error("unterminated string"))
    }

    fn list(&mut self) -> Result<Expected, String> {
        self.expect("[")?;
        let mut items = Vec::new();
        if self.eat("]") {
            return Ok(Expected::List(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat("]") {
                return Ok(Expected::List(items));
            }
            self.expect(",")?;
        }
    }

    fn key(&mut self) -> Result<String, String> {
        self.skip_ws();
        if self.peek() == Some('`') {
            self.pos += 1;
            let mut out = String::new();
            loop {
                let rest = self.rest();
                let Some(end) = rest.find('`') else {
                    return Err(self.error("unterminated `name`"));
                };
                out.push_str(&rest[..end]);
                self.pos += end + 1;
                // `` inside backticks is one backtick.
                if self.peek() == Some('`') {
                    out.push('`');
                    self.pos += 1;
                } else {
                    return Ok(out);
                }
            }
        }
        let word = self.word();
        if word.is_empty() {
            Err(self.error("expected a name"))
        } else {
            Ok(word)
        }
    }

    fn map(&mut self) -> Result<BTreeMap<String, Expected>, String> {
        self.expect("{")?;
        let mut map = BTreeMap::new();
        if self.eat("}") {
            return Ok(map);
        }
        loop {
            let key = self.key()?;
            self.expect(":")?;
            let value = self.value()?;
            map.insert(key, value);
            if self.eat("}") {
                return Ok(map);
            }
            self.expect(",")?;
        }
    }

    fn properties(&mut self) -> Result<BTreeMap<String, Expected>, String> {
        self.skip_ws();
        if self.peek() == Some('{') {
            self.map()
        } else {
            Ok(BTreeMap::new())
        }
    }

    fn node(&mut self) -> Result<NodeShape, String> {
        self.expect("(")?;
        let mut labels = BTreeSet::new();
        while self.eat(":") {
            labels.insert(self.key()?);
        }
        let properties = self.properties()?;
        self.expect(")")?;
        Ok(NodeShape { labels, properties })
    }

    fn rel(&mut self) -> Result<RelShape, String> {
        self.expect("[")?;
        self.expect(":")?;
        let rel_type = self.key()?;
        let properties = self.properties()?;
        self.expect("]")?;
        Ok(RelShape {
            rel_type,
            properties,
        })
    }

    fn path(&mut self) -> Result<Expected, String> {
        self.expect("<")?;
        let start = self.node()?;
        let mut hops = Vec::new();
        loop {
            if self.eat(">") {
                return Ok(Expected::Path(start, hops));
            }
            let backwards = self.eat("<-");
            if !backwards {
                self.expect("-")?;
            }
            let rel = self.rel()?;
            if backwards {
                self.expect("-")?;
            } else {
                self.expect("->")?;
            }
            let node = self.node()?;
            hops.push((rel, !backwards, node));
        }
    }
}

/// Decimal, `0x` hex and `0o` octal integers with an optional sign, as Cypher writes them.
fn parse_int(token: &str) -> Option<i64> {
    let (negative, digits) = match token.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, token.strip_prefix('+').unwrap_or(token)),
    };
    let (radix, digits) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else {
        (10, digits)
    };
    // Parse with the sign attached so i64::MIN reads back.
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    i64::from_str_radix(&signed, radix).ok()
}

/// How strictly lists compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    Exact,
    /// `ignoring element order for lists`: lists compare as multisets.
    Ignored,
}

impl Expected {
    /// Whether `actual` (from `result`) is this expected value.
    pub fn matches(&self, actual: &Value, result: &ResultSet, order: ListOrder) -> bool {
        match (self, actual) {
            (Expected::Null, Value::Null) => true,
            (Expected::Bool(a), Value::Bool(b)) => a == b,
            (Expected::Int(a), Value::Int(b)) => a == b,
            // The TCK writes floats in full, so they compare exactly; NaN matches NaN.
            (Expected::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Expected::String(a), Value::String(b)) => a.as_str() == &**b,
            // The TCK writes temporal values as their ISO text in quotes.
            (Expected::String(a), Value::Temporal(t)) => *a == t.to_string(),
            (Expected::List(a), Value::List(b)) => match order {
                ListOrder::Exact => {
                    a.len() == b.len() && a.iter().zip(b).all(|(e, v)| e.matches(v, result, order))
                }
                ListOrder::Ignored => {
                    let items: Vec<&Value> = b.iter().collect();
                    match_unordered(a, &items, |e, v| e.matches(v, result, order))
                }
            },
            (Expected::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, e)| b.get(k).is_some_and(|v| e.matches(v, result, order)))
            }
            (Expected::Node(shape), Value::Node(id)) => result
                .nodes
                .get(id)
                .is_some_and(|n| shape.matches(&n.labels, &n.properties, result, order)),
            (Expected::Rel(shape), Value::Rel(id)) => result
                .rels
                .get(id)
                .is_some_and(|r| shape.matches(&r.rel_type, &r.properties, result, order)),
            (Expected::Path(start, hops), Value::Path(path)) => {
                hops.len() == path.rels.len()
                    && path.nodes.len() == path.rels.len() + 1
                    && node_matches(start, path.nodes[0], result, order)
                    && hops.iter().enumerate().all(|(i, (rel, forward, node))| {
                        let id = path.rels[i];
                        let Some(snapshot) = result.rels.get(&id) else {
                            return false;
                        };
                        let (from, to) = (path.nodes[i], path.nodes[i + 1]);
                        let direction_ok = if *forward {
                            snapshot.start == from && snapshot.end == to
                        } else {
                            snapshot.start == to && snapshot.end == from
                        };
                        direction_ok
                            && shape_rel_matches(rel, id, result, order)
                            && node_matches(node, to, result, order)
                    })
            }
            _ => false,
        }
    }

    /// Converts a parameter value; graph elements cannot be parameters.
    pub fn to_value(&self) -> Result<Value, String> {
        Ok(match self {
            Expected::Null => Value::Null,
            Expected::Bool(b) => Value::Bool(*b),
            Expected::Int(i) => Value::Int(*i),
            Expected::Float(f) => Value::Float(*f),
            Expected::String(s) => Value::from(s.as_str()),
            Expected::List(items) => Value::List(
                items
                    .iter()
                    .map(Expected::to_value)
                    .collect::<Result<_, _>>()?,
            ),
            Expected::Map(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), v.to_value()?)))
                    .collect::<Result<_, String>>()?,
            ),
            Expected::Node(_) | Expected::Rel(_) | Expected::Path(..) => {
                return Err(format!("a graph element cannot be a parameter: {self}"));
            }
        })
    }
}

fn node_matches(
    shape: &NodeShape,
    id: kg::graph::NodeId,
    result: &ResultSet,
    order: ListOrder,
) -> bool {
    result
        .nodes
        .get(&id)
        .is_some_and(|n| shape.matches(&n.labels, &n.properties, result, order))
}

fn shape_rel_matches(
    shape: &RelShape,
    id: kg::graph::RelId,
    result: &ResultSet,
    order: ListOrder,
) -> bool {
    result
        .rels
        .get(&id)
        .is_some_and(|r| shape.matches(&r.rel_type, &r.properties, result, order))
}

fn properties_match(
    expected: &BTreeMap<String, Expected>,
    actual: &kg::graph::Properties,
    result: &ResultSet,
    order: ListOrder,
) -> bool {
    expected.len() == actual.len()
        && expected
            .iter()
            .all(|(k, e)| actual.get(k).is_some_and(|v| e.matches(v, result, order)))
}

impl NodeShape {
    fn matches(
        &self,
        labels: &[std::sync::Arc<str>],
        properties: &kg::graph::Properties,
        result: &ResultSet,
        order: ListOrder,
    ) -> bool {
        let actual: BTreeSet<&str> = labels.iter().map(|l| &**l).collect();
        actual.len() == self.labels.len()
            && self.labels.iter().all(|l| actual.contains(l.as_str()))
            && properties_match(&self.properties, properties, result, order)
    }
}

impl RelShape {
    fn matches(
        &self,
        rel_type: &str,
        properties: &kg::graph::Properties,
        result: &ResultSet,
        order: ListOrder,
    ) -> bool {
        self.rel_type == rel_type && properties_match(&self.properties, properties, result, order)
    }
}

/// Whether `expected` and `actual` are equal as multisets under `eq` (greedy is enough,
/// since `eq` is an equivalence).
pub fn match_unordered<E, A>(expected: &[E], actual: &[A], eq: impl Fn(&E, &A) -> bool) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    let mut used = vec![false; actual.len()];
    expected.iter().all(|e| {
        let found = actual
            .iter()
            .enumerate()
            .position(|(i, a)| !used[i] && eq(e, a));
        match found {
            Some(i) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Null => f.write_str("null"),
            Expected::Bool(b) => write!(f, "{b}"),
            Expected::Int(i) => write!(f, "{i}"),
            Expected::Float(x) => f.write_str(&kg::format::tck::render_float(*x)),
            Expected::String(s) => f.write_str(&kg::format::tck::render_string(s)),
            Expected::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Expected::Map(map) => write_map(f, map),
            Expected::Node(n) => write!(f, "{n}"),
            Expected::Rel(r) => write!(f, "{r}"),
            Expected::Path(start, hops) => {
                write!(f, "<{start}")?;
                for (rel, forward, node) in hops {
                    if *forward {
                        write!(f, "-{rel}->{node}")?;
                    } else {
                        write!(f, "<-{rel}-{node}")?;
                    }
                }
                f.write_str(">")
            }
        }
    }
}

fn write_map(f: &mut fmt::Formatter<'_>, map: &BTreeMap<String, Expected>) -> fmt::Result {
    f.write_str("{")?;
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{k}: {v}")?;
    }
    f.write_str("}")
}

impl fmt::Display for NodeShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for l in &self.labels {
            write!(f, ":{l}")?;
        }
        if !self.properties.is_empty() {
            if !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write_map(f, &self.properties)?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for RelShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[:{}", self.rel_type)?;
        if !self.properties.is_empty() {
            f.write_str(" ")?;
            write_map(f, &self.properties)?;
        }
        f.write_str("]")
    }
}

/// Splits a golden-file row `'a | b' | [1, 2] | null` into cells at the `|`s that are not
/// inside quotes, backticks or brackets; cells are trimmed.
pub fn split_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            cell.push(c);
            if c == '\\' && q != '`' {
                if let Some(escaped) = chars.next() {
                    cell.push(escaped);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            // Not `<` and `>`: the arrows of a path would unbalance them.
            '[' | '{' | '(' => depth += 1,
            ']' | '}' | ')' => depth = depth.saturating_sub(1),
            '|' if depth == 0 => {
                cells.push(cell.trim().to_string());
                cell.clear();
                continue;
            }
            _ => {}
        }
        cell.push(c);
    }
    cells.push(cell.trim().to_string());
    cells
}

/// Tests of this module, run by the harness as trials.
pub mod self_tests {
    use super::*;

    /// (name, test) pairs; tests/tck.rs runs them as trials, since harness = false
    /// test targets do not run `#[test]` functions.
    pub const ALL: &[(&str, fn())] = &[
        ("parses_scalars", parses_scalars),
        (
            "parses_containers_and_graph_elements",
            parses_containers_and_graph_elements,
        ),
        ("compares_with_actual_values", compares_with_actual_values),
        ("parameters_become_values", parameters_become_values),
        ("splits_golden_cells", splits_golden_cells),
    ];
    use kg::graph::Graph;
    use kg::result::Stats;
    use kg::value::Path;

    fn round_trip(text: &str) {
        let v = parse_value(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(v.to_string(), text);
    }

    fn parses_scalars() {
        assert_eq!(parse_value("null"), Ok(Expected::Null));
        assert_eq!(parse_value(" true "), Ok(Expected::Bool(true)));
        assert_eq!(parse_value("-12"), Ok(Expected::Int(-12)));
        assert_eq!(
            parse_value("-9223372036854775808"),
            Ok(Expected::Int(i64::MIN))
        );
        assert_eq!(parse_value("0x1F"), Ok(Expected::Int(31)));
        assert_eq!(parse_value("1.0"), Ok(Expected::Float(1.0)));
        assert_eq!(parse_value("-1e-3"), Ok(Expected::Float(-0.001)));
        assert_eq!(parse_value(".5"), Ok(Expected::Float(0.5)));
        assert_eq!(parse_value("-Inf"), Ok(Expected::Float(f64::NEG_INFINITY)));
        assert!(matches!(parse_value("NaN"), Ok(Expected::Float(f)) if f.is_nan()));
        assert_eq!(
            parse_value(r"'it\'s \\ ok'"),
            Ok(Expected::String(r"it's \ ok".into()))
        );
        assert!(parse_value("'open").is_err());
        assert!(parse_value("1 2").is_err());
        assert!(parse_value("nothing").is_err());
    }

    fn parses_containers_and_graph_elements() {
        round_trip("[1, [], {a: 'x', b: [null]}]");
        round_trip("(:A:B {name: 'n'})");
        round_trip("()");
        round_trip("({num: 1})");
        round_trip("[:T {w: 1.5}]");
        round_trip("<(:A)-[:T]->(:B)<-[:U]-()>");
        round_trip("<()>");
        assert_eq!(
            parse_value("{`a b`: 1}"),
            Ok(Expected::Map(BTreeMap::from([(
                "a b".to_string(),
                Expected::Int(1)
            )])))
        );
        // Labels are a set: order does not matter.
        assert_eq!(parse_value("(:B:A)"), parse_value("(:A:B)"));
    }

    fn compares_with_actual_values() {
        let mut graph = Graph::new();
        let a = graph.create_node(["A"], [("name".to_string(), Value::from("a"))]);
        let b = graph.create_node(["B"], Vec::new());
        let r = graph.create_rel(b, a, "T", Vec::new()).expect("endpoints");
        let path = Value::Path(Box::new(Path {
            nodes: vec![a, b],
            rels: vec![r],
        }));
        let result = ResultSet::new(vec![], vec![vec![path.clone()]], Stats::default(), &graph);
        let check = |text: &str, v: &Value, order| {
            parse_value(text)
                .expect("parses")
                .matches(v, &result, order)
        };
        assert!(check(
            "<(:A {name: 'a'})<-[:T]-(:B)>",
            &path,
            ListOrder::Exact
        ));
        assert!(!check(
            "<(:A {name: 'a'})-[:T]->(:B)>",
            &path,
            ListOrder::Exact
        ));
        assert!(!check("<(:A)<-[:T]-(:B)>", &path, ListOrder::Exact));
        assert!(check("1", &Value::Int(1), ListOrder::Exact));
        assert!(!check("1.0", &Value::Int(1), ListOrder::Exact));
        assert!(check(
            "0.30000000000000004",
            &Value::Float(0.1 + 0.2),
            ListOrder::Exact
        ));
        let list = Value::List(vec![Value::Int(2), Value::Int(1)]);
        assert!(!check("[1, 2]", &list, ListOrder::Exact));
        assert!(check("[1, 2]", &list, ListOrder::Ignored));
        assert!(!check("[1, 1]", &list, ListOrder::Ignored));
    }

    fn parameters_become_values() {
        let v = parse_value("{k: [1, 'x']}")
            .expect("parses")
            .to_value()
            .expect("converts");
        assert_eq!(
            kg::format::tck::render_value(&v, &ResultSet::default()),
            "{k: [1, 'x']}"
        );
        assert!(parse_value("()").expect("parses").to_value().is_err());
    }

    fn splits_golden_cells() {
        assert_eq!(
            split_cells(r"'a | b' | [1, 2] |  null  | (:A {k: '\'|'})"),
            vec!["'a | b'", "[1, 2]", "null", r"(:A {k: '\'|'})"]
        );
        assert_eq!(split_cells("<()<-[:T]-()> | 1"), vec!["<()<-[:T]-()>", "1"]);
        assert_eq!(split_cells("1"), vec!["1"]);
    }
}
