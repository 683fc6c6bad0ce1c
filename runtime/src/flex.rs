//! Flexible array members (`__u8 data[]`) and buffers that carry them.

use core::fmt;
use core::marker::PhantomData;

use crate::bytes::{AsBytes, FromBytes, Zeroable};

zerocopy_derived! {
    /// A C flexible array member: zero-sized, aligned like `T`, marking where the trailing
    /// elements start. The elements themselves live in a [`FlexBuf`] (or in memory the kernel
    /// filled in); index them through [`FlexBuf::elems`].
    #[repr(C)]
    pub struct FlexArray<T>([T; 0]);
}

// SAFETY: zero-sized (the elements live outside the value), whatever `T` is: no bound on
// `T` is needed, and none may be dropped if this type ever holds bytes of its own.
unsafe impl<T> Zeroable for FlexArray<T> {}
// SAFETY: as above.
unsafe impl<T> FromBytes for FlexArray<T> {}
// SAFETY: as above.
unsafe impl<T> AsBytes for FlexArray<T> {}

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
pub trait FlexHeader: Zeroable + FromBytes + AsBytes {
    /// The element type of the flexible array.
    type Elem: FromBytes + AsBytes;
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

/// A struct whose flexible array has a count field (the spec's `count`): `kvm_msrs.nmsrs`,
/// `kvm_cpuid2.nent`. Generated for every such struct; [`FlexBuf`] uses it to keep the
/// count equal to the number of elements it holds, and below the kernel's maximum.
pub trait FamCount: FlexHeader {
    /// The most elements the kernel takes (`KVM_MAX_CPUID_ENTRIES`, ...).
    const MAX: usize;
    /// The count field, as the kernel reads it.
    fn count(&self) -> usize;
    /// Set the count field; `n` is at most [`Self::MAX`], which the field holds.
    fn set_count(&mut self, n: usize);
}

/// Why a counted [`FlexBuf`] was not made or grown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamError {
    /// More elements than the kernel takes.
    TooMany { n: usize, max: usize },
    /// The size in bytes overflows, or the allocation failed.
    NoMemory,
}

impl fmt::Display for FamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FamError::TooMany { n, max } => {
                write!(f, "{n} elements, more than the kernel's maximum of {max}")
            }
            FamError::NoMemory => f.write_str("the buffer cannot be allocated"),
        }
    }
}

impl core::error::Error for FamError {}

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
            *b.header_mut() = H::read_from_bytes(header.as_bytes())?;
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
            match crate::bytes::ref_from_prefix(self.as_bytes()) {
                Some(h) => h,
                // The buffer is at least size_of::<H>() bytes and 8-aligned.
                None => unreachable!("FlexBuf holds a whole, aligned header"),
            }
        }

        pub fn header_mut(&mut self) -> &mut H {
            match crate::bytes::mut_from_prefix(self.as_mut_bytes()) {
                Some(h) => h,
                None => unreachable!("FlexBuf holds a whole, aligned header"),
            }
        }

        pub fn elems(&self) -> &[H::Elem] {
            let n = self.elems;
            let bytes = &self.as_bytes()[H::FLEX_OFFSET..];
            crate::bytes::slice_from_prefix(bytes, n).unwrap_or(&[])
        }

        pub fn elems_mut(&mut self) -> &mut [H::Elem] {
            let n = self.elems;
            let bytes = &mut self.as_mut_bytes()[H::FLEX_OFFSET..];
            crate::bytes::mut_slice_from_prefix(bytes, n).unwrap_or(&mut [])
        }

        /// Pointer to the start, for an ioctl call.
        pub fn as_mut_ptr(&mut self) -> *mut H {
            self.words.as_mut_ptr().cast()
        }
    }

    /// A struct with a counted flexible array (`kvm_msrs`, `kvm_cpuid2`): the count field
    /// always equals the elements the buffer holds when it is made or grown, and never
    /// passes the kernel's maximum; what the kernel writes back (a smaller count after a
    /// query) is read through [`FlexBuf::entries`], which never reads past the buffer.
    impl<H: FamCount> FlexBuf<H> {
        /// A zeroed header whose count is `n`, and `n` zeroed elements: the room a query
        /// (KVM_GET_SUPPORTED_CPUID) fills in.
        pub fn with_count(n: usize) -> Result<Self, FamError> {
            if n > H::MAX {
                return Err(FamError::TooMany { n, max: H::MAX });
            }
            let mut b = Self::new(n).ok_or(FamError::NoMemory)?;
            b.header_mut().set_count(n);
            Ok(b)
        }

        /// A zeroed header followed by a copy of `entries`, the count set to their number.
        pub fn from_entries(entries: &[H::Elem]) -> Result<Self, FamError> {
            let mut b = Self::with_count(entries.len())?;
            b.elems_mut()
                .as_mut_bytes()
                .copy_from_slice(entries.as_bytes());
            Ok(b)
        }

        /// The elements the count field says, never more than the buffer holds (after an
        /// ioctl the kernel may have lowered the count, or set a larger one with E2BIG).
        pub fn entries(&self) -> &[H::Elem] {
            let all = self.elems();
            &all[..self.header().count().min(all.len())]
        }

        /// [`FlexBuf::entries`], writable.
        pub fn entries_mut(&mut self) -> &mut [H::Elem] {
            let n = self.header().count();
            let all = self.elems_mut();
            let n = n.min(all.len());
            &mut all[..n]
        }

        /// Append one element after [`FlexBuf::entries`] (dropping elements past the count),
        /// growing the buffer and the count.
        pub fn push(&mut self, e: H::Elem) -> Result<(), FamError> {
            let n = self.entries().len();
            let at = H::FLEX_OFFSET + core::mem::size_of_val(self.entries());
            if n >= H::MAX {
                return Err(FamError::TooMany {
                    n: n + 1,
                    max: H::MAX,
                });
            }
            let len = H::size_with(n + 1).ok_or(FamError::NoMemory)?;
            let words = len.div_ceil(8);
            if words > self.words.len() {
                self.words
                    .try_reserve_exact(words - self.words.len())
                    .map_err(|_| FamError::NoMemory)?;
            }
            self.words.resize(words, 0);
            self.len = len;
            self.elems = n + 1;
            let end = at + core::mem::size_of::<H::Elem>();
            self.as_mut_bytes()[at..end].copy_from_slice(e.as_bytes());
            // Bytes past the new end (a shorter count before) are zero again.
            let total = self.words.len() * 8;
            self.words.as_mut_bytes()[end.min(total)..].fill(0);
            self.header_mut().set_count(n + 1);
            Ok(())
        }

        /// A copy of [`FlexBuf::entries`].
        pub fn to_vec(&self) -> Vec<H::Elem>
        where
            H::Elem: Clone,
        {
            self.entries().to_vec()
        }
    }

    impl<H: FamCount> TryFrom<&[H::Elem]> for FlexBuf<H> {
        type Error = FamError;

        fn try_from(entries: &[H::Elem]) -> Result<Self, FamError> {
            Self::from_entries(entries)
        }
    }

    impl<H: FamCount> From<&FlexBuf<H>> for Vec<H::Elem>
    where
        H::Elem: Clone,
    {
        fn from(b: &FlexBuf<H>) -> Self {
            b.to_vec()
        }
    }

    /// Equal when the header and the elements are the same bytes (the padding the buffer
    /// holds past its length does not count).
    impl<H: FlexHeader> PartialEq for FlexBuf<H> {
        fn eq(&self, other: &Self) -> bool {
            self.as_bytes() == other.as_bytes()
        }
    }

    impl<H: FlexHeader> Eq for FlexBuf<H> {}

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

    // Zero-initialised words are a zeroed header (H: Zeroable) and zeroed elements.
    const _: () = crate::bytes::zeroable::<u64>();
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

        pub fn header(&self) -> &H {
            self.never()
        }

        pub fn count(&self) -> usize {
            self.never()
        }
    }
}

#[cfg(not(feature = "alloc"))]
pub use never::FlexBuf;
