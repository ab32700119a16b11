//! Finding nodes by what people call them: a ranked fuzzy match of a text against every
//! node's `name` and `aliases`. The shell's `:find` and the `kg.find` procedure use it, so
//! a query can start from "ecoflow" without knowing the node is named "EcoFlow Inc.".
//!
//! A node's `metonym` (a string or list of strings) is also searched: a name the text uses
//! figuratively for the node while another node bears it literally ("Beijing" for the
//! central government, whose literal bearer is the city). It cannot be an alias (aliases
//! are unique), and it ranks just below a literal name or alias that matches as well, so
//! `kg.find('Beijing')` gives the city first and the government after it.

use crate::graph::{Graph, NodeId};
use crate::value::Value;

/// Lowest similarity still counted as a match.
pub const THRESHOLD: f64 = 0.6;

/// A metonym's match counts this much of a literal name's: below an exact name, above a
/// name that only contains the query as one of its words (those score at most 0.95).
pub const METONYM_WEIGHT: f64 = 0.97;

/// One node that matched, with the name or alias that matched best and how well (0..=1).
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    pub node: NodeId,
    pub matched: String,
    pub score: f64,
}

/// Names and aliases of a node.
pub fn names_of(graph: &Graph, node: NodeId) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(Value::String(name)) = graph.node_property(node, "name") {
        names.push(name.to_string());
    }
    if let Some(Value::List(aliases)) = graph.node_property(node, "aliases") {
        names.extend(
            aliases
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string)),
        );
    }
    names
}

/// A node's metonyms: the names the text uses for it figuratively (`metonym` property).
pub fn metonyms_of(graph: &Graph, node: NodeId) -> Vec<String> {
    match graph.node_property(node, "metonym") {
        Some(Value::String(s)) => vec![s.to_string()],
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Similarity of a query to a name, 0..=1; containing the query whole ranks high.
pub fn similarity(query: &str, name: &str) -> f64 {
    let (q, n) = (query.to_lowercase(), name.to_lowercase());
    let fuzzy = strsim::normalized_damerau_levenshtein(&q, &n);
    let contained = if n.contains(&q) {
        0.9 + 0.1 * (q.len() as f64 / n.len().max(1) as f64)
    } else {
        0.0
    };
    // Word by word, so "gansha" finds "Wu Gansha" and "baotou solar" finds "Baotou
    // Beiteng Solar Technology": each word of the query scores its best word of the name.
    let split = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (query_words, name_words) = (split(&q), split(&n));
    let best = |qw: &str| {
        name_words
            .iter()
            .map(|nw| strsim::normalized_damerau_levenshtein(qw, nw))
            .fold(0.0, f64::max)
    };
    let whole_query = name_words
        .iter()
        .map(|w| strsim::normalized_damerau_levenshtein(&q, w))
        .fold(0.0, f64::max);
    let per_word = if query_words.len() > 1 {
        query_words.iter().map(|w| best(w)).sum::<f64>() / query_words.len() as f64
    } else {
        0.0
    };
    fuzzy.max(contained).max(whole_query.max(per_word) * 0.95)
}

/// The nodes whose name, an alias or a metonym is like `text` (at least `THRESHOLD`), best
/// first; ties go to the lower id.
pub fn find_nodes(graph: &Graph, text: &str) -> Vec<NameMatch> {
    let mut hits: Vec<NameMatch> = graph
        .nodes()
        .filter_map(|node| {
            let literal = names_of(graph, node)
                .into_iter()
                .map(|name| (similarity(text, &name), name));
            let figurative = metonyms_of(graph, node)
                .into_iter()
                .map(|name| (similarity(text, &name) * METONYM_WEIGHT, name));
            literal
                .chain(figurative)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(score, matched)| NameMatch {
                    node,
                    matched,
                    score,
                })
        })
        .filter(|hit| hit.score >= THRESHOLD)
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.node.cmp(&b.node)));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> Value {
        Value::from(s)
    }

    /// Created in the reverse of the expected order, so ids cannot decide the ranking.
    fn beijing() -> (Graph, [NodeId; 3]) {
        let mut graph = Graph::new();
        let exchange = graph.create_node(
            ["Organization"],
            [("name".to_string(), string("Beijing stock exchange"))],
        );
        let government = graph.create_node(
            ["Agency"],
            [
                ("name".to_string(), string("Chinese central government")),
                ("metonym".to_string(), string("Beijing")),
            ],
        );
        let city = graph.create_node(["Place"], [("name".to_string(), string("Beijing"))]);
        graph.create_node(["Place"], [("name".to_string(), string("Shanghai"))]);
        (graph, [city, government, exchange])
    }

    #[test]
    fn a_metonym_ranks_below_the_literal_name_and_above_a_longer_name() {
        let (graph, expected) = beijing();
        let hits = find_nodes(&graph, "Beijing");
        let order: Vec<NodeId> = hits.iter().map(|h| h.node).collect();
        assert_eq!(order, expected);
        assert_eq!(hits[0].score, 1.0);
        assert_eq!(hits[1].matched, "Beijing");
        assert_eq!(hits[1].score, METONYM_WEIGHT);
    }

    #[test]
    fn metonyms_may_be_a_list_and_are_not_names() {
        let mut graph = Graph::new();
        let node = graph.create_node(
            ["Agency"],
            [
                ("name".to_string(), string("Chinese central government")),
                (
                    "metonym".to_string(),
                    Value::List(vec![string("Beijing"), string("China")]),
                ),
            ],
        );
        assert_eq!(metonyms_of(&graph, node), vec!["Beijing", "China"]);
        assert_eq!(names_of(&graph, node), vec!["Chinese central government"]);
        assert_eq!(find_nodes(&graph, "china")[0].matched, "China");
    }
}
