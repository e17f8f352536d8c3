//! The one permission check. Every handler calls [`check_permission`] before acting.

use crate::{AuthError, Principal};
use agente_core::Role;

/// What is being acted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Tenant,
    Members,
    ApiKeys,
    Workflows,
    Executions,
    Credentials,
    Templates,
    Billing,
    /// Notification rules, templates, settings and the delivery log.
    Notifications,
}

/// What is being done to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
    Delete,
    Execute,
}

/// The least role allowed to do `action` on `resource`.
fn minimum_role(resource: Resource, action: Action) -> Role {
    use Action::*;
    use Resource::*;
    match (resource, action) {
        (Tenant, Read)
        | (Members, Read)
        | (Workflows, Read)
        | (Executions, Read)
        | (Templates, Read) => Role::Viewer,
        (Workflows, _)
        | (Executions, _)
        | (Templates, _)
        | (Credentials, Read | Write | Execute) => Role::Editor,
        (Credentials, Delete) => Role::Admin,
        (Notifications, Read) => Role::Editor,
        (Notifications, _) => Role::Admin,
        (Members, _) | (ApiKeys, _) | (Billing, Read) => Role::Admin,
        (Billing, _) | (Tenant, _) => Role::Owner,
    }
}

/// Allows the call or says why not.
pub fn check_permission(
    principal: &Principal,
    resource: Resource,
    action: Action,
) -> Result<(), AuthError> {
    let needed = minimum_role(resource, action);
    if principal.role.at_least(needed) {
        Ok(())
    } else {
        Err(AuthError::forbidden(format!(
            "{action:?} on {resource:?} needs the {needed} role; you are {}",
            principal.role
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthMethod;
    use agente_core::TenantId;

    fn as_role(role: Role) -> Principal {
        Principal {
            tenant_id: TenantId::new(),
            user_id: None,
            role,
            method: AuthMethod::AccessToken,
        }
    }

    #[test]
    fn roles_get_exactly_their_rights() {
        let viewer = as_role(Role::Viewer);
        assert!(check_permission(&viewer, Resource::Workflows, Action::Read).is_ok());
        assert!(check_permission(&viewer, Resource::Workflows, Action::Write).is_err());
        assert!(check_permission(&viewer, Resource::ApiKeys, Action::Read).is_err());

        let editor = as_role(Role::Editor);
        assert!(check_permission(&editor, Resource::Workflows, Action::Execute).is_ok());
        assert!(check_permission(&editor, Resource::Members, Action::Write).is_err());

        let admin = as_role(Role::Admin);
        assert!(check_permission(&admin, Resource::Members, Action::Write).is_ok());
        assert!(check_permission(&admin, Resource::ApiKeys, Action::Write).is_ok());
        assert!(check_permission(&admin, Resource::Billing, Action::Write).is_err());

        let owner = as_role(Role::Owner);
        for resource in [
            Resource::Tenant,
            Resource::Billing,
            Resource::Members,
            Resource::Credentials,
        ] {
            for action in [Action::Read, Action::Write, Action::Delete, Action::Execute] {
                assert!(check_permission(&owner, resource, action).is_ok());
            }
        }
    }
}
