//! Who may do what: one table for every write, used by the API and the forms.

use kehoach_store::{Role, UserRow};

/// Writes the system accepts.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Create, rename, deactivate units; smart-classroom flags.
    ManageUnits,
    /// Population figures and classes of one unit.
    EditUnitData { unit_id: &'a str },
    /// Accounts and invites.
    ManageUsers,
}

pub fn allowed(user: &UserRow, action: Action) -> bool {
    if user.active == 0 {
        return false;
    }
    match (user.role(), action) {
        (Role::Coordinator, _) => true,
        (Role::UnitReporter, Action::EditUnitData { unit_id }) => {
            user.unit_id.as_deref() == Some(unit_id)
        }
        (Role::UnitReporter | Role::Volunteer | Role::Judge | Role::Viewer, _) => false,
    }
}
