//! Parser properties: generated ASTs print (Display) to Cypher that parses back to the same
//! AST (equality ignores spans), and no input, random or mutated, makes the parser panic.

use kg::ast::*;
use kg::parser::parse;
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

fn span() -> Span {
    Span::default()
}

fn expr(kind: ExprKind) -> Expr {
    Expr::new(kind, span())
}

/// Names: mostly plain identifiers, sometimes reserved words or text that needs backticks.
fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-zA-Z_][a-zA-Z0-9_]{0,5}",
        1 => prop::sample::select(vec!["match", "Order", "count", "end", "all", "any", "null", "exists"])
            .prop_map(str::to_string),
        1 => "\\PC{0,4}",
    ]
}

fn arb_ident() -> impl Strategy<Value = Ident> {
    arb_name().prop_map(|name| Ident::new(name, span()))
}

fn arb_literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Integer),
        prop::num::f64::NORMAL.prop_map(Literal::Float),
        (-1000i32..1000).prop_map(|i| Literal::Float(f64::from(i) / 8.0)),
        "\\PC{0,8}|[\\\\'\"\\n\\t]{0,4}".prop_map(Literal::String),
    ]
}

fn arb_parameter() -> impl Strategy<Value = Expr> {
    prop_oneof![arb_name(), "[0-9]{1,2}"].prop_map(|name| expr(ExprKind::Parameter(name)))
}

fn arb_function_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "toLower", "size", "head", "coalesce", "exists", "count"
        ])
        .prop_map(str::to_string),
        ("[a-z]{1,4}", "[a-z][a-zA-Z]{1,6}").prop_map(|(ns, name)| format!("{ns}.{name}")),
    ]
}

fn binary_ops() -> Vec<BinaryOp> {
    use BinaryOp::*;
    vec![
        Or, Xor, And, Eq, Ne, Lt, Le, Gt, Ge, RegexMatch, In, StartsWith, EndsWith, Contains, Add,
        Sub, Mul, Div, Mod, Pow,
    ]
}

fn arb_leaf_expr() -> impl Strategy<Value = Expr> {
    prop_oneof![
        arb_literal().prop_map(|l| expr(ExprKind::Literal(l))),
        arb_name().prop_map(|n| expr(ExprKind::Variable(n))),
        arb_parameter(),
        Just(expr(ExprKind::CountStar)),
    ]
}

fn arb_map(value: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    prop::collection::vec((arb_ident(), value), 0..3)
        .prop_map(|entries| expr(ExprKind::Map(entries)))
}

fn arb_properties(value: BoxedStrategy<Expr>) -> impl Strategy<Value = Option<Expr>> {
    prop::option::of(prop_oneof![arb_map(value).boxed(), arb_parameter().boxed()])
}

fn arb_node(value: BoxedStrategy<Expr>) -> impl Strategy<Value = NodePattern> {
    (
        prop::option::of(arb_ident()),
        prop::collection::vec(arb_ident(), 0..3),
        arb_properties(value),
    )
        .prop_map(|(variable, labels, properties)| NodePattern {
            variable,
            labels,
            properties,
            span: span(),
        })
}

fn arb_relationship(value: BoxedStrategy<Expr>) -> impl Strategy<Value = RelationshipPattern> {
    let length = prop::option::of(
        (prop::option::of(0u64..5), prop::option::of(0u64..9))
            .prop_map(|(min, max)| LengthRange { min, max }),
    );
    let direction = prop::sample::select(vec![
        RelDirection::Left,
        RelDirection::Right,
        RelDirection::Both,
    ]);
    (
        prop::option::of(arb_ident()),
        prop::collection::vec(arb_ident(), 0..3),
        direction,
        length,
        arb_properties(value),
    )
        .prop_map(
            |(variable, types, direction, length, properties)| RelationshipPattern {
                variable,
                types,
                direction,
                length,
                properties,
                span: span(),
            },
        )
}

fn arb_element(
    value: BoxedStrategy<Expr>,
    min_hops: usize,
) -> impl Strategy<Value = PatternElement> {
    (
        arb_node(value.clone()),
        prop::collection::vec(
            (arb_relationship(value.clone()), arb_node(value)),
            min_hops..3,
        ),
    )
        .prop_map(|(start, chain)| PatternElement {
            start,
            chain,
            span: span(),
        })
}

fn arb_part(value: BoxedStrategy<Expr>) -> impl Strategy<Value = PatternPart> {
    let kind = prop::sample::select(vec![
        PathKind::All,
        PathKind::All,
        PathKind::Shortest,
        PathKind::AllShortest,
    ]);
    (prop::option::of(arb_ident()), kind, arb_element(value, 0)).prop_map(
        |(variable, kind, element)| PatternPart {
            variable,
            kind,
            element,
            span: span(),
        },
    )
}

fn arb_pattern(value: BoxedStrategy<Expr>) -> impl Strategy<Value = Pattern> {
    prop::collection::vec(arb_part(value), 1..3)
}

/// Expressions of bounded depth, every form the parser produces except bare pattern
/// predicates (valid only directly under WHERE; covered by `arb_where`).
fn arb_expr() -> BoxedStrategy<Expr> {
    arb_leaf_expr()
        .prop_recursive(4, 48, 4, |inner| {
            let boxed = |s: BoxedStrategy<Expr>| s.prop_map(Box::new);
            let opt_boxed = |s: BoxedStrategy<Expr>| prop::option::of(s.prop_map(Box::new));
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(|l| expr(ExprKind::List(l))),
                arb_map(inner.clone()),
                (boxed(inner.clone()), arb_ident())
                    .prop_map(|(e, k)| expr(ExprKind::Property(e, k))),
                (boxed(inner.clone()), boxed(inner.clone()))
                    .prop_map(|(e, i)| expr(ExprKind::Index(e, i))),
                (
                    boxed(inner.clone()),
                    opt_boxed(inner.clone()),
                    opt_boxed(inner.clone())
                )
                    .prop_map(|(e, a, b)| expr(ExprKind::Slice(e, a, b))),
                (
                    prop::sample::select(vec![UnaryOp::Not, UnaryOp::Negate, UnaryOp::Plus]),
                    boxed(inner.clone())
                )
                    .prop_map(|(op, e)| expr(ExprKind::Unary(op, e))),
                (
                    prop::sample::select(binary_ops()),
                    boxed(inner.clone()),
                    boxed(inner.clone())
                )
                    .prop_map(|(op, l, r)| expr(ExprKind::Binary(op, l, r))),
                (boxed(inner.clone()), any::<bool>())
                    .prop_map(|(e, negated)| expr(ExprKind::IsNull { expr: e, negated })),
                (
                    boxed(inner.clone()),
                    prop::collection::vec(arb_ident(), 1..3)
                )
                    .prop_map(|(e, labels)| expr(ExprKind::HasLabels(e, labels))),
                (
                    arb_function_name(),
                    any::<bool>(),
                    prop::collection::vec(inner.clone(), 0..3)
                )
                    .prop_map(|(name, distinct, args)| expr(
                        ExprKind::FunctionCall(FunctionCall {
                            name,
                            distinct,
                            args
                        })
                    )),
                (
                    opt_boxed(inner.clone()),
                    prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                    opt_boxed(inner.clone())
                )
                    .prop_map(|(subject, whens, otherwise)| expr(ExprKind::Case(
                        CaseExpr {
                            subject,
                            whens,
                            otherwise
                        }
                    ))),
                (
                    arb_ident(),
                    boxed(inner.clone()),
                    opt_boxed(inner.clone()),
                    opt_boxed(inner.clone())
                )
                    .prop_map(|(variable, list, predicate, projection)| {
                        expr(ExprKind::ListComprehension {
                            variable,
                            list,
                            predicate,
                            projection,
                        })
                    }),
                (
                    prop::option::of(arb_ident()),
                    arb_element(inner.clone(), 1),
                    opt_boxed(inner.clone()),
                    boxed(inner.clone())
                )
                    .prop_map(|(variable, pattern, predicate, projection)| {
                        expr(ExprKind::PatternComprehension {
                            variable,
                            pattern: Box::new(pattern),
                            predicate,
                            projection,
                        })
                    }),
                (
                    prop::sample::select(vec![
                        Quantifier::All,
                        Quantifier::Any,
                        Quantifier::None,
                        Quantifier::Single
                    ]),
                    arb_ident(),
                    boxed(inner.clone()),
                    opt_boxed(inner.clone())
                )
                    .prop_map(|(quantifier, variable, list, predicate)| {
                        expr(ExprKind::Quantifier {
                            quantifier,
                            variable,
                            list,
                            predicate,
                        })
                    }),
                (
                    arb_ident(),
                    boxed(inner.clone()),
                    arb_ident(),
                    boxed(inner.clone()),
                    boxed(inner.clone())
                )
                    .prop_map(|(accumulator, init, variable, list, e)| expr(
                        ExprKind::Reduce {
                            accumulator,
                            init,
                            variable,
                            list,
                            expr: e
                        }
                    )),
                (
                    arb_ident(),
                    prop::collection::vec(arb_map_projection_item(inner.clone()), 0..4)
                )
                    .prop_map(|(subject, items)| expr(ExprKind::MapProjection { subject, items })),
                (
                    prop::sample::select(vec![
                        SubqueryKind::Exists,
                        SubqueryKind::Count,
                        SubqueryKind::Collect
                    ]),
                    arb_pattern(inner.clone()),
                    prop::option::of(inner.clone()),
                    inner,
                )
                    .prop_map(|(kind, pattern, where_clause, returned)| {
                        let mut clauses = vec![Clause::Match(Match {
                            optional: false,
                            pattern,
                            where_clause,
                            span: span(),
                        })];
                        // The short form for EXISTS and COUNT; COLLECT must RETURN.
                        if kind == SubqueryKind::Collect {
                            clauses.push(Clause::Return(Return {
                                projection: Projection {
                                    distinct: false,
                                    star: false,
                                    items: vec![ReturnItem {
                                        expr: returned,
                                        alias: Some(Ident::new("x", span())),
                                        text: String::new(),
                                    }],
                                    order_by: Vec::new(),
                                    skip: None,
                                    limit: None,
                                },
                                span: span(),
                            }));
                        }
                        let first = SingleQuery {
                            clauses,
                            span: span(),
                        };
                        expr(ExprKind::Subquery(
                            kind,
                            Box::new(Query {
                                first,
                                unions: Vec::new(),
                            }),
                        ))
                    }),
            ]
        })
        .boxed()
}

fn arb_map_projection_item(value: BoxedStrategy<Expr>) -> impl Strategy<Value = MapProjectionItem> {
    prop_oneof![
        arb_ident().prop_map(MapProjectionItem::Property),
        Just(MapProjectionItem::AllProperties),
        (arb_ident(), value).prop_map(|(k, v)| MapProjectionItem::Entry(k, v)),
        arb_ident().prop_map(MapProjectionItem::Variable),
    ]
}

/// A WHERE predicate: any expression, or pattern predicates joined by NOT/AND/OR.
fn arb_where() -> impl Strategy<Value = Option<Expr>> {
    let pattern = arb_element(arb_leaf_expr().boxed(), 1)
        .prop_map(|e| expr(ExprKind::Pattern(Box::new(e))))
        .boxed();
    let predicate = prop_oneof![
        3 => arb_expr(),
        1 => pattern.clone(),
        1 => pattern.clone().prop_map(|p| expr(ExprKind::Unary(UnaryOp::Not, Box::new(p)))),
        1 => (pattern, arb_expr()).prop_map(|(p, e)| expr(ExprKind::Binary(BinaryOp::And, Box::new(p), Box::new(e)))),
    ];
    prop::option::of(predicate)
}

fn arb_projection() -> impl Strategy<Value = Projection> {
    let item = (arb_expr(), prop::option::of(arb_ident())).prop_map(|(expr, alias)| ReturnItem {
        text: expr.to_string(),
        expr,
        alias,
    });
    let sort =
        (arb_expr(), any::<bool>()).prop_map(|(expr, descending)| SortItem { expr, descending });
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(item, 0..3),
        prop::collection::vec(sort, 0..2),
        prop::option::of(arb_expr()),
        prop::option::of(arb_expr()),
    )
        .prop_map(
            |(distinct, star, items, order_by, skip, limit)| Projection {
                distinct,
                // A projection lists something: `*` when there are no items.
                star: star || items.is_empty(),
                items,
                order_by,
                skip,
                limit,
            },
        )
}

fn arb_set_item() -> impl Strategy<Value = SetItem> {
    prop_oneof![
        (arb_expr(), arb_ident(), arb_expr()).prop_map(|(target, key, value)| SetItem::Property {
            target,
            key,
            value
        }),
        (arb_ident(), arb_expr())
            .prop_map(|(variable, value)| SetItem::Replace { variable, value }),
        (arb_ident(), arb_expr()).prop_map(|(variable, value)| SetItem::Merge { variable, value }),
        (arb_ident(), prop::collection::vec(arb_ident(), 1..3))
            .prop_map(|(variable, labels)| SetItem::Labels { variable, labels }),
    ]
}

/// Any clause: the simple ones, or a CALL subquery or FOREACH around simple ones.
fn arb_clause() -> impl Strategy<Value = Clause> {
    let body = || {
        prop::collection::vec(arb_simple_clause(), 1..3).prop_map(|clauses| SingleQuery {
            clauses,
            span: span(),
        })
    };
    let imports = prop::option::of(prop_oneof![
        Just(Imports::All),
        prop::collection::vec(arb_ident(), 0..3).prop_map(Imports::Variables),
    ]);
    prop_oneof![
        8 => arb_simple_clause(),
        1 => (any::<bool>(), imports, body(), prop::option::of(body())).prop_map(|(optional, imports, first, union)| {
            Clause::CallSubquery(CallSubquery {
                optional,
                imports,
                query: Query {
                    first,
                    unions: union.into_iter().map(|u| (UnionKind::All, u)).collect(),
                },
                span: span(),
            })
        }),
        1 => (arb_ident(), arb_expr(), body()).prop_map(|(variable, list, body)| {
            Clause::Foreach(Foreach {
                variable,
                list,
                body,
                span: span(),
            })
        }),
    ]
}

fn arb_simple_clause() -> impl Strategy<Value = Clause> {
    let value = || arb_expr();
    prop_oneof![
        (any::<bool>(), arb_pattern(value()), arb_where()).prop_map(
            |(optional, pattern, where_clause)| {
                Clause::Match(Match {
                    optional,
                    pattern,
                    where_clause,
                    span: span(),
                })
            }
        ),
        (arb_expr(), arb_ident()).prop_map(|(expr, variable)| Clause::Unwind(Unwind {
            expr,
            variable,
            span: span()
        })),
        (
            any::<bool>(),
            arb_expr(),
            arb_ident(),
            prop::option::of("[,;|\t ]|\\PC{0,2}")
        )
            .prop_map(|(with_headers, source, variable, terminator)| {
                Clause::LoadCsv(LoadCsv {
                    with_headers,
                    source,
                    variable,
                    field_terminator: terminator
                        .map(|t| expr(ExprKind::Literal(Literal::String(t)))),
                    span: span(),
                })
            }),
        (arb_projection(), arb_where()).prop_map(|(projection, where_clause)| {
            Clause::With(With {
                projection,
                where_clause,
                span: span(),
            })
        }),
        arb_projection().prop_map(|projection| Clause::Return(Return {
            projection,
            span: span()
        })),
        arb_pattern(value()).prop_map(|pattern| Clause::Create(Create {
            pattern,
            span: span()
        })),
        (
            arb_part(value()),
            prop::collection::vec(arb_set_item(), 0..2),
            prop::collection::vec(arb_set_item(), 0..2)
        )
            .prop_map(|(part, on_create, on_match)| Clause::Merge(Merge {
                part,
                on_create,
                on_match,
                span: span()
            })),
        prop::collection::vec(arb_set_item(), 1..3).prop_map(|items| Clause::Set(SetClause {
            items,
            span: span()
        })),
        prop::collection::vec(
            prop_oneof![
                (arb_expr(), arb_ident())
                    .prop_map(|(target, key)| RemoveItem::Property { target, key }),
                (arb_ident(), prop::collection::vec(arb_ident(), 1..3))
                    .prop_map(|(variable, labels)| RemoveItem::Labels { variable, labels }),
            ],
            1..3
        )
        .prop_map(|items| Clause::Remove(Remove {
            items,
            span: span()
        })),
        (any::<bool>(), prop::collection::vec(arb_expr(), 1..3)).prop_map(|(detach, exprs)| {
            Clause::Delete(Delete {
                detach,
                exprs,
                span: span(),
            })
        }),
        (
            "[a-z]{1,3}(\\.[a-z][a-zA-Z]{0,4}){0,2}",
            prop::option::of(prop::collection::vec(arb_expr(), 0..3)),
            prop::option::of(arb_yield_items()),
        )
            .prop_map(|(procedure, args, yields)| Clause::Call(Call {
                procedure,
                args,
                yields,
                span: span()
            })),
    ]
}

fn arb_yield_items() -> impl Strategy<Value = YieldItems> {
    let item = (arb_ident(), prop::option::of(arb_ident()))
        .prop_map(|(field, alias)| YieldItem { field, alias });
    prop_oneof![
        Just(YieldItems::Star),
        (
            prop::collection::vec(item, 1..3),
            prop::option::of(arb_expr())
        )
            .prop_map(|(items, where_clause)| YieldItems::Items {
                items,
                where_clause
            }),
    ]
}

fn arb_single_query() -> impl Strategy<Value = SingleQuery> {
    prop::collection::vec(arb_clause(), 1..4).prop_map(|clauses| SingleQuery {
        clauses,
        span: span(),
    })
}

fn arb_statement() -> impl Strategy<Value = Statement> {
    let union = (
        prop::sample::select(vec![UnionKind::Distinct, UnionKind::All]),
        arb_single_query(),
    );
    (
        prop::sample::select(vec![
            StatementMode::Run,
            StatementMode::Run,
            StatementMode::Explain,
            StatementMode::Profile,
        ]),
        arb_single_query(),
        prop::collection::vec(union, 0..2),
    )
        .prop_map(|(mode, first, unions)| Statement {
            mode,
            query: Query { first, unions },
            schema: None,
            span: span(),
        })
}

/// One random edit of `text` at a character boundary: delete, duplicate or insert.
fn mutate(text: &str, at: usize, edit: u8, insert: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return insert.to_string();
    }
    let at = at % chars.len();
    match edit % 3 {
        0 => {
            chars.remove(at);
        }
        1 => chars.insert(at, chars[at]),
        _ => chars.insert(at, insert),
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn display_round_trips(statement in arb_statement()) {
        let text = statement.to_string();
        match parse(&text) {
            Ok(parsed) => prop_assert_eq!(parsed, vec![statement], "text: {}", text),
            Err(error) => prop_assert!(false, "{} failed to parse: {:?}", text, error),
        }
    }

    #[test]
    fn expressions_round_trip(e in arb_expr()) {
        let text = format!("RETURN {e}");
        let parsed = parse(&text);
        prop_assert!(parsed.is_ok(), "{} failed: {:?}", text, parsed);
        let again = parsed.expect("checked").remove(0).to_string();
        prop_assert_eq!(again, text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        let _ = parse(&text);
    }

    #[test]
    fn cypher_like_text_never_panics(
        text in "[ -~]{0,8}((MATCH|RETURN|WITH|WHERE|CREATE|LOAD CSV|HEADERS|FROM|FIELDTERMINATOR|[()\\[\\]{}:,.<>=*|$'\"`-]|[a-z0-9 ]{1,3}){1,24})"
    ) {
        let _ = parse(&text);
    }

    #[test]
    fn mutated_queries_never_panic(
        statement in arb_statement(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<char>()), 1..4),
    ) {
        let mut text = statement.to_string();
        for (at, edit, insert) in edits {
            text = mutate(&text, at, edit, insert);
        }
        let _ = parse(&text);
    }
}
