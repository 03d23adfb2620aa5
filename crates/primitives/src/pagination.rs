//! One pagination rule for every list view in the suite.

use near_sdk::near;

/// Page size when the caller does not give one.
pub const DEFAULT_LIMIT: u32 = 20;
/// Hard cap on any page: a view never returns more than this many items.
pub const MAX_LIMIT: u32 = 100;

/// A validated page request: `from_index` and a `limit` clamped to [`MAX_LIMIT`].
#[near(serializers = [json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub from_index: u64,
    pub limit: u32,
}

impl Page {
    pub fn new(from_index: Option<u64>, limit: Option<u32>) -> Self {
        Self { from_index: from_index.unwrap_or(0), limit: limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) }
    }

    /// The index range this page covers in a collection of `len` items.
    pub fn range(&self, len: u64) -> std::ops::Range<u64> {
        let start = self.from_index.min(len);
        let end = start.saturating_add(self.limit as u64).min(len);
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_and_bounds() {
        assert_eq!(Page::new(None, None).range(5), 0..5);
        assert_eq!(Page::new(Some(3), Some(1000)).limit, MAX_LIMIT);
        assert_eq!(Page::new(Some(3), Some(1)).range(10), 3..4);
        assert_eq!(Page::new(Some(30), Some(10)).range(10), 10..10);
        assert_eq!(Page::new(Some(u64::MAX), Some(10)).range(10), 10..10);
    }
}
