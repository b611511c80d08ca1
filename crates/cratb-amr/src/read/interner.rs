//! Dictionary encoding of the text values read.

/// Distinct byte strings numbered in order of first appearance, stored end to end in one
/// buffer (no allocation per value).
#[derive(Default, Clone)]
pub(crate) struct Interner {
    table: hashbrown::HashTable<u32>,
    pub(super) bytes: Vec<u8>,
    /// End of each value in `bytes`; it starts where the previous one ends.
    ends: Vec<usize>,
    hasher: foldhash::fast::FixedState,
}

impl Interner {
    pub(super) fn value<'b>(bytes: &'b [u8], ends: &[usize], id: u32) -> &'b [u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &bytes[start..ends[i]]
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn intern(&mut self, value: &[u8]) -> u32 {
        use std::hash::BuildHasher;
        let hasher = &self.hasher;
        let hash = hasher.hash_one(value);
        let (bytes, ends) = (&self.bytes, &self.ends);
        let entry = self.table.entry(
            hash,
            |&id| Self::value(bytes, ends, id) == value,
            |&id| hasher.hash_one(Self::value(bytes, ends, id)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let id = self.ends.len() as u32;
                e.insert(id);
                self.bytes.extend_from_slice(value);
                self.ends.push(self.bytes.len());
                id
            }
        }
    }

    /// Takes another interner's values in; returns the new number of each of its values.
    pub(super) fn absorb(&mut self, other: Interner) -> Vec<u32> {
        if self.len() == 0 {
            let remap = (0..other.len() as u32).collect();
            *self = other;
            return remap;
        }
        self.reserve(other.len(), other.bytes.len());
        (0..other.len() as u32)
            .map(|id| self.intern(Self::value(&other.bytes, &other.ends, id)))
            .collect()
    }

    pub(super) fn reserve(&mut self, values: usize, bytes: usize) {
        use std::hash::BuildHasher;
        let (hasher, all, ends) = (&self.hasher, &self.bytes, &self.ends);
        self.table
            .reserve(values, |&id| hasher.hash_one(Self::value(all, ends, id)));
        self.bytes.reserve(bytes);
        self.ends.reserve(values);
    }

    pub(super) fn into_values(self) -> Vec<Box<str>> {
        (0..self.len() as u32)
            .map(|id| String::from_utf8_lossy(Self::value(&self.bytes, &self.ends, id)).into())
            .collect()
    }
}
