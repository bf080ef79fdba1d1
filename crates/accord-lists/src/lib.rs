//! Importers for official restricted-party list formats.
