//! Cypher's vocabulary as the shell and the browser workspace see it: keywords (for highlighting and completion)
//! and built-in function names (completion and "did you mean" on unknown functions).

pub use crate::ast::keywords::{KEYWORDS, is_keyword};

/// kg's built-in functions (the catalog), in their usual spelling: the undotted names, so
/// `date` but not `date.truncate`, alphabetical in any case.
pub static FUNCTIONS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut names: Vec<_> = crate::catalog::all()
        .map(|f| f.name)
        .filter(|name| !name.contains('.'))
        .collect();
    names.sort_by_key(|name| name.to_ascii_lowercase());
    names
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_offers_the_catalogs_undotted_names() {
        assert!(FUNCTIONS.contains(&"toUpper") && FUNCTIONS.contains(&"date"));
        assert!(!FUNCTIONS.contains(&"date.truncate"));
        let lower: Vec<_> = FUNCTIONS.iter().map(|f| f.to_ascii_lowercase()).collect();
        assert!(
            lower.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
    }
}
