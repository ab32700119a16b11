//! A walk over every expression of a query, in text order, entering patterns, comprehensions
//! and subqueries: for checks that look at all of them alike (parameters).

use super::{
    Clause, Expr, ExprKind, MapProjectionItem, PatternElement, PatternPart, Projection, Query,
    RemoveItem, SetItem, SingleQuery, YieldItems,
};

/// Calls `f` on every expression of `query` and on each of their subexpressions.
pub fn each_expr(query: &Query, f: &mut dyn FnMut(&Expr)) {
    single(&query.first, f);
    for (_, part) in &query.unions {
        single(part, f);
    }
}

fn single(query: &SingleQuery, f: &mut dyn FnMut(&Expr)) {
    for clause in &query.clauses {
        self::clause(clause, f);
    }
}

fn clause(clause: &Clause, f: &mut dyn FnMut(&Expr)) {
    match clause {
        Clause::Match(m) => {
            m.pattern.iter().for_each(|p| part(p, f));
            m.where_clause.iter().for_each(|e| expr(e, f));
        }
        Clause::Unwind(u) => expr(&u.expr, f),
        Clause::LoadCsv(l) => {
            expr(&l.source, f);
            l.field_terminator.iter().for_each(|e| expr(e, f));
        }
        Clause::With(w) => {
            projection(&w.projection, f);
            w.where_clause.iter().for_each(|e| expr(e, f));
        }
        Clause::Return(r) => projection(&r.projection, f),
        Clause::Create(c) => c.pattern.iter().for_each(|p| part(p, f)),
        Clause::Merge(m) => {
            part(&m.part, f);
            set_items(&m.on_create, f);
            set_items(&m.on_match, f);
        }
        Clause::Set(s) => set_items(&s.items, f),
        Clause::Remove(r) => {
            for item in &r.items {
                if let RemoveItem::Property { target, .. } = item {
                    expr(target, f);
                }
            }
        }
        Clause::Delete(d) => d.exprs.iter().for_each(|e| expr(e, f)),
        Clause::Call(c) => {
            c.args.iter().flatten().for_each(|e| expr(e, f));
            if let Some(YieldItems::Items {
                where_clause: Some(w),
                ..
            }) = &c.yields
            {
                expr(w, f);
            }
        }
        Clause::CallSubquery(c) => each_expr(&c.query, f),
        Clause::Foreach(fe) => {
            expr(&fe.list, f);
            single(&fe.body, f);
        }
    }
}

fn projection(p: &Projection, f: &mut dyn FnMut(&Expr)) {
    p.items.iter().for_each(|i| expr(&i.expr, f));
    p.order_by.iter().for_each(|s| expr(&s.expr, f));
    p.skip.iter().chain(&p.limit).for_each(|e| expr(e, f));
}

fn set_items(items: &[SetItem], f: &mut dyn FnMut(&Expr)) {
    for item in items {
        match item {
            SetItem::Property { target, value, .. } => {
                expr(target, f);
                expr(value, f);
            }
            SetItem::Replace { value, .. } | SetItem::Merge { value, .. } => expr(value, f),
            SetItem::Labels { .. } => {}
        }
    }
}

fn part(p: &PatternPart, f: &mut dyn FnMut(&Expr)) {
    element(&p.element, f);
}

fn element(e: &PatternElement, f: &mut dyn FnMut(&Expr)) {
    e.start.properties.iter().for_each(|p| expr(p, f));
    for (rel, node) in &e.chain {
        rel.properties.iter().for_each(|p| expr(p, f));
        node.properties.iter().for_each(|p| expr(p, f));
    }
}

fn expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar => {}
        ExprKind::List(items) => items.iter().for_each(|i| expr(i, f)),
        ExprKind::Map(entries) => entries.iter().for_each(|(_, v)| expr(v, f)),
        ExprKind::Property(inner, _)
        | ExprKind::Unary(_, inner)
        | ExprKind::IsNull { expr: inner, .. }
        | ExprKind::HasLabels(inner, _) => expr(inner, f),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            expr(a, f);
            expr(b, f);
        }
        ExprKind::Slice(list, from, to) => {
            expr(list, f);
            from.iter().chain(to).for_each(|e| expr(e, f));
        }
        ExprKind::FunctionCall(call) => call.args.iter().for_each(|a| expr(a, f)),
        ExprKind::Case(case) => {
            case.subject.iter().for_each(|s| expr(s, f));
            for (when, then) in &case.whens {
                expr(when, f);
                expr(then, f);
            }
            case.otherwise.iter().for_each(|o| expr(o, f));
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            expr(list, f);
            predicate.iter().chain(projection).for_each(|e| expr(e, f));
        }
        ExprKind::PatternComprehension {
            pattern,
            predicate,
            projection,
            ..
        } => {
            element(pattern, f);
            predicate.iter().for_each(|p| expr(p, f));
            expr(projection, f);
        }
        ExprKind::Quantifier {
            list, predicate, ..
        } => {
            expr(list, f);
            predicate.iter().for_each(|p| expr(p, f));
        }
        ExprKind::Reduce {
            init,
            list,
            expr: body,
            ..
        } => {
            expr(init, f);
            expr(list, f);
            expr(body, f);
        }
        ExprKind::Pattern(pattern) => element(pattern, f),
        ExprKind::Subquery(_, query) => each_expr(query, f),
        ExprKind::MapProjection { items, .. } => {
            for item in items {
                if let MapProjectionItem::Entry(_, value) = item {
                    expr(value, f);
                }
            }
        }
    }
}
