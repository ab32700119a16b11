//! Finding nodes by what people call them: a ranked fuzzy match of a text against every
//! node's `name` and `aliases`. The shell's `:find` and the `kg.find` procedure use it, so
//! a query can start from "ecoflow" without knowing the node is named "EcoFlow Inc.".

use crate::graph::{Graph, NodeId};
use crate::value::Value;

/// Lowest similarity still counted as a match.
pub const THRESHOLD: f64 = 0.6;

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

/// The nodes whose name or an alias is like `text` (at least `THRESHOLD`), best first;
/// ties go to the lower id.
pub fn find_nodes(graph: &Graph, text: &str) -> Vec<NameMatch> {
    let mut hits: Vec<NameMatch> = graph
        .nodes()
        .filter_map(|node| {
            names_of(graph, node)
                .into_iter()
                .map(|name| (similarity(text, &name), name))
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
