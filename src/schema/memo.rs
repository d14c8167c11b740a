//! A process-wide memo of values computed from a text, for compilations that a run repeats
//! (CEL rules, `pattern`s): bounded, so that a long-lived process (the fuzzer) cannot grow it
//! without end.

use foldhash::{HashMap, HashMapExt};
use std::sync::Mutex;

pub(crate) struct TextMemo<V> {
    map: Mutex<HashMap<String, V>>,
    max: usize,
}

impl<V: Clone> TextMemo<V> {
    /// Keeps at most `max` texts; later ones are computed each time.
    pub fn new(max: usize) -> Self {
        TextMemo {
            map: Mutex::new(HashMap::new()),
            max,
        }
    }

    /// The value for `text`, computed by `make` on first use. The lock is not held while
    /// computing: two threads may both compute a new text, and the first stored wins.
    pub fn get(&self, text: &str, make: impl FnOnce() -> V) -> V {
        if let Some(hit) = self.map.lock().ok().and_then(|m| m.get(text).cloned()) {
            return hit;
        }
        let made = make();
        if let Ok(mut m) = self.map.lock() {
            if m.len() < self.max {
                return m.entry(text.to_string()).or_insert(made).clone();
            }
        }
        made
    }
}

#[cfg(test)]
mod tests {
    use super::TextMemo;

    #[test]
    fn computes_each_text_once_up_to_the_bound() {
        let memo = TextMemo::new(2);
        let mut calls = 0;
        for text in ["a", "b", "a", "c", "c", "b"] {
            memo.get(text, || {
                calls += 1;
                text.len()
            });
        }
        // "a" and "b" are kept; "c", past the bound, is computed each time.
        assert_eq!(calls, 4);
    }
}
