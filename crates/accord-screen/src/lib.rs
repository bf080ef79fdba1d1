//! Name screening engine.
