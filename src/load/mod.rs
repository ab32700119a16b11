//! Loading graphs from data files: kg's TOML format and neo4j-admin style CSV directories.
