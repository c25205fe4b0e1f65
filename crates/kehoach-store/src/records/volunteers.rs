//! Volunteer teams and shifts: the youth-union secretary forms teams from
//! the youth-union roster and opens shifts in the villages; members sign up
//! from their phone. A shift is never over-filled: the sign-up raises
//! `taken` only while it is below `places`, as the first statement of its
//! transaction (a row lock in PostgreSQL, the write lock in SQLite), so two
//! members taking the last place at once get one place and one refusal.

use kehoach_core::ErrorCode;
use serde::Serialize;
use sqlx::FromRow;

use crate::{Result, Store, StoreError, new_id};

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub leader_person_id: Option<String>,
    pub members: i64,
    /// The day it was launched (line 1), ISO.
    pub launched_on: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct ShiftRow {
    pub id: String,
    pub team_id: Option<String>,
    pub unit_id: String,
    pub day: String,
    pub start_time: String,
    pub end_time: String,
    pub places: i64,
    pub taken: i64,
}

#[derive(Debug, Clone)]
pub struct NewShift {
    pub id: String,
    pub plan_id: String,
    pub team_id: Option<String>,
    pub unit_id: String,
    pub day: String,
    pub start_time: String,
    pub end_time: String,
    pub places: i64,
    pub created_by: String,
}

/// How a sign-up went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignUp {
    Taken,
    /// The person had signed up already: nothing changed.
    Already,
}

const YOUTH_MEMBER: &str = "SELECT id FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND id = $2 AND roster = 'youth_members' AND active = 1";
const ACTIVE_VILLAGE: &str = "SELECT id FROM units WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND id = $2 AND kind = 'village' AND active = 1";

/// Refuses with `code` on `field` unless `sql` (`$1` the plan, `$2` the id) finds a row.
async fn require_row(
    conn: &mut sqlx::AnyConnection,
    sql: &'static str,
    plan_id: &str,
    id: &str,
    code: ErrorCode,
    field: &'static str,
) -> Result<()> {
    let found: Option<(String,)> = sqlx::query_as(sql).bind(plan_id).bind(id).fetch_optional(conn).await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Conflict { code, field }),
    }
}

const SHIFT_COLS: &str = "id, team_id, unit_id, day, start_time, end_time, places, taken";

impl Store {
    #[expect(clippy::too_many_arguments, reason = "a team's every part, named at the call")]
    pub async fn create_team(
        &self,
        plan_id: &str,
        name: &str,
        leader: Option<&str>,
        members: &[String],
        villages: &[String],
        user_id: &str,
        now: i64,
    ) -> Result<TeamRow> {
        let name = kehoach_core::text::clean(name);
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Conflict {
                code: ErrorCode::NameRequired,
                field: "name",
            });
        }
        let mut tx = self.write_tx().await?;
        let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM teams WHERE plan_id = $1 AND name = $2")
            .bind(plan_id)
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                code: ErrorCode::TeamNameTaken,
                field: "name",
            });
        }
        for p in leader.into_iter().map(str::to_string).chain(members.iter().cloned()) {
            require_row(
                &mut tx,
                YOUTH_MEMBER,
                plan_id,
                &p,
                ErrorCode::PersonNotMember,
                "members",
            )
            .await?;
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO teams (id, plan_id, name, leader_person_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(plan_id)
        .bind(&name)
        .bind(leader.map(str::to_string))
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for v in villages {
            require_row(
                &mut tx,
                ACTIVE_VILLAGE,
                plan_id,
                v,
                ErrorCode::UnitNotVillage,
                "villages",
            )
            .await?;
            sqlx::query("INSERT INTO team_villages (team_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&id)
                .bind(v)
                .execute(&mut *tx)
                .await?;
        }
        for p in leader.into_iter().map(str::to_string).chain(members.iter().cloned()) {
            sqlx::query("INSERT INTO team_members (team_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&id)
                .bind(&p)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.teams(plan_id)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(StoreError::NotFound("team"))
    }

    pub async fn teams(&self, plan_id: &str) -> Result<Vec<TeamRow>> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.name, t.leader_person_id, (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS members, \
             t.launched_on FROM teams t WHERE t.plan_id = $1 ORDER BY t.name",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Opens a shift; the same id again returns the stored one.
    pub async fn create_shift(&self, s: NewShift, now: i64) -> Result<ShiftRow> {
        if !(1..=100).contains(&s.places) {
            return Err(StoreError::Conflict {
                code: ErrorCode::PlacesOutOfRange,
                field: "places",
            });
        }
        sqlx::query(
            "INSERT INTO shifts (id, plan_id, team_id, unit_id, day, start_time, end_time, places, taken, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&s.id)
        .bind(&s.plan_id)
        .bind(s.team_id.clone())
        .bind(&s.unit_id)
        .bind(&s.day)
        .bind(&s.start_time)
        .bind(&s.end_time)
        .bind(s.places)
        .bind(&s.created_by)
        .bind(now)
        .execute(self.pool())
        .await?;
        crate::own_retry(self.pool(), "shifts", "created_by", &s.id, &s.plan_id, &s.created_by).await?;
        self.shift(&s.plan_id, &s.id).await
    }

    pub async fn shift(&self, plan_id: &str, id: &str) -> Result<ShiftRow> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SHIFT_COLS} FROM shifts WHERE plan_id = $1 AND id = $2 AND deleted_at IS NULL"
        )))
        .bind(plan_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("shift"))
    }

    /// Live shifts from `from` (ISO) on, by day and time.
    pub async fn shifts(&self, plan_id: &str, from: &str) -> Result<Vec<ShiftRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SHIFT_COLS} FROM shifts WHERE plan_id = $1 AND deleted_at IS NULL AND day >= $2 \
             ORDER BY day, start_time, id"
        )))
        .bind(plan_id)
        .bind(from)
        .fetch_all(self.pool())
        .await?)
    }

    /// Shifts a person signed up for, by day.
    pub async fn person_shifts(&self, plan_id: &str, person_id: &str) -> Result<Vec<ShiftRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM shifts s JOIN shift_signups g ON g.shift_id = s.id \
             WHERE s.plan_id = $1 AND g.person_id = $2 AND s.deleted_at IS NULL ORDER BY s.day, s.start_time",
            SHIFT_COLS
                .split(", ")
                .map(|c| format!("s.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .bind(plan_id)
        .bind(person_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Takes a place on a shift for a youth-union member. Refused with
    /// `shift_full` when no place is left; signing up twice changes nothing.
    pub async fn sign_up(
        &self,
        plan_id: &str,
        shift_id: &str,
        person_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<SignUp> {
        let mut conn = self.pool().acquire().await?;
        require_row(
            &mut conn,
            YOUTH_MEMBER,
            plan_id,
            person_id,
            ErrorCode::PersonNotMember,
            "person_id",
        )
        .await?;
        drop(conn);
        let already: Option<(String,)> =
            sqlx::query_as("SELECT shift_id FROM shift_signups WHERE shift_id = $1 AND person_id = $2")
                .bind(shift_id)
                .bind(person_id)
                .fetch_optional(self.pool())
                .await?;
        if already.is_some() {
            return Ok(SignUp::Already);
        }
        let mut tx = self.write_tx().await?;
        // First statement of the transaction, and a write: it waits for any
        // other sign-up to this shift to finish, then sees its result.
        let raised = sqlx::query(
            "UPDATE shifts SET taken = taken + 1 WHERE id = $1 AND plan_id = $2 AND deleted_at IS NULL AND taken < places",
        )
        .bind(shift_id)
        .bind(plan_id)
        .execute(&mut *tx)
        .await?;
        if raised.rows_affected() == 0 {
            tx.rollback().await?;
            self.shift(plan_id, shift_id).await?;
            return Err(StoreError::Conflict {
                code: ErrorCode::ShiftFull,
                field: "shift_id",
            });
        }
        let added = sqlx::query(
            "INSERT INTO shift_signups (shift_id, person_id, user_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (shift_id, person_id) DO NOTHING",
        )
        .bind(shift_id)
        .bind(person_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if added.rows_affected() == 0 {
            // Signed up meanwhile by another request: give the place back.
            tx.rollback().await?;
            return Ok(SignUp::Already);
        }
        tx.commit().await?;
        Ok(SignUp::Taken)
    }
}

impl Store {
    /// A member takes back their sign-up: the place is free again. False
    /// when they were not signed up.
    pub async fn withdraw_sign_up(&self, plan_id: &str, shift_id: &str, person_id: &str) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let gone = sqlx::query(
            "DELETE FROM shift_signups WHERE shift_id = $1 AND person_id = $2 \
             AND shift_id IN (SELECT id FROM shifts WHERE plan_id = $3)",
        )
        .bind(shift_id)
        .bind(person_id)
        .bind(plan_id)
        .execute(&mut *tx)
        .await?;
        if gone.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("UPDATE shifts SET taken = taken - 1 WHERE id = $1 AND plan_id = $2 AND taken > 0")
            .bind(shift_id)
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Live support turns recorded by an account.
    pub async fn count_user_turns(&self, plan_id: &str, user_id: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM support_turns WHERE plan_id = $1 AND created_by = $2 AND deleted_at IS NULL",
        )
        .bind(plan_id)
        .bind(user_id)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// Active youth-union members with no record yet (no turn, no attended
    /// session, no shift): whom the secretary still has to bring in (T2).
    pub async fn members_not_yet_active(&self, plan_id: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT p.full_name FROM roster_people p \
             WHERE p.commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND p.roster = 'youth_members' AND p.active = 1 \
             AND NOT EXISTS (SELECT 1 FROM person_first f WHERE f.person_id = p.id AND f.plan_id = $1) \
             AND NOT EXISTS (SELECT 1 FROM shift_signups g JOIN shifts s ON s.id = g.shift_id WHERE g.person_id = p.id AND s.plan_id = $1) \
             ORDER BY p.name_key",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }
}

impl Store {
    /// The shifts an account's member has on a day, with the village's name
    /// (for the reminder the day before).
    pub async fn user_shifts_on(&self, plan_id: &str, user_id: &str, day: &str) -> Result<Vec<(ShiftRow, String)>> {
        type Row = (String, Option<String>, String, String, String, String, i64, i64, String);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.id, s.team_id, s.unit_id, s.day, s.start_time, s.end_time, s.places, s.taken, un.name \
             FROM shifts s JOIN shift_signups g ON g.shift_id = s.id JOIN users us ON us.person_id = g.person_id \
             JOIN units un ON un.id = s.unit_id \
             WHERE s.plan_id = $1 AND us.id = $2 AND s.day = $3 AND s.deleted_at IS NULL ORDER BY s.start_time",
        )
        .bind(plan_id)
        .bind(user_id)
        .bind(day)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, team_id, unit_id, day, start_time, end_time, places, taken, name)| {
                    (
                        ShiftRow {
                            id,
                            team_id,
                            unit_id,
                            day,
                            start_time,
                            end_time,
                            places,
                            taken,
                        },
                        name,
                    )
                },
            )
            .collect())
    }

    /// Names of the members signed up for a shift (for the team's Zalo message).
    pub async fn shift_member_names(&self, shift_id: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT p.full_name FROM shift_signups g JOIN roster_people p ON p.id = g.person_id \
             WHERE g.shift_id = $1 ORDER BY p.name_key",
        )
        .bind(shift_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }
}

impl Store {
    /// Team id → the villages it is assigned to.
    pub async fn team_villages(&self, plan_id: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT v.team_id, v.unit_id FROM team_villages v JOIN teams t ON t.id = v.team_id WHERE t.plan_id = $1 \
             ORDER BY v.team_id, v.unit_id",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records that teams were launched on a day (the launch event, line 1).
    pub async fn launch_teams(&self, plan_id: &str, teams: &[String], day: &str) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let mut n = 0;
        for t in teams {
            n += sqlx::query("UPDATE teams SET launched_on = $1 WHERE plan_id = $2 AND id = $3")
                .bind(day)
                .bind(plan_id)
                .bind(t)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if n as usize != teams.len() {
            return Err(StoreError::NotFound("team"));
        }
        tx.commit().await?;
        Ok(n)
    }
}

/// A member to remind of a shift by email.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftReminder {
    pub shift: ShiftRow,
    pub village: String,
    pub person_id: String,
    pub full_name: String,
    pub email: String,
}

impl Store {
    /// Members signed up for shifts on `day` whose account has an email and
    /// who have not been reminded yet.
    pub async fn shift_reminders_due(&self, plan_id: &str, day: &str) -> Result<Vec<ShiftReminder>> {
        type Row = (
            String,
            Option<String>,
            String,
            String,
            String,
            String,
            i64,
            i64,
            String,
            String,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.id, s.team_id, s.unit_id, s.day, s.start_time, s.end_time, s.places, s.taken, un.name, \
             p.id, p.full_name, us.email FROM shifts s JOIN shift_signups g ON g.shift_id = s.id \
             JOIN roster_people p ON p.id = g.person_id JOIN users us ON us.person_id = p.id AND us.active = 1 \
             JOIN units un ON un.id = s.unit_id \
             WHERE s.plan_id = $1 AND s.day = $2 AND s.deleted_at IS NULL AND us.email IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM shift_reminders_sent r WHERE r.shift_id = s.id AND r.person_id = p.id) \
             ORDER BY s.start_time, p.name_key",
        )
        .bind(plan_id)
        .bind(day)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    team_id,
                    unit_id,
                    day,
                    start_time,
                    end_time,
                    places,
                    taken,
                    village,
                    person_id,
                    full_name,
                    email,
                )| {
                    ShiftReminder {
                        shift: ShiftRow {
                            id,
                            team_id,
                            unit_id,
                            day,
                            start_time,
                            end_time,
                            places,
                            taken,
                        },
                        village,
                        person_id,
                        full_name,
                        email,
                    }
                },
            )
            .collect())
    }

    /// Claims the reminder of a member for a shift before it is sent: true
    /// for the one caller (of any server process) that gets it, so a member
    /// is never reminded twice.
    pub async fn claim_shift_reminder(&self, shift_id: &str, person_id: &str, now: i64) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO shift_reminders_sent (shift_id, person_id, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(shift_id)
        .bind(person_id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Gives a claim back when the email could not be sent (tried again later).
    pub async fn release_shift_reminder(&self, shift_id: &str, person_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM shift_reminders_sent WHERE shift_id = $1 AND person_id = $2")
            .bind(shift_id)
            .bind(person_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

impl Store {
    /// Cancels a shift: it disappears from the lists and reminders (the
    /// sign-ups stay, for the record). Cancelling twice changes nothing.
    pub async fn cancel_shift(&self, plan_id: &str, id: &str, now: i64) -> Result<()> {
        self.shift(plan_id, id).await?;
        sqlx::query("UPDATE shifts SET deleted_at = $1 WHERE plan_id = $2 AND id = $3 AND deleted_at IS NULL")
            .bind(now)
            .bind(plan_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

impl Store {
    /// The members (person ids) of each team: (team id, person id).
    pub async fn team_members(&self, plan_id: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT m.team_id, m.person_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.plan_id = $1 \
             ORDER BY m.team_id, m.person_id",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Replaces a team's members and villages (all or nothing); the leader
    /// stays a member. Sign-ups already made are kept.
    pub async fn set_team(&self, plan_id: &str, team_id: &str, members: &[String], villages: &[String]) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let leader: Option<(Option<String>,)> =
            sqlx::query_as("SELECT leader_person_id FROM teams WHERE plan_id = $1 AND id = $2")
                .bind(plan_id)
                .bind(team_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((leader,)) = leader else {
            return Err(StoreError::NotFound("team"));
        };
        for p in members {
            require_row(&mut tx, YOUTH_MEMBER, plan_id, p, ErrorCode::PersonNotMember, "members").await?;
        }
        for v in villages {
            require_row(
                &mut tx,
                ACTIVE_VILLAGE,
                plan_id,
                v,
                ErrorCode::UnitNotVillage,
                "villages",
            )
            .await?;
        }
        for sql in [
            "DELETE FROM team_members WHERE team_id = $1",
            "DELETE FROM team_villages WHERE team_id = $1",
        ] {
            sqlx::query(sql).bind(team_id).execute(&mut *tx).await?;
        }
        for p in leader.iter().chain(members.iter()) {
            sqlx::query("INSERT INTO team_members (team_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(team_id)
                .bind(p)
                .execute(&mut *tx)
                .await?;
        }
        for v in villages {
            sqlx::query("INSERT INTO team_villages (team_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(team_id)
                .bind(v)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Shifts from `from` (ISO) on that a person signed up for and that were cancelled.
    pub async fn person_cancelled_shifts(&self, plan_id: &str, person_id: &str, from: &str) -> Result<Vec<ShiftRow>> {
        Ok(sqlx::query_as(
            "SELECT s.id, s.team_id, s.unit_id, s.day, s.start_time, s.end_time, s.places, s.taken FROM shifts s \
             JOIN shift_signups g ON g.shift_id = s.id WHERE s.plan_id = $1 AND g.person_id = $2 \
             AND s.deleted_at IS NOT NULL AND s.day >= $3 ORDER BY s.day, s.start_time",
        )
        .bind(plan_id)
        .bind(person_id)
        .bind(from)
        .fetch_all(self.pool())
        .await?)
    }
}
