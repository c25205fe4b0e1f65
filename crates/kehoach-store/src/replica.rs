//! Reads on a streaming replica. A city's server can send the heavy reads
//! (boards, the city's roll-up, reports, exports, the records behind a
//! figure) to a PostgreSQL hot standby and keep the primary for writes and
//! for the small reads a write depends on (accounts, units, plans, the
//! texts a coordinator just saved). A replica replays the primary's WAL a
//! moment later: [`Store::replica_lag`] says by how much, so a page can say
//! that figures may miss the last records.

use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

use crate::{Backend, Result, Store, StoreError};

/// How far the replica is behind the primary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplicaLag {
    /// WAL the primary has written that the replica has not replayed.
    pub bytes: u64,
    /// Time since the last transaction the replica replayed was committed.
    pub seconds: f64,
}

/// The longest WAL page header (the first page of a segment).
const PAGE_HEADER: u64 = 40;

/// `X/Y` (a PostgreSQL LSN) as a number.
fn lsn(text: &str) -> Option<u64> {
    let (hi, lo) = text.split_once('/')?;
    Some((u64::from_str_radix(hi, 16).ok()? << 32) | u64::from_str_radix(lo, 16).ok()?)
}

impl Store {
    /// Sends the heavy reads to the PostgreSQL replica at `url` (a hot
    /// standby of this store's primary). Refused for SQLite, and when the
    /// replica cannot be reached.
    pub async fn with_read_replica(mut self, url: &str) -> Result<Store> {
        if self.backend != Backend::Postgres || !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            // (The URL is not repeated: it may hold a password.)
            return Err(StoreError::BadUrl(
                "a read replica is a postgres:// server, for a PostgreSQL primary".into(),
            ));
        }
        let pool: AnyPool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(15))
            .connect(url)
            .await?;
        sqlx::query("SELECT 1").execute(&pool).await?;
        self.reads = Some(pool);
        Ok(self)
    }

    /// Where boards, reports and exports read: the replica if there is one.
    pub fn read_pool(&self) -> &AnyPool {
        self.reads.as_ref().unwrap_or(&self.pool)
    }

    pub fn has_read_replica(&self) -> bool {
        self.reads.is_some()
    }

    /// Whether the read pool is a server in recovery (a standby).
    pub async fn reads_from_standby(&self) -> Result<bool> {
        if self.backend != Backend::Postgres {
            return Ok(false);
        }
        let (standby,): (bool,) = sqlx::query_as("SELECT pg_is_in_recovery()")
            .fetch_one(self.read_pool())
            .await?;
        Ok(standby)
    }

    /// The primary's WAL flush position: what a standby can have. (WAL
    /// inserted but not yet flushed is either an asynchronous commit, which
    /// wakes the WAL writer to flush it within milliseconds, or records no
    /// reader sees, which an idle WAL writer may keep for seconds.)
    async fn primary_position(&self) -> Result<Option<u64>> {
        let (written,): (String,) = sqlx::query_as("SELECT CAST(pg_current_wal_flush_lsn() AS TEXT)")
            .fetch_one(&self.pool)
            .await?;
        Ok(lsn(&written))
    }

    /// The replica's replay position and the age of the last transaction
    /// it replayed.
    async fn replayed(&self, reads: &AnyPool) -> Result<(Option<u64>, f64)> {
        let (replayed, seconds): (Option<String>, Option<f64>) = sqlx::query_as(
            "SELECT CAST(pg_last_wal_replay_lsn() AS TEXT), \
             CAST(EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp())) AS DOUBLE PRECISION)",
        )
        .fetch_one(reads)
        .await?;
        Ok((replayed.as_deref().and_then(lsn), seconds.unwrap_or(0.0).max(0.0)))
    }

    /// How far the replica is behind right now, or None when reads go to
    /// the primary or the replica has replayed everything the primary wrote.
    /// (On a busy primary this is rarely None: see [`Store::lag_after`].)
    pub async fn replica_lag(&self) -> Result<Option<ReplicaLag>> {
        let Some(reads) = &self.reads else {
            return Ok(None);
        };
        let Some(target) = self.primary_position().await? else {
            return Ok(None);
        };
        let (replayed, seconds) = self.replayed(reads).await?;
        Ok(behind(target, replayed, seconds))
    }

    /// Whether the replica replays, within `grace`, everything the primary
    /// had written when asked: None when it does (or there is no replica),
    /// else how far behind it still is. Under a steady stream of writes a
    /// healthy replica is always a little behind the primary's latest
    /// position but reaches any given one within milliseconds.
    pub async fn lag_after(&self, grace: Duration) -> Result<Option<ReplicaLag>> {
        let Some(reads) = &self.reads else {
            return Ok(None);
        };
        let Some(target) = self.primary_position().await? else {
            return Ok(None);
        };
        let start = std::time::Instant::now();
        loop {
            let (replayed, seconds) = self.replayed(reads).await?;
            let lag = behind(target, replayed, seconds);
            if lag.is_none() || start.elapsed() >= grace {
                return Ok(lag);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (at most `limit`) until the replica has replayed everything
    /// the primary had committed when called; true when it has.
    pub async fn wait_for_replica(&self, limit: Duration) -> Result<bool> {
        if self.reads.is_none() {
            return Ok(true);
        }
        // A commit flushed at once flushes every commit before it, even
        // asynchronous ones: the flush position then covers them all.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET LOCAL synchronous_commit = on")
            .execute(&mut *tx)
            .await?;
        sqlx::query("SELECT txid_current()").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(self.lag_after(limit).await?.is_none())
    }
}

/// The lag from the primary's position `target` to the replica's.
fn behind(target: u64, replayed: Option<u64>, seconds: f64) -> Option<ReplicaLag> {
    let replayed = replayed?;
    // (At a page boundary a position may be past the page's header, which
    // no record ends on: up to 40 bytes are no lag.)
    (target > replayed + PAGE_HEADER).then(|| ReplicaLag {
        bytes: target - replayed,
        seconds,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn lsns_read_as_numbers() {
        assert_eq!(super::lsn("0/16B3748"), Some(0x16B3748));
        assert_eq!(super::lsn("1/0"), Some(1 << 32));
        assert_eq!(super::lsn("nope"), None);
    }
}
