//! Typed identifiers. UUIDv7 so that ids sort by creation time and index well.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        // Rows keep ids as text (one schema for SQLite and Postgres): `#[sqlx(try_from = "String")]`.
        impl TryFrom<String> for $name {
            type Error = uuid::Error;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}

id_type!(
    /// A tenant: one customer company and everything it owns.
    TenantId
);
id_type!(
    /// A person with a login, member of exactly one tenant.
    UserId
);
id_type!(
    /// A stored workflow of a tenant.
    WorkflowId
);
id_type!(
    /// One run of a workflow, from its trigger to its end (across waits and restarts).
    ExecutionId
);
id_type!(
    /// A tenant's sealed credential (an integration's key, password or token).
    CredentialId
);
id_type!(
    /// A tenant's API key (its row; the key itself is stored only as a digest).
    ApiKeyId
);
id_type!(
    /// An invitation to join a tenant.
    InvitationId
);
id_type!(
    /// One refresh token (its row; the token is stored only as a digest).
    RefreshTokenId
);
id_type!(
    /// The refresh tokens that rotated from one log-in: presenting a used one ends them all.
    TokenFamilyId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_strings_and_sort_by_creation() {
        let a = TenantId::new();
        let b = TenantId::new();
        assert_eq!(a.to_string().parse::<TenantId>().unwrap(), a);
        assert!(a < b);
        assert!("not-a-uuid".parse::<UserId>().is_err());
    }
}
