//! Flexible array members (`__u8 data[]`) and buffers that carry them.

use core::fmt;
use core::marker::PhantomData;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// A C flexible array member: zero-sized, aligned like `T`, marking where the trailing
/// elements start. The elements themselves live in a [`FlexBuf`] (or in memory the kernel
/// filled in); index them through [`FlexBuf::elems`].
#[repr(C)]
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct FlexArray<T>([T; 0]);

impl<T> FlexArray<T> {
    pub const fn new() -> Self {
        FlexArray([])
    }
}

impl<T> Default for FlexArray<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> Clone for FlexArray<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Copy> Copy for FlexArray<T> {}

impl<T> PartialEq for FlexArray<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for FlexArray<T> {}

impl<T> core::hash::Hash for FlexArray<T> {
    fn hash<H: core::hash::Hasher>(&self, _: &mut H) {}
}

impl<T> fmt::Debug for FlexArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[..]")
    }
}

/// A struct that ends in a flexible array member. Generated for every such struct.
pub trait FlexHeader: FromBytes + IntoBytes + Immutable + KnownLayout + Sized {
    /// The element type of the flexible array.
    type Elem: FromBytes + IntoBytes + Immutable;
    /// Where the elements start (`offsetof`): may be less than the size of the struct.
    const FLEX_OFFSET: usize;

    /// Bytes needed for the header and `n` elements.
    fn size_with(n: usize) -> Option<usize> {
        let tail = n.checked_mul(core::mem::size_of::<Self::Elem>())?;
        Some(core::cmp::max(
            core::mem::size_of::<Self>(),
            Self::FLEX_OFFSET.checked_add(tail)?,
        ))
    }
}

#[cfg(feature = "alloc")]
mod buf {
    use alloc::vec::Vec;

    use super::*;

    /// Storage for a header and its trailing elements, 8-byte aligned (uapi types never need
    /// more), zero-initialised. Safe to index: every access is bounds- and size-checked.
    pub struct FlexBuf<H: FlexHeader> {
        words: Vec<u64>,
        len: usize,
        elems: usize,
        _h: PhantomData<H>,
    }

    impl<H: FlexHeader> FlexBuf<H> {
        /// A zeroed header followed by `n` zeroed elements; `None` if the size overflows.
        pub fn new(n: usize) -> Option<Self> {
            const { assert!(core::mem::align_of::<H>() <= 8) };
            let len = H::size_with(n)?;
            let mut words = Vec::new();
            words.try_reserve_exact(len.div_ceil(8)).ok()?;
            words.resize(len.div_ceil(8), 0);
            Some(FlexBuf {
                words,
                len,
                elems: n,
                _h: PhantomData,
            })
        }

        /// A buffer holding a copy of `header` and of `elems`.
        pub fn from_parts(header: &H, elems: &[H::Elem]) -> Option<Self> {
            let mut b = Self::new(elems.len())?;
            *b.header_mut() = FromBytes::read_from_bytes(header.as_bytes()).ok()?;
            b.elems_mut()
                .as_mut_bytes()
                .copy_from_slice(elems.as_bytes());
            Some(b)
        }

        /// The bytes of header and elements, as the kernel sees them.
        pub fn as_bytes(&self) -> &[u8] {
            &self.words.as_bytes()[..self.len]
        }

        pub fn as_mut_bytes(&mut self) -> &mut [u8] {
            &mut self.words.as_mut_bytes()[..self.len]
        }

        /// Total size in bytes (what `argsz` usually holds).
        #[allow(clippy::len_without_is_empty)]
        pub fn len(&self) -> usize {
            self.len
        }

        /// Number of trailing elements.
        pub fn count(&self) -> usize {
            self.elems
        }

        pub fn header(&self) -> &H {
            match H::ref_from_prefix(self.as_bytes()) {
                Ok((h, _)) => h,
                // The buffer is at least size_of::<H>() bytes and 8-aligned.
                Err(_) => unreachable!("FlexBuf holds a whole, aligned header"),
            }
        }

        pub fn header_mut(&mut self) -> &mut H {
            match H::mut_from_prefix(self.as_mut_bytes()) {
                Ok((h, _)) => h,
                Err(_) => unreachable!("FlexBuf holds a whole, aligned header"),
            }
        }

        pub fn elems(&self) -> &[H::Elem] {
            let n = self.elems;
            let bytes = &self.as_bytes()[H::FLEX_OFFSET..];
            match <[H::Elem]>::ref_from_prefix_with_elems(bytes, n) {
                Ok((e, _)) => e,
                Err(_) => &[],
            }
        }

        pub fn elems_mut(&mut self) -> &mut [H::Elem] {
            let n = self.elems;
            let bytes = &mut self.as_mut_bytes()[H::FLEX_OFFSET..];
            match <[H::Elem]>::mut_from_prefix_with_elems(bytes, n) {
                Ok((e, _)) => e,
                Err(_) => &mut [],
            }
        }

        /// Pointer to the start, for an ioctl call.
        pub fn as_mut_ptr(&mut self) -> *mut H {
            self.words.as_mut_ptr().cast()
        }
    }

    impl<H: FlexHeader + fmt::Debug> fmt::Debug for FlexBuf<H>
    where
        H::Elem: fmt::Debug,
    {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("FlexBuf")
                .field("header", self.header())
                .field("elems", &self.elems())
                .finish()
        }
    }

    impl<H: FlexHeader> Clone for FlexBuf<H> {
        fn clone(&self) -> Self {
            FlexBuf {
                words: self.words.clone(),
                len: self.len,
                elems: self.elems,
                _h: PhantomData,
            }
        }
    }

    // Zero-initialisation is what FromZeros promises for the header.
    const _: fn() = || {
        fn assert_from_zeros<T: zerocopy::FromZeros>() {}
        assert_from_zeros::<u64>();
    };
}

#[cfg(feature = "alloc")]
pub use buf::FlexBuf;

/// Without the `alloc` feature there is no heap buffer: `FlexBuf` is a type that cannot be
/// made, so generated code that takes one still compiles (the wrappers of flexible-array
/// ioctls), and cannot be called.
#[cfg(not(feature = "alloc"))]
mod never {
    use super::*;

    /// Cannot be made without the `alloc` feature (see the module).
    pub enum FlexBuf<H: FlexHeader> {
        #[doc(hidden)]
        Never(core::convert::Infallible, PhantomData<H>),
    }

    impl<H: FlexHeader> FlexBuf<H> {
        fn never(&self) -> ! {
            match self {
                FlexBuf::Never(n, _) => match *n {},
            }
        }

        #[allow(clippy::len_without_is_empty)]
        pub fn len(&self) -> usize {
            self.never()
        }

        pub fn as_mut_bytes(&mut self) -> &mut [u8] {
            self.never()
        }

        pub fn header_mut(&mut self) -> &mut H {
            self.never()
        }
    }
}

#[cfg(not(feature = "alloc"))]
pub use never::FlexBuf;
