//! Bounds on costly work, so that no single user or upload can stop the
//! service for everyone: parsing an uploaded file runs off the async
//! workers, a few at a time (as many as the machine has cores), and stops
//! when its request is gone. (Password hashing is bounded the same way in
//! the store.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::http::errors::AppError;
use kehoach_core::ErrorCode;

/// How long a request waits for its turn before it is told to retry.
const WAIT: Duration = Duration::from_secs(20);

/// The gates of costly work.
#[derive(Clone)]
pub struct Gates {
    /// Parsing uploaded files (rosters, plans). Password hashing has its
    /// own bound in the store, where every hash is made.
    pub parse: Arc<Semaphore>,
}

impl Default for Gates {
    fn default() -> Gates {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Gates {
            parse: Arc::new(Semaphore::new(cores)),
        }
    }
}

/// Sets its flag when dropped: the request future that held it is gone.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `work` on the blocking pool once `gate` lets it in. `work` gets a
/// flag that turns true when the caller stops waiting (its request was
/// dropped or timed out) and should return early then. Beyond the wait the
/// caller gets 503 `server_busy` (try again).
pub async fn run<T: Send + 'static>(
    gate: &Arc<Semaphore>,
    work: impl FnOnce(&AtomicBool) -> T + Send + 'static,
) -> Result<T, AppError> {
    let permit = tokio::time::timeout(WAIT, gate.clone().acquire_owned())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    let cancel = Arc::new(AtomicBool::new(false));
    let _guard = CancelOnDrop(cancel.clone());
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&cancel)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "blocking work failed");
        AppError::new(ErrorCode::Internal, None)
    })
}

fn busy() -> AppError {
    AppError::new(ErrorCode::ServerBusy, None)
}

/// An upload the limits refused, as the API and pages say it.
impl From<kehoach_report::upload::UploadError> for AppError {
    fn from(e: kehoach_report::upload::UploadError) -> AppError {
        AppError {
            message: e.message_vn(),
            ..AppError::new(e.code(), Some("file"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parse whose request is gone is told to stop, and its turn at the
    /// gate is given back.
    #[tokio::test]
    async fn work_stops_when_its_request_is_gone() {
        let gate = Arc::new(Semaphore::new(1));
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let request = run(&gate, move |cancel| {
            let started = std::time::Instant::now();
            while !cancel.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = seen_tx.send(cancel.load(Ordering::Relaxed));
        });
        // The client hangs up after 50 ms.
        let _ = tokio::time::timeout(Duration::from_millis(50), request).await;
        let stopped = tokio::task::spawn_blocking(move || seen_rx.recv_timeout(Duration::from_secs(2)))
            .await
            .unwrap();
        assert_eq!(stopped, Ok(true), "the work saw its request go and stopped");
        // The gate is free again for the next upload.
        let next = tokio::time::timeout(Duration::from_secs(2), gate.clone().acquire_owned()).await;
        assert!(next.is_ok(), "the turn at the gate was given back");
    }
}
