//! Values in openCypher TCK notation, e.g. `(:Person {name: 'Ann'})`; used by the TCK runner and golden tests.
