use thiserror::Error;

/// Why a database operation failed.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}` (expected postgres://… or sqlite://…)")]
    UnsupportedUrl(String),
    #[error("a row with the same {0} already exists")]
    Conflict(&'static str),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
    /// The database or its roles are not set up as the application needs.
    #[error("{0}")]
    Config(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            return StoreError::Conflict("key");
        }
        StoreError::Database(err)
    }
}

impl StoreError {
    /// True when retrying later may succeed (pool exhausted, connection lost, lock busy).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
            )
        )
    }
}

impl agente_core::Classified for StoreError {
    fn kind(&self) -> agente_core::ErrorKind {
        if self.is_transient() {
            agente_core::ErrorKind::Unavailable
        } else {
            agente_core::ErrorKind::Internal
        }
    }

    fn code(&self) -> &'static str {
        if self.is_transient() {
            "unavailable"
        } else {
            "internal"
        }
    }

    fn public_message(&self) -> String {
        if self.is_transient() {
            "the database is busy; try again".into()
        } else {
            "an internal error occurred".into()
        }
    }
}
