//! End-to-end tests of the engine through `Session::run`.
