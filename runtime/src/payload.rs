//! Support for tagged payloads: the kernel's rejections (errno and reason), typed views of
//! counted element arrays in untrusted bytes, and aligned stack buffers for encoded arguments.

use core::fmt;
use core::marker::PhantomData;

use crate::bytes::{AsBytes, FromBytes};

/// The errno a kernel returns for a rejected argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Errno {
    /// `EINVAL`: a wrong field value, a size below the minimum, unknown flag bits.
    Inval,
    /// `E2BIG`: bytes past what this revision knows are not zero (`copy_struct_from_user`).
    TooBig,
    /// `EOPNOTSUPP`: an unsupported value of a known field.
    OpNotSupp,
    /// `EFAULT`: the kernel would read past the bytes that were given.
    Fault,
    /// `ENOTTY`: the driver has no such operation (VFIO's unknown feature or IRQ action).
    NotTty,
    /// `EOVERFLOW`: a value does not fit where the kernel puts it.
    Overflow,
    /// `ENOSPC`: a buffer or table is full.
    NoSpc,
}

impl Errno {
    /// The errno number on the target architecture.
    pub const fn raw(self) -> i32 {
        match self {
            Errno::Inval => 22,
            Errno::TooBig => 7,
            Errno::Fault => 14,
            Errno::OpNotSupp => EOPNOTSUPP,
            Errno::NotTty => 25,
            Errno::Overflow => EOVERFLOW,
            Errno::NoSpc => 28,
        }
    }

    /// The C name, e.g. `EINVAL`.
    pub const fn name(self) -> &'static str {
        match self {
            Errno::Inval => "EINVAL",
            Errno::TooBig => "E2BIG",
            Errno::OpNotSupp => "EOPNOTSUPP",
            Errno::Fault => "EFAULT",
            Errno::NotTty => "ENOTTY",
            Errno::Overflow => "EOVERFLOW",
            Errno::NoSpc => "ENOSPC",
        }
    }
}

// EOVERFLOW: asm-generic 75, mips 79, sparc 92 (and alpha 112, parisc 72: no Rust targets).
#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
const EOVERFLOW: i32 = 79;
#[cfg(any(target_arch = "sparc", target_arch = "sparc64"))]
const EOVERFLOW: i32 = 92;
#[cfg(not(any(
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "sparc",
    target_arch = "sparc64"
)))]
const EOVERFLOW: i32 = 75;

#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
const EOPNOTSUPP: i32 = 122;
#[cfg(any(target_arch = "sparc", target_arch = "sparc64"))]
const EOPNOTSUPP: i32 = 45;
#[cfg(not(any(
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "sparc",
    target_arch = "sparc64"
)))]
const EOPNOTSUPP: i32 = 95;

/// Why an argument was rejected: the errno the kernel gives and what was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reject {
    pub errno: Errno,
    /// The struct and field (or check) at fault, e.g. `vfio_irq_set.argsz`.
    pub what: &'static str,
    pub reason: &'static str,
}

impl Reject {
    pub const fn new(errno: Errno, what: &'static str, reason: &'static str) -> Self {
        Reject {
            errno,
            what,
            reason,
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.what, self.reason, self.errno.name())
    }
}

impl core::error::Error for Reject {}

/// `count` elements of `T` in bytes that need not be aligned (they come from user space).
pub struct ElemSlice<'a, T> {
    bytes: &'a [u8],
    _t: PhantomData<T>,
}

impl<'a, T: FromBytes + AsBytes> ElemSlice<'a, T> {
    /// View a slice of elements for encoding.
    pub fn new(elems: &'a [T]) -> Self {
        ElemSlice {
            bytes: elems.as_bytes(),
            _t: PhantomData,
        }
    }

    /// Elements held in `bytes`; `None` unless the length is a whole number of elements.
    pub fn from_bytes(bytes: &'a [u8]) -> Option<Self> {
        let size = core::mem::size_of::<T>();
        (size > 0 && bytes.len().is_multiple_of(size)).then_some(ElemSlice {
            bytes,
            _t: PhantomData,
        })
    }

    pub fn len(&self) -> usize {
        self.bytes.len() / core::mem::size_of::<T>().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Element `i`, copied out (no alignment needed); `None` past the end.
    pub fn get(&self, i: usize) -> Option<T> {
        let size = core::mem::size_of::<T>();
        let start = i.checked_mul(size)?;
        let b = self.bytes.get(start..start.checked_add(size)?)?;
        T::read_from_bytes(b)
    }

    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<T> Clone for ElemSlice<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ElemSlice<'_, T> {}

impl<T> PartialEq for ElemSlice<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl<T> Eq for ElemSlice<'_, T> {}

impl<T: FromBytes + AsBytes + fmt::Debug> fmt::Debug for ElemSlice<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An encoded argument of at most `N` bytes on the stack, 8-byte aligned (what uapi structs
/// need at most), ready to be passed to an ioctl.
#[repr(C, align(8))]
#[derive(Clone)]
pub struct ArgBuf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> ArgBuf<N> {
    /// A buffer holding nothing.
    pub const fn empty() -> Self {
        ArgBuf {
            bytes: [0; N],
            len: 0,
        }
    }

    /// `len` zero bytes; `None` if `len > N`.
    pub fn zeroed(len: usize) -> Option<Self> {
        (len <= N).then_some(ArgBuf { bytes: [0; N], len })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.bytes[..self.len]
    }

    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Pointer for an ioctl call.
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.bytes.as_mut_ptr()
    }
}

impl<const N: usize> fmt::Debug for ArgBuf<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArgBuf")
            .field("bytes", &self.as_bytes())
            .finish()
    }
}

/// `n` (a length or a count in bytes or elements) as the type of the field that carries it,
/// or `EINVAL` naming the field when it does not fit: what the kernel answers for a size it
/// cannot be given (an encoded argument of 4 GiB does not fit a `__u32 argsz`), where a
/// cast would silently write the low bits.
#[inline]
pub fn fit<T: TryFrom<usize>>(n: usize, what: &'static str) -> Result<T, Reject> {
    T::try_from(n).map_err(|_| {
        Reject::new(
            Errno::Inval,
            what,
            "the value is larger than the field holds",
        )
    })
}

/// The larger of two sizes, for `const` buffer sizes.
pub const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// Write `value`'s bytes at `offset` of `out`; false if it does not fit.
pub fn put<T: AsBytes + ?Sized>(out: &mut [u8], offset: usize, value: &T) -> bool {
    let b = value.as_bytes();
    match offset
        .checked_add(b.len())
        .and_then(|end| out.get_mut(offset..end))
    {
        Some(dst) => {
            dst.copy_from_slice(b);
            true
        }
        None => false,
    }
}

/// Read a `T` at `offset` of `bytes` (unaligned); `None` if it does not fit.
pub fn get<T: FromBytes>(bytes: &[u8], offset: usize) -> Option<T> {
    let end = offset.checked_add(core::mem::size_of::<T>())?;
    T::read_from_bytes(bytes.get(offset..end)?)
}

/// True when the `N` bytes at `at` of `bytes` are zero (missing bytes count as zero): the
/// reserved-field check of generated code, a fixed-size compare.
#[inline]
pub fn zero_at<const N: usize>(bytes: &[u8], at: usize) -> bool {
    match at.checked_add(N).and_then(|end| bytes.get(at..end)) {
        Some(b) => b == [0u8; N],
        None => all_zero(bytes, at, at.saturating_add(N)),
    }
}

/// True when every byte of `bytes` in `range` is zero (missing bytes count as zero).
pub fn all_zero(bytes: &[u8], from: usize, to: usize) -> bool {
    bytes
        .get(from.min(bytes.len())..to.min(bytes.len()))
        .is_none_or(|b| b.iter().all(|x| *x == 0))
}
