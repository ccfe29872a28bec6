//! A small per-process memory of recent results, for work a request and the e-mail after it
//! would otherwise do twice (a seal's QR code for the page and for the PDF) or every document
//! repeats (the same labels shaped). Bounded: the oldest entry goes when a new one comes, so
//! what is kept never grows with traffic. Nothing here is needed for correctness: a miss
//! computes the value again.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

pub struct Recent<V> {
    capacity: usize,
    inner: Mutex<Inner<V>>,
}

struct Inner<V> {
    values: HashMap<Arc<str>, Arc<V>>,
    /// Keys in the order they came, the oldest first.
    order: VecDeque<Arc<str>>,
}

impl<V> Recent<V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                values: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    /// The value kept for `key`, or `make`'s (kept for next time if `Some`). `make` runs
    /// outside the lock, so a slow one holds up no other caller; two callers missing the same
    /// key at once both compute it, and the second keeps its own.
    pub fn get_or(&self, key: &str, make: impl FnOnce() -> Option<V>) -> Option<Arc<V>> {
        match self.lookup(key) {
            Some(v) => Some(v),
            None => make().map(|v| self.keep(key, v)),
        }
    }

    /// `get_or` for a value that can always be made.
    pub fn get_or_make(&self, key: &str, make: impl FnOnce() -> V) -> Arc<V> {
        match self.lookup(key) {
            Some(v) => v,
            None => self.keep(key, make()),
        }
    }

    fn lookup(&self, key: &str) -> Option<Arc<V>> {
        self.lock().values.get(key).cloned()
    }

    fn keep(&self, key: &str, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut inner = self.lock();
        let key: Arc<str> = key.into();
        if inner.values.insert(key.clone(), value.clone()).is_none() {
            inner.order.push_back(key);
            while inner.order.len() > self.capacity {
                if let Some(oldest) = inner.order.pop_front() {
                    inner.values.remove(&oldest);
                }
            }
        }
        value
    }

    /// A panic while the lock was held cannot leave the map half-changed in a way that matters
    /// (at worst an entry is missing from `order` and stays until the process ends).
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<V>> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_value_is_made_once_and_the_oldest_goes_first() {
        let recent = Recent::new(2);
        let made = Cell::new(0);
        let make = |v: u32| {
            made.set(made.get() + 1);
            Some(v)
        };
        assert_eq!(*recent.get_or("a", || make(1)).unwrap(), 1);
        assert_eq!(*recent.get_or("a", || make(99)).unwrap(), 1, "kept");
        assert_eq!(made.get(), 1);
        recent.get_or("b", || make(2));
        recent.get_or("c", || make(3));
        assert_eq!(recent.len(), 2, "bounded");
        assert_eq!(
            *recent.get_or("a", || make(4)).unwrap(),
            4,
            "the oldest went"
        );
        assert_eq!(*recent.get_or("c", || make(99)).unwrap(), 3);
        assert_eq!(*recent.get_or_make("c", || 99), 3);
        assert_eq!(*recent.get_or_make("d", || 5), 5);
    }

    #[test]
    fn nothing_is_kept_when_there_is_no_value() {
        let recent: Recent<u32> = Recent::new(4);
        assert!(recent.get_or("x", || None).is_none());
        assert_eq!(recent.len(), 0);
    }
}
