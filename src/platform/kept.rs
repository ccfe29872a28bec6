//! Reference rows kept in memory per process (issue 23): tariffs, exemptions, campaigns and
//! the like are read on every quote and every "Pay", yet change only with a release or an
//! administrator's edit in the database.
//!
//! - **How long.** As long as the public page cache keeps a page (`BAWABA_PAGE_CACHE_SECONDS`,
//!   a minute unless set; 0 reads the database every time), so a change made in the database
//!   shows in the prices at the same moment as on the public pages. A release starts new
//!   processes, which start empty.
//! - **Per `AppState`, not a static**: every server (and every test server in one process) keeps
//!   its own, read from its own database.
//! - **One copy per type**: a feature keeps its own type (`Kept::get_or_load::<TariffData>`), so
//!   the platform needs to know nothing of the services.
//! - Two requests that find the copy stale at once may both read the database; the second copy
//!   simply replaces the first. A failed read keeps nothing.

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

type Entry = (Instant, Arc<dyn Any + Send + Sync>);

/// The per-process copies of reference data.
pub struct Kept {
    fresh_for: Duration,
    entries: Mutex<HashMap<TypeId, Entry>>,
}

impl Kept {
    /// Copies are used for `fresh_for` after they were read (zero: never kept).
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            fresh_for,
            entries: Mutex::default(),
        }
    }

    /// The kept copy of a `T` while fresh; otherwise what `load` reads, kept from now on.
    pub async fn get_or_load<T, E, Fut>(&self, load: impl FnOnce() -> Fut) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(fresh) = self.fresh::<T>() {
            return Ok(fresh);
        }
        let loaded = Arc::new(load().await?);
        if !self.fresh_for.is_zero() {
            let entry: Arc<dyn Any + Send + Sync> = loaded.clone();
            self.lock()
                .insert(TypeId::of::<T>(), (Instant::now(), entry));
        }
        Ok(loaded)
    }

    fn fresh<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let entries = self.lock();
        let (read_at, value) = entries.get(&TypeId::of::<T>())?;
        if read_at.elapsed() >= self.fresh_for {
            return None;
        }
        value.clone().downcast::<T>().ok()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TypeId, Entry>> {
        // A panic elsewhere while holding the lock leaves a map that is still whole.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn read(kept: &Kept, reads: &AtomicUsize, value: u32) -> Arc<u32> {
        kept.get_or_load(|| async {
            reads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(value)
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_fresh_copy_is_used_and_a_stale_one_read_again() {
        let kept = Kept::new(Duration::from_millis(200));
        let reads = AtomicUsize::new(0);
        assert_eq!(*read(&kept, &reads, 1).await, 1);
        // Fresh: the database is not read, the kept value is used.
        assert_eq!(*read(&kept, &reads, 2).await, 1);
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(*read(&kept, &reads, 3).await, 3);
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn zero_keeps_nothing_and_a_failed_read_keeps_nothing() {
        let kept = Kept::new(Duration::ZERO);
        let reads = AtomicUsize::new(0);
        read(&kept, &reads, 1).await;
        assert_eq!(*read(&kept, &reads, 2).await, 2);
        assert_eq!(reads.load(Ordering::SeqCst), 2);

        let kept = Kept::new(Duration::from_secs(60));
        let failed: Result<Arc<u32>, &str> = kept.get_or_load(|| async { Err("gone") }).await;
        assert_eq!(failed, Err("gone"));
        assert_eq!(
            *read(&kept, &reads, 5).await,
            5,
            "read again after a failure"
        );
    }

    #[tokio::test]
    async fn each_type_has_its_own_copy() {
        let kept = Kept::new(Duration::from_secs(60));
        let reads = AtomicUsize::new(0);
        read(&kept, &reads, 7).await;
        let text: Arc<String> = kept
            .get_or_load(|| async { Ok::<_, ()>("fees".to_string()) })
            .await
            .unwrap();
        assert_eq!(*text, "fees");
        assert_eq!(*read(&kept, &reads, 8).await, 7);
    }
}
