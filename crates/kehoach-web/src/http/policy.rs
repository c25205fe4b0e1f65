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
    /// Log a support turn in a village.
    RecordTurn { unit_id: &'a str },
    /// Delete (undo) a support turn made by `creator` at `created_at`, at `now`.
    DeleteTurn {
        creator: &'a str,
        created_at: i64,
        now: i64,
    },
    /// Read a unit's records: turns, sessions, attendance (None: every unit's).
    ReadUnitRecords { unit_id: Option<&'a str> },
    /// Record, edit or delete a session (buổi) of a unit, and its attendance.
    RecordSession { unit_id: &'a str },
    /// Send a reminder to a unit's users (from the board).
    SendReminder,
    /// Write the report's assessment, directions and proposals.
    EditReport,
    /// Form volunteer teams and open shifts; `youth_unit`: the user's unit is a youth union.
    ManageTeams { youth_unit: bool },
    /// Take a place on a shift (the account must be linked to a youth-union member).
    SignUpShift,
    /// Log propaganda (line 2); `lead_unit`: the user's unit leads that line.
    LogPropaganda { lead_unit: bool },
    /// Run a contest (settings, rubric, judges, lock, prizes, publication);
    /// `lead_unit`: the user's unit leads the contest's line.
    ManageContest { lead_unit: bool },
    /// Score an entry or declare a conflict with it: judges named on the contest only.
    ScoreEntry { assigned: bool },
    /// Read another plan from its text, check it and activate it.
    ImportPlan,
    /// Add communes to the city (a city's coordinator, on the city's address).
    ManageCommunes,
    /// Mark a reminder to `unit_id` as read: only its own users.
    AcknowledgeReminder { unit_id: &'a str },
}

/// How long the maker of a support turn may undo it.
pub const UNDO_SECS: i64 = 10 * 60;

pub fn allowed(user: &UserRow, action: Action) -> bool {
    if user.active == 0 {
        return false;
    }
    let own_unit = |unit_id: &str| user.unit_id.as_deref() == Some(unit_id);
    if let Action::AcknowledgeReminder { unit_id } = action {
        // Whatever the role: a reminder is read by the people it was sent to.
        return own_unit(unit_id);
    }
    if let Action::ScoreEntry { assigned } = action {
        // Blind review: only the jury scores, not the coordinator who sees entrants.
        return user.role() == Role::Judge && assigned;
    }
    match (user.role(), action) {
        (Role::Coordinator, _) => true,
        (
            Role::UnitReporter,
            Action::EditUnitData { unit_id } | Action::RecordTurn { unit_id } | Action::RecordSession { unit_id },
        ) => own_unit(unit_id),
        (Role::UnitReporter, Action::ReadUnitRecords { unit_id }) => unit_id.is_some_and(own_unit),
        // The youth-union secretary organises the teams.
        (Role::UnitReporter, Action::ManageTeams { youth_unit }) => youth_unit,
        (Role::UnitReporter | Role::Volunteer, Action::SignUpShift) => true,
        (Role::UnitReporter, Action::LogPropaganda { lead_unit }) => lead_unit,
        (Role::UnitReporter, Action::ManageContest { lead_unit }) => lead_unit,
        // Volunteers go from village to village: any village, their own turns only.
        (Role::Volunteer, Action::RecordTurn { .. }) => true,
        (
            Role::UnitReporter | Role::Volunteer,
            Action::DeleteTurn {
                creator,
                created_at,
                now,
            },
        ) => creator == user.id && now - created_at <= UNDO_SECS,
        (Role::Viewer, Action::ReadUnitRecords { .. }) => true,
        (Role::UnitReporter | Role::Volunteer | Role::Judge | Role::Viewer, _) => false,
    }
}
