//! Repeated keys among entries: a mapping's (the loader's duplicate keys), or several
//! mappings read as one (a Secret's `data` then `stringData`).

use std::hash::BuildHasher;

/// Goes through the keys of entries `0..n` (`None`: an entry without one) and calls
/// `repeat(earlier, i)` for each entry whose key an earlier entry had (`earlier`: the
/// latest of those). Returns the last entry of each key, in no particular order.
///
/// The entries are held as `u32` indices hashed by their key: a map of `&str` took 24
/// bytes a slot, 50 MB for a ConfigMap of a million keys.
pub(crate) fn last_of_each<'k>(
    n: usize,
    key: impl Fn(usize) -> Option<&'k str>,
    mut repeat: impl FnMut(usize, usize),
) -> impl Iterator<Item = usize> {
    let hasher = foldhash::fast::FixedState::default();
    let hash = |k: &str| hasher.hash_one(k);
    let key_of = |i: &u32| key(*i as usize).unwrap_or_default();
    let mut seen = hashbrown::HashTable::<u32>::with_capacity(n);
    // (More than 4 billion entries cannot be read within the limits.)
    for i in 0..n.min(u32::MAX as usize) {
        let Some(k) = key(i) else { continue };
        let h = hash(k);
        match seen.find_mut(h, |j| key_of(j) == k) {
            Some(j) => {
                repeat(*j as usize, i);
                *j = i as u32;
            }
            None => {
                seen.insert_unique(h, i as u32, |j| hash(key_of(j)));
            }
        }
    }
    seen.into_iter().map(|i| i as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_point_at_the_latest_earlier_entry() {
        let keys = [
            Some("a"),
            None,
            Some("b"),
            Some("a"),
            None,
            Some("a"),
            Some("b"),
        ];
        let mut repeats = Vec::new();
        let mut last: Vec<usize> =
            last_of_each(keys.len(), |i| keys[i], |j, i| repeats.push((j, i))).collect();
        last.sort_unstable();
        assert_eq!(repeats, [(0, 3), (3, 5), (2, 6)]);
        assert_eq!(last, [5, 6]);
    }
}
