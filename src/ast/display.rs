//! Canonical Cypher for the AST (parser round-trip tests rely on it): keywords in upper
//! case, single spaces, parentheses only where precedence needs them, names backtick-quoted
//! when they are not plain identifiers or are reserved words.

use std::fmt::{self, Display, Formatter, Write};

use super::*;

/// Writes `name` as an identifier, quoting it when it could not be read back unquoted.
/// Reserved words are quoted too: the AST doesn't record whether a name is a variable.
fn write_name(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if is_plain_name(name) && !is_reserved_word(name) {
        f.write_str(name)
    } else {
        write_backticked(f, name)
    }
}

/// Writes `items` separated by `, `.
fn comma_separated<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Display for MapProjectionItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            MapProjectionItem::Property(key) => write!(f, ".{key}"),
            MapProjectionItem::AllProperties => f.write_str(".*"),
            MapProjectionItem::Entry(key, value) => write!(f, "{key}: {value}"),
            MapProjectionItem::Variable(name) => write!(f, "{name}"),
        }
    }
}

impl Display for YieldItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.field)?;
        match &self.alias {
            Some(alias) => write!(f, " AS {alias}"),
            None => Ok(()),
        }
    }
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_name(f, &self.name)
    }
}

// --- Statements and clauses -----------------------------------------------------------------

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.mode {
            StatementMode::Run => {}
            StatementMode::Explain => f.write_str("EXPLAIN ")?,
            StatementMode::Profile => f.write_str("PROFILE ")?,
        }
        if let Some(command) = &self.schema {
            return write!(f, "{command}");
        }
        write!(f, "{}", self.query)
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (kind, query) in &self.unions {
            match kind {
                UnionKind::Distinct => write!(f, " UNION {query}")?,
                UnionKind::All => write!(f, " UNION ALL {query}")?,
            }
        }
        Ok(())
    }
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, clause) in self.clauses.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            write!(f, "{clause}")?;
        }
        Ok(())
    }
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Match(c) => {
                if c.optional {
                    f.write_str("OPTIONAL ")?;
                }
                f.write_str("MATCH ")?;
                comma_separated(f, &c.pattern)?;
                if let Some(predicate) = &c.where_clause {
                    write!(f, " WHERE {predicate}")?;
                }
                Ok(())
            }
            Clause::Unwind(c) => write!(f, "UNWIND {} AS {}", c.expr, c.variable),
            Clause::LoadCsv(c) => {
                f.write_str("LOAD CSV ")?;
                if c.with_headers {
                    f.write_str("WITH HEADERS ")?;
                }
                write!(f, "FROM {} AS {}", c.source, c.variable)?;
                if let Some(terminator) = &c.field_terminator {
                    write!(f, " FIELDTERMINATOR {terminator}")?;
                }
                Ok(())
            }
            Clause::With(c) => {
                write!(f, "WITH {}", c.projection)?;
                if let Some(predicate) = &c.where_clause {
                    write!(f, " WHERE {predicate}")?;
                }
                Ok(())
            }
            Clause::Return(c) => write!(f, "RETURN {}", c.projection),
            Clause::Create(c) => {
                f.write_str("CREATE ")?;
                comma_separated(f, &c.pattern)
            }
            Clause::Merge(c) => {
                write!(f, "MERGE {}", c.part)?;
                if !c.on_create.is_empty() {
                    f.write_str(" ON CREATE SET ")?;
                    comma_separated(f, &c.on_create)?;
                }
                if !c.on_match.is_empty() {
                    f.write_str(" ON MATCH SET ")?;
                    comma_separated(f, &c.on_match)?;
                }
                Ok(())
            }
            Clause::Set(c) => {
                f.write_str("SET ")?;
                comma_separated(f, &c.items)
            }
            Clause::Remove(c) => {
                f.write_str("REMOVE ")?;
                comma_separated(f, &c.items)
            }
            Clause::Delete(c) => {
                if c.detach {
                    f.write_str("DETACH ")?;
                }
                f.write_str("DELETE ")?;
                comma_separated(f, &c.exprs)
            }
            Clause::Call(c) => {
                write!(f, "CALL {}", c.procedure)?;
                if let Some(args) = &c.args {
                    f.write_char('(')?;
                    comma_separated(f, args)?;
                    f.write_char(')')?;
                }
                match &c.yields {
                    None => {}
                    Some(YieldItems::Star) => f.write_str(" YIELD *")?,
                    Some(YieldItems::Items {
                        items,
                        where_clause,
                    }) => {
                        f.write_str(" YIELD ")?;
                        comma_separated(f, items)?;
                        if let Some(w) = where_clause {
                            write!(f, " WHERE {w}")?;
                        }
                    }
                }
                Ok(())
            }
            Clause::CallSubquery(c) => {
                if c.optional {
                    f.write_str("OPTIONAL ")?;
                }
                f.write_str("CALL ")?;
                match &c.imports {
                    None => {}
                    Some(Imports::All) => f.write_str("(*) ")?,
                    Some(Imports::Variables(names)) => {
                        f.write_char('(')?;
                        comma_separated(f, names)?;
                        f.write_str(") ")?;
                    }
                }
                write!(f, "{{ {} }}", c.query)
            }
            Clause::Foreach(c) => {
                write!(f, "FOREACH ({} IN {} | {})", c.variable, c.list, c.body)
            }
        }
    }
}

impl Display for Projection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if self.star {
            f.write_char('*')?;
            if !self.items.is_empty() {
                f.write_str(", ")?;
            }
        }
        comma_separated(f, &self.items)?;
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            comma_separated(f, &self.order_by)?;
        }
        if let Some(skip) = &self.skip {
            write!(f, " SKIP {skip}")?;
        }
        if let Some(limit) = &self.limit {
            write!(f, " LIMIT {limit}")?;
        }
        Ok(())
    }
}

impl Display for ReturnItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(alias) = &self.alias {
            write!(f, " AS {alias}")?;
        }
        Ok(())
    }
}

impl Display for SortItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if self.descending {
            f.write_str(" DESC")?;
        }
        Ok(())
    }
}

/// The owner in `owner.key = ...`: an atom, or lookups on one (`(n).key` is written `n.key`).
fn write_property_owner(f: &mut Formatter<'_>, owner: &Expr) -> fmt::Result {
    match &owner.kind {
        ExprKind::Property(inner, key) => {
            write_property_owner(f, inner)?;
            write!(f, ".{key}")
        }
        _ if precedence(owner) == ATOM => write!(f, "{owner}"),
        _ => write!(f, "({owner})"),
    }
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property { target, key, value } => {
                write_property_owner(f, target)?;
                write!(f, ".{key} = {value}")
            }
            SetItem::Replace { variable, value } => write!(f, "{variable} = {value}"),
            SetItem::Merge { variable, value } => write!(f, "{variable} += {value}"),
            SetItem::Labels { variable, labels } => {
                write!(f, "{variable}")?;
                write_labels(f, labels)
            }
        }
    }
}

impl Display for RemoveItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Property { target, key } => {
                write_property_owner(f, target)?;
                write!(f, ".{key}")
            }
            RemoveItem::Labels { variable, labels } => {
                write!(f, "{variable}")?;
                write_labels(f, labels)
            }
        }
    }
}

// --- Patterns -------------------------------------------------------------------------------

fn write_labels(f: &mut Formatter<'_>, labels: &[Ident]) -> fmt::Result {
    labels.iter().try_for_each(|label| write!(f, ":{label}"))
}

impl Display for PatternPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(variable) = &self.variable {
            write!(f, "{variable} = ")?;
        }
        match self.kind {
            PathKind::All => write!(f, "{}", self.element),
            PathKind::Shortest => write!(f, "shortestPath({})", self.element),
            PathKind::AllShortest => write!(f, "allShortestPaths({})", self.element),
        }
    }
}

impl Display for PatternElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start)?;
        for (relationship, node) in &self.chain {
            write!(f, "{relationship}{node}")?;
        }
        Ok(())
    }
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        if let Some(variable) = &self.variable {
            write!(f, "{variable}")?;
        }
        write_labels(f, &self.labels)?;
        if let Some(properties) = &self.properties {
            if self.variable.is_some() || !self.labels.is_empty() {
                f.write_char(' ')?;
            }
            write!(f, "{properties}")?;
        }
        f.write_char(')')
    }
}

impl Display for RelationshipPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self.direction {
            RelDirection::Left => "<-",
            RelDirection::Right | RelDirection::Both => "-",
        })?;
        let has_detail = self.variable.is_some()
            || !self.types.is_empty()
            || self.length.is_some()
            || self.properties.is_some();
        if has_detail {
            f.write_char('[')?;
            if let Some(variable) = &self.variable {
                write!(f, "{variable}")?;
            }
            for (i, rel_type) in self.types.iter().enumerate() {
                f.write_str(if i == 0 { ":" } else { "|" })?;
                write!(f, "{rel_type}")?;
            }
            if let Some(length) = &self.length {
                write!(f, "{length}")?;
            }
            if let Some(properties) = &self.properties {
                if self.variable.is_some() || !self.types.is_empty() || self.length.is_some() {
                    f.write_char(' ')?;
                }
                write!(f, "{properties}")?;
            }
            f.write_char(']')?;
        }
        f.write_str(match self.direction {
            RelDirection::Right => "->",
            RelDirection::Left | RelDirection::Both => "-",
        })
    }
}

impl Display for LengthRange {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('*')?;
        match (self.min, self.max) {
            (None, None) => Ok(()),
            (Some(min), Some(max)) if min == max => write!(f, "{min}"),
            (min, max) => {
                if let Some(min) = min {
                    write!(f, "{min}")?;
                }
                f.write_str("..")?;
                if let Some(max) = max {
                    write!(f, "{max}")?;
                }
                Ok(())
            }
        }
    }
}

// --- Expressions ----------------------------------------------------------------------------

/// Binding strength of an expression's outermost operator, loosest 1 to atoms 12, following
/// the parser's openCypher precedence table.
fn precedence(expr: &Expr) -> u8 {
    use BinaryOp::*;
    match &expr.kind {
        ExprKind::Binary(op, ..) => match op {
            Or => 1,
            Xor => 2,
            And => 3,
            Eq | Ne | Lt | Le | Gt | Ge => 5,
            RegexMatch | In | StartsWith | EndsWith | Contains => 6,
            Add | Sub => 7,
            Mul | Div | Mod => 8,
            Pow => 9,
        },
        ExprKind::Unary(UnaryOp::Not, _) => 4,
        ExprKind::IsNull { .. } => 6,
        ExprKind::Unary(..) => UNARY,
        // A negative literal reads as a unary minus.
        ExprKind::Literal(Literal::Integer(i)) if *i < 0 => UNARY,
        ExprKind::Literal(Literal::Float(x)) if x.is_sign_negative() => UNARY,
        ExprKind::Property(..)
        | ExprKind::Index(..)
        | ExprKind::Slice(..)
        | ExprKind::HasLabels(..) => POSTFIX,
        _ => ATOM,
    }
}

const UNARY: u8 = 10;
const POSTFIX: u8 = 11;
const ATOM: u8 = 12;

/// Writes `expr`, parenthesized if it binds looser than `min`.
fn write_operand(f: &mut Formatter<'_>, expr: &Expr, min: u8) -> fmt::Result {
    if precedence(expr) < min {
        write!(f, "({expr})")
    } else {
        write!(f, "{expr}")
    }
}

fn write_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\'' => f.write_str("\\'")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{C}' => f.write_str("\\f")?,
            c if c.is_control() => write!(f, "\\u{:04X}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Integer(i) => write!(f, "{i}"),
            // `{:?}` is the shortest text that reads back as the same f64 and always has a
            // `.` or an exponent, so it stays a float.
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::String(s) => write_string(f, s),
        }
    }
}

impl Display for BinaryOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use BinaryOp::*;
        f.write_str(match self {
            Or => "OR",
            Xor => "XOR",
            And => "AND",
            Eq => "=",
            Ne => "<>",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            RegexMatch => "=~",
            In => "IN",
            StartsWith => "STARTS WITH",
            EndsWith => "ENDS WITH",
            Contains => "CONTAINS",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Pow => "^",
        })
    }
}

impl Display for Quantifier {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Quantifier::All => "all",
            Quantifier::Any => "any",
            Quantifier::None => "none",
            Quantifier::Single => "single",
        })
    }
}

impl Display for FunctionCall {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = self.name.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                f.write_char('.')?;
            }
            // `exists(...)` is the one function named by a reserved word.
            if i + 1 == parts.len() && part.eq_ignore_ascii_case("exists") {
                f.write_str(part)?;
            } else {
                write_name(f, part)?;
            }
        }
        f.write_char('(')?;
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        comma_separated(f, &self.args)?;
        f.write_char(')')
    }
}

impl Display for CaseExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("CASE")?;
        if let Some(subject) = &self.subject {
            write!(f, " {subject}")?;
        }
        for (when, then) in &self.whens {
            write!(f, " WHEN {when} THEN {then}")?;
        }
        if let Some(otherwise) = &self.otherwise {
            write!(f, " ELSE {otherwise}")?;
        }
        f.write_str(" END")
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(literal) => write!(f, "{literal}"),
            ExprKind::Parameter(name) => {
                f.write_char('$')?;
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
                    f.write_str(name)
                } else {
                    write_name(f, name)
                }
            }
            ExprKind::Variable(name) => write_name(f, name),
            ExprKind::List(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    // `[x IN list]` would read back as a list comprehension, so a first
                    // element of that shape is parenthesised.
                    if i == 0 && reads_as_comprehension_head(item) {
                        write!(f, "({item})")?;
                    } else {
                        write!(f, "{item}")?;
                    }
                }
                f.write_char(']')
            }
            ExprKind::Map(entries) => {
                f.write_char('{')?;
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key}: {value}")?;
                }
                f.write_char('}')
            }
            ExprKind::Property(owner, key) => {
                write_operand(f, owner, POSTFIX)?;
                write!(f, ".{key}")
            }
            ExprKind::Index(list, index) => {
                write_operand(f, list, POSTFIX)?;
                write!(f, "[{index}]")
            }
            ExprKind::Slice(list, from, to) => {
                write_operand(f, list, POSTFIX)?;
                f.write_char('[')?;
                if let Some(from) = from {
                    write!(f, "{from}")?;
                }
                f.write_str("..")?;
                if let Some(to) = to {
                    write!(f, "{to}")?;
                }
                f.write_char(']')
            }
            ExprKind::Unary(UnaryOp::Not, operand) => {
                f.write_str("NOT ")?;
                write_operand(f, operand, 4)
            }
            ExprKind::Unary(op, operand) => {
                f.write_char(if *op == UnaryOp::Negate { '-' } else { '+' })?;
                // `-(5)` stays a negation (`-5` would read back as a literal), and `-(-x)`
                // avoids `--`.
                let bare_number = matches!(
                    operand.kind,
                    ExprKind::Literal(Literal::Integer(_) | Literal::Float(_))
                );
                if bare_number || matches!(operand.kind, ExprKind::Unary(..)) {
                    write!(f, "({operand})")
                } else {
                    write_operand(f, operand, UNARY)
                }
            }
            ExprKind::Binary(op, left, right) => {
                let level = precedence(self);
                // Comparisons never chain implicitly: `a < b < c` would be read as a range.
                let left_min = if level == 5 { level + 1 } else { level };
                write_operand(f, left, left_min)?;
                write!(f, " {op} ")?;
                write_operand(f, right, level + 1)
            }
            ExprKind::IsNull { expr, negated } => {
                write_operand(f, expr, 6)?;
                f.write_str(if *negated { " IS NOT NULL" } else { " IS NULL" })
            }
            ExprKind::HasLabels(expr, labels) => {
                // `(n:A):B` keeps two label tests apart; `n:A:B` would read back as one.
                if matches!(expr.kind, ExprKind::HasLabels(..)) {
                    write!(f, "({expr})")?;
                } else {
                    write_operand(f, expr, POSTFIX)?;
                }
                write_labels(f, labels)
            }
            ExprKind::FunctionCall(call) => write!(f, "{call}"),
            ExprKind::CountStar => f.write_str("count(*)"),
            ExprKind::Case(case) => write!(f, "{case}"),
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                write!(f, "[{variable} IN {list}")?;
                if let Some(predicate) = predicate {
                    write!(f, " WHERE {predicate}")?;
                }
                if let Some(projection) = projection {
                    write!(f, " | {projection}")?;
                }
                f.write_char(']')
            }
            ExprKind::PatternComprehension {
                variable,
                pattern,
                predicate,
                projection,
            } => {
                f.write_char('[')?;
                if let Some(variable) = variable {
                    write!(f, "{variable} = ")?;
                }
                write!(f, "{pattern}")?;
                if let Some(predicate) = predicate {
                    write!(f, " WHERE {predicate}")?;
                }
                write!(f, " | {projection}]")
            }
            ExprKind::Quantifier {
                quantifier,
                variable,
                list,
                predicate,
            } => {
                write!(f, "{quantifier}({variable} IN {list}")?;
                if let Some(predicate) = predicate {
                    write!(f, " WHERE {predicate}")?;
                }
                f.write_char(')')
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => write!(
                f,
                "reduce({accumulator} = {init}, {variable} IN {list} | {expr})"
            ),
            ExprKind::Pattern(element) => write!(f, "{element}"),
            ExprKind::Subquery(kind, query) => {
                let keyword = match kind {
                    SubqueryKind::Exists => "EXISTS",
                    SubqueryKind::Count => "COUNT",
                    SubqueryKind::Collect => "COLLECT",
                };
                write!(f, "{keyword} {{ {query} }}")
            }
            ExprKind::MapProjection { subject, items } => {
                // `count {` and `collect {` would start subqueries.
                if ["count", "collect"]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(&subject.name))
                {
                    write_backticked(f, &subject.name)?;
                } else {
                    write!(f, "{subject}")?;
                }
                f.write_char('{')?;
                comma_separated(f, items)?;
                f.write_char('}')
            }
        }
    }
}

/// Whether `expr` printed first in a list literal would start a list comprehension.
fn reads_as_comprehension_head(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Binary(BinaryOp::In, lhs, _) if matches!(lhs.kind, ExprKind::Variable(_)))
}
