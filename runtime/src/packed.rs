//! `__attribute__((packed))` on one member of a struct: [`Packed<T>`] holds a `T` at
//! alignment 1, so that `#[repr(C)]` places it right after the member before it, as C does
//! (`__u64 b __attribute__((packed));`), while the rest of the struct keeps its alignment.

use core::fmt;
use core::hash::{Hash, Hasher};

use crate::bytes::{AsBytes, FromBytes, Zeroable};

zerocopy_derived! {
    /// A `T` at alignment 1: the type of a member that C declares `__attribute__((packed))`.
    ///
    /// Same size as `T`, alignment 1, and [`Zeroable`], [`FromBytes`], [`AsBytes`] when `T` is.
    /// Read it with [`get`](Packed::get) and write it with [`set`](Packed::set): Rust refuses a
    /// reference to the (possibly unaligned) value inside, so both go by copy.
    #[repr(C, packed)]
    pub struct Packed<T>(T);
}

// SAFETY: a packed struct of one T is T's bytes, at alignment 1.
unsafe impl<T: Zeroable> Zeroable for Packed<T> {}
// SAFETY: as above.
unsafe impl<T: FromBytes> FromBytes for Packed<T> {}
// SAFETY: as above.
unsafe impl<T: AsBytes> AsBytes for Packed<T> {}

impl<T: Copy> Packed<T> {
    pub const fn new(v: T) -> Self {
        Packed(v)
    }
    /// The value (copied out: it may be unaligned).
    pub const fn get(&self) -> T {
        self.0
    }
    pub fn set(&mut self, v: T) {
        self.0 = v;
    }
}

impl<T: Copy> Clone for Packed<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Copy> Copy for Packed<T> {}

impl<T: Copy + Default> Default for Packed<T> {
    fn default() -> Self {
        Packed(T::default())
    }
}

impl<T: Copy + PartialEq> PartialEq for Packed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Copy + Eq> Eq for Packed<T> {}

impl<T: Copy + Hash> Hash for Packed<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.get().hash(state);
    }
}

impl<T: Copy + fmt::Debug> fmt::Debug for Packed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

impl<T: Copy> From<T> for Packed<T> {
    fn from(v: T) -> Self {
        Packed(v)
    }
}

#[cfg(test)]
mod tests {
    use super::Packed;
    use crate::bytes::{AsBytes, FromBytes, Zeroable};

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    struct S {
        a: u8,
        b: Packed<u64>,
        c: u8,
    }
    // SAFETY: the members' traits and sizes are checked below as generated code does.
    unsafe impl Zeroable for S {}
    unsafe impl FromBytes for S {}
    unsafe impl AsBytes for S {}
    const _: () = assert!(
        core::mem::size_of::<S>()
            == crate::bytes::as_bytes_size::<u8>() * 2
                + crate::bytes::as_bytes_size::<Packed<u64>>()
    );

    #[test]
    fn a_packed_member_is_placed_at_alignment_one() {
        assert_eq!(core::mem::size_of::<Packed<u64>>(), 8);
        assert_eq!(core::mem::align_of::<Packed<u64>>(), 1);
        assert_eq!(core::mem::offset_of!(S, b), 1);
        assert_eq!(core::mem::size_of::<S>(), 10);
        let mut s = S::read_from_bytes(&[1, 2, 0, 0, 0, 0, 0, 0, 0, 3][..]).unwrap();
        assert_eq!(S::zeroed().as_bytes(), &[0u8; 10]);
        assert_eq!((s.a, s.b.get(), s.c), (1, 2, 3));
        s.b.set(0x0102);
        assert_eq!(&s.as_bytes()[1..3], &0x0102u64.to_ne_bytes()[..2]);
        assert_eq!(s, s.clone());
        assert_eq!(Packed::from(7u32), Packed::new(7));
    }
}
