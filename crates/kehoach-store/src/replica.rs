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

    /// How far the replica is behind, or None when reads go to the primary
    /// or the replica has replayed everything the primary wrote.
    pub async fn replica_lag(&self) -> Result<Option<ReplicaLag>> {
        let Some(reads) = &self.reads else {
            return Ok(None);
        };
        let (written,): (String,) = sqlx::query_as("SELECT CAST(pg_current_wal_lsn() AS TEXT)")
            .fetch_one(&self.pool)
            .await?;
        let (replayed, seconds): (Option<String>, Option<f64>) = sqlx::query_as(
            "SELECT CAST(pg_last_wal_replay_lsn() AS TEXT), \
             CAST(EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp())) AS DOUBLE PRECISION)",
        )
        .fetch_one(reads)
        .await?;
        let (Some(w), Some(r)) = (lsn(&written), replayed.as_deref().and_then(lsn)) else {
            return Ok(None);
        };
        Ok((w > r).then(|| ReplicaLag {
            bytes: w - r,
            seconds: seconds.unwrap_or(0.0).max(0.0),
        }))
    }

    /// Waits until the replica has replayed everything the primary wrote
    /// so far (at most `limit`); true when it has.
    pub async fn wait_for_replica(&self, limit: Duration) -> Result<bool> {
        let start = std::time::Instant::now();
        loop {
            if self.replica_lag().await?.is_none() {
                return Ok(true);
            }
            if start.elapsed() > limit {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
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
