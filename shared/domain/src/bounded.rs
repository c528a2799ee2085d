//! Whole numbers a request sends as JSON numbers (read as `u64`) and the domain keeps in a
//! smaller type, within a range.

use std::ops::RangeInclusive;

/// `raw` as the narrower `T` when it lies in `range`; `None` when it does not fit.
pub(crate) fn within<T>(raw: u64, range: RangeInclusive<T>) -> Option<T>
where
    T: TryFrom<u64> + PartialOrd,
{
    T::try_from(raw).ok().filter(|v| range.contains(v))
}
