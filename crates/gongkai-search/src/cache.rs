//! A small cache of recent results. Public search traffic is skewed (the same few queries
//! come again and again), and a results page costs far more to compute than to render.
//! Every change to the index starts a new generation, which empties the cache, so a cached
//! page is never staler than the index itself.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub struct Cache<V: Clone> {
    inner: Mutex<Inner<V>>,
    capacity: usize,
}

struct Inner<V> {
    generation: u64,
    map: HashMap<String, V>,
    /// Insertion order, for evicting the oldest entry.
    order: VecDeque<String>,
}

impl<V: Clone> Cache<V> {
    pub fn new(capacity: usize) -> Cache<V> {
        Cache { inner: Mutex::new(Inner { generation: 0, map: HashMap::new(), order: VecDeque::new() }), capacity }
    }

    pub fn get(&self, generation: u64, key: &str) -> Option<V> {
        let inner = self.inner.lock().ok()?;
        if inner.generation != generation {
            return None;
        }
        inner.map.get(key).cloned()
    }

    pub fn put(&self, generation: u64, key: String, value: V) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else { return };
        if inner.generation != generation {
            if generation < inner.generation {
                return; // computed before a change that has since landed
            }
            inner.generation = generation;
            inner.map.clear();
            inner.order.clear();
        }
        if inner.map.len() >= self.capacity
            && let Some(old) = inner.order.pop_front()
        {
            inner.map.remove(&old);
        }
        if inner.map.insert(key.clone(), value).is_none() {
            inner.order.push_back(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_generation_forgets_everything_and_the_oldest_goes_first() {
        let c: Cache<u32> = Cache::new(2);
        c.put(1, "a".into(), 1);
        c.put(1, "b".into(), 2);
        assert_eq!(c.get(1, "a"), Some(1));
        c.put(1, "c".into(), 3);
        assert_eq!((c.get(1, "a"), c.get(1, "b"), c.get(1, "c")), (None, Some(2), Some(3)));
        assert_eq!(c.get(2, "b"), None, "the index changed");
        c.put(2, "d".into(), 4);
        c.put(1, "late".into(), 5);
        assert_eq!((c.get(2, "b"), c.get(2, "d"), c.get(1, "late")), (None, Some(4), None));
        let off: Cache<u32> = Cache::new(0);
        off.put(1, "a".into(), 1);
        assert_eq!(off.get(1, "a"), None);
    }
}
