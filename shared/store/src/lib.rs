//! Database access shared by every domain crate.
//!
//! One query layer serves both backends: queries use sqlx's `Any` driver with `$1`-style
//! placeholders (SQLite accepts them too) and portable column types (TEXT ids, BIGINT
//! millisecond timestamps). What differs per backend lives here and nowhere else:
//! connection set-up, migrations, and how a transaction is bound to its tenant.

mod app_login;
mod backend;
mod db;
mod error;
mod group_commit;
mod lookup;
mod maintenance;
mod tenant_binding;
#[cfg(feature = "testing")]
pub mod testing;

pub use app_login::{APP_ROLE, AppLogin};
pub use backend::{Backend, redact as db_redact};
pub use db::{Db, DbOptions, TenantTx};
pub use error::StoreError;
pub use group_commit::{Arg, Statement};
pub use lookup::{TenantLookup, parse_id, webhook_path_parts};

/// Re-exported so domain crates write queries without naming sqlx's generics.
pub use sqlx;

pub use sqlx::{AnyConnection, Row, any::AnyRow};

/// `text` for a `LIKE … ESCAPE '\'` pattern: its `%`, `_` and `\` match themselves.
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(super::like_escape(r"50%_off\x"), r"50\%\_off\\x");
    }
}
