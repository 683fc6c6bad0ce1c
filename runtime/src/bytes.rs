//! What a type's bytes allow: [`Zeroable`] (all-zero bytes are a value), [`FromBytes`]
//! (any bytes are a value) and [`AsBytes`] (every byte of a value is initialised, so it can
//! be viewed as bytes).
//!
//! Generated code implements them for its types with `unsafe impl`, each next to a
//! compile-time check that makes the impl sound on the target being compiled: every member
//! has the trait ([`zeroable`], [`from_bytes`], [`as_bytes_size`] only accept such types),
//! and for [`AsBytes`] the members' sizes add up to the type's size, so there is no padding.
//! A wrong layout fact in the generator is then a compile error, never undefined behaviour.
//!
//! What generated code writes, for a struct without padding:
//!
//! ```
//! use uapigen_runtime::bytes::{as_bytes_size, from_bytes, no_padding};
//! # #[derive(Clone, Copy)]
//! #[repr(C)]
//! pub struct Map { pub argsz: u32, pub flags: u32, pub vaddr: u64 }
//! unsafe impl uapigen_runtime::Zeroable for Map {}
//! unsafe impl uapigen_runtime::FromBytes for Map {}
//! unsafe impl uapigen_runtime::AsBytes for Map {}
//! const _: () = {
//!     from_bytes::<u32>();
//!     from_bytes::<u64>();
//!     no_padding(
//!         size_of::<Map>(),
//!         as_bytes_size::<u32>() + as_bytes_size::<u32>() + as_bytes_size::<u64>(),
//!     );
//! };
//! ```
//!
//! With padding (a `u32` before a `u64`), the same check fails the build:
//!
//! ```compile_fail
//! use uapigen_runtime::bytes::{as_bytes_size, no_padding};
//! #[repr(C)]
//! pub struct Padded { pub a: u32, pub b: u64 }
//! unsafe impl uapigen_runtime::AsBytes for Padded {}
//! const _: () = no_padding(size_of::<Padded>(), as_bytes_size::<u32>() + as_bytes_size::<u64>());
//! ```
//!
//! and so does a member that is not any bytes (a `bool`, a pointer) in a `FromBytes` type:
//!
//! ```compile_fail
//! #[repr(C)]
//! pub struct Flag { pub on: bool }
//! unsafe impl uapigen_runtime::FromBytes for Flag {}
//! const _: () = uapigen_runtime::bytes::from_bytes::<bool>();
//! ```
//!
//! ```compile_fail
//! #[repr(C)]
//! pub struct Ptr { pub p: *mut u8 }
//! unsafe impl uapigen_runtime::AsBytes for Ptr {}
//! const _: () = assert!(size_of::<Ptr>() == uapigen_runtime::bytes::as_bytes_size::<*mut u8>());
//! ```
//!
//! These are what zerocopy's `FromZeros`, `FromBytes` and `IntoBytes` say, without their
//! derives: type-checking the derives cost rustc about ten times the rest of a generated
//! struct. With the `zerocopy` feature, generated types and the runtime's own derive
//! zerocopy's traits too.

use core::mem::{size_of, size_of_val};

/// All-zero bytes are a valid value of the type.
///
/// # Safety
/// An implementation promises that `size_of::<Self>()` zero bytes are a valid `Self`.
pub unsafe trait Zeroable: Sized {
    /// The value whose bytes are all zero.
    #[inline]
    fn zeroed() -> Self {
        // SAFETY: the trait's contract.
        unsafe { core::mem::zeroed() }
    }
}

/// Any bytes are a valid value of the type: it can be read from untrusted bytes.
///
/// # Safety
/// An implementation promises that every initialised bit pattern of `size_of_val(self)`
/// bytes is a valid `Self` (no `bool`, `char`, enum, reference or pointer inside), and that
/// the type has no interior mutability.
pub unsafe trait FromBytes {
    /// A copy of the value `bytes` hold; `None` unless there are exactly
    /// `size_of::<Self>()` of them. No alignment is needed.
    #[inline]
    fn read_from_bytes(bytes: &[u8]) -> Option<Self>
    where
        Self: Sized,
    {
        if bytes.len() != size_of::<Self>() {
            return None;
        }
        // SAFETY: exactly size_of::<Self>() readable bytes; any bytes are a valid Self;
        // read_unaligned needs no alignment.
        Some(unsafe { bytes.as_ptr().cast::<Self>().read_unaligned() })
    }

    /// A copy of the value the first `size_of::<Self>()` bytes hold, and the bytes after.
    #[inline]
    fn read_from_prefix(bytes: &[u8]) -> Option<(Self, &[u8])>
    where
        Self: Sized,
    {
        let (head, rest) = bytes.split_at_checked(size_of::<Self>())?;
        Some((Self::read_from_bytes(head)?, rest))
    }
}

/// Every byte of a value is initialised (no padding) and the type has no interior
/// mutability: a value can be viewed as bytes.
///
/// # Safety
/// An implementation promises that a `Self` has no padding bytes and no `UnsafeCell`.
pub unsafe trait AsBytes {
    /// The value's bytes.
    #[inline]
    fn as_bytes(&self) -> &[u8] {
        // SAFETY: no padding, so size_of_val(self) initialised bytes; no UnsafeCell, so
        // nothing changes them while the shared borrow lives.
        unsafe {
            core::slice::from_raw_parts((self as *const Self).cast::<u8>(), size_of_val(self))
        }
    }

    /// The value's bytes, writable: any bytes written are a valid value.
    #[inline]
    fn as_mut_bytes(&mut self) -> &mut [u8]
    where
        Self: FromBytes,
    {
        let len = size_of_val(self);
        // SAFETY: as in as_bytes, and FromBytes makes whatever is written a valid Self.
        unsafe { core::slice::from_raw_parts_mut((self as *mut Self).cast::<u8>(), len) }
    }
}

/// A reference to the `T` at the start of `bytes`, if they hold one and are aligned for it.
#[inline]
pub fn ref_from_prefix<T: FromBytes>(bytes: &[u8]) -> Option<&T> {
    let p = bytes.as_ptr();
    if bytes.len() < size_of::<T>() || !p.cast::<T>().is_aligned() {
        return None;
    }
    // SAFETY: enough bytes, aligned, any bytes are a valid T, and the borrow of `bytes`
    // outlives the result (no interior mutability on either side).
    Some(unsafe { &*p.cast::<T>() })
}

/// [`ref_from_prefix`], writable.
#[inline]
pub fn mut_from_prefix<T: FromBytes + AsBytes>(bytes: &mut [u8]) -> Option<&mut T> {
    let p = bytes.as_mut_ptr();
    if bytes.len() < size_of::<T>() || !p.cast::<T>().is_aligned() {
        return None;
    }
    // SAFETY: as in ref_from_prefix; any bytes written through the result stay valid
    // bytes for the slice (T has no padding), and valid T (FromBytes).
    Some(unsafe { &mut *p.cast::<T>() })
}

/// `n` `T`s at the start of `bytes`, if they hold them and are aligned for `T`.
#[inline]
pub fn slice_from_prefix<T: FromBytes>(bytes: &[u8], n: usize) -> Option<&[T]> {
    let p = bytes.as_ptr();
    if bytes.len() < size_of::<T>().checked_mul(n)? || !p.cast::<T>().is_aligned() {
        return None;
    }
    // SAFETY: n * size_of::<T>() bytes, aligned, any bytes are valid T.
    Some(unsafe { core::slice::from_raw_parts(p.cast::<T>(), n) })
}

/// [`slice_from_prefix`], writable.
#[inline]
pub fn mut_slice_from_prefix<T: FromBytes + AsBytes>(
    bytes: &mut [u8],
    n: usize,
) -> Option<&mut [T]> {
    let p = bytes.as_mut_ptr();
    if bytes.len() < size_of::<T>().checked_mul(n)? || !p.cast::<T>().is_aligned() {
        return None;
    }
    // SAFETY: as in slice_from_prefix, and as in mut_from_prefix for writes.
    Some(unsafe { core::slice::from_raw_parts_mut(p.cast::<T>(), n) })
}

/// Compiles only for a [`Zeroable`] `T`: generated code calls it for each member of a type
/// it implements [`Zeroable`] for.
pub const fn zeroable<T: Zeroable>() {}

/// Compiles only for a [`FromBytes`] `T` (each member of a generated [`FromBytes`] type).
pub const fn from_bytes<T: FromBytes + ?Sized>() {}

/// `size_of::<T>()`, compiling only for an [`AsBytes`] `T`: generated code adds these up for
/// the members of a type it implements [`AsBytes`] for, and asserts that the sum is the
/// type's size (no padding).
pub const fn as_bytes_size<T: AsBytes>() -> usize {
    size_of::<T>()
}

/// Fails the build (it runs in a `const`) unless `size`, a type's size, is `members`, the
/// sum of its members' sizes: a generated [`AsBytes`] type has no padding.
pub const fn no_padding(size: usize, members: usize) {
    assert!(
        size == members,
        "uapigen: a type generated as AsBytes has padding on this target"
    );
}

macro_rules! plain {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: integers and floats: zero is a value, every bit pattern is one, no
        // padding, no interior mutability.
        unsafe impl Zeroable for $t {}
        unsafe impl FromBytes for $t {}
        unsafe impl AsBytes for $t {}
    )*};
}

plain!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
);

// SAFETY: false is the zero byte.
unsafe impl Zeroable for bool {}
// SAFETY: a bool is one initialised byte.
unsafe impl AsBytes for bool {}
// SAFETY: the null pointer is all zeroes.
unsafe impl<T> Zeroable for *const T {}
// SAFETY: as above.
unsafe impl<T> Zeroable for *mut T {}
// SAFETY: zero-sized.
unsafe impl<T: ?Sized> Zeroable for core::marker::PhantomData<T> {}
// SAFETY: zero-sized: no bytes to read or to leave uninitialised.
unsafe impl<T: ?Sized> FromBytes for core::marker::PhantomData<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized> AsBytes for core::marker::PhantomData<T> {}

// SAFETY: an array is its elements one after another, with no padding between them.
unsafe impl<T: Zeroable, const N: usize> Zeroable for [T; N] {}
// SAFETY: as above.
unsafe impl<T: FromBytes, const N: usize> FromBytes for [T; N] {}
// SAFETY: as above.
unsafe impl<T: AsBytes, const N: usize> AsBytes for [T; N] {}
// SAFETY: as above.
unsafe impl<T: FromBytes> FromBytes for [T] {}
// SAFETY: as above.
unsafe impl<T: AsBytes> AsBytes for [T] {}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct S {
        a: u32,
        b: u16,
        c: [u8; 2],
    }
    // SAFETY: checked below as generated code checks it.
    unsafe impl Zeroable for S {}
    unsafe impl FromBytes for S {}
    unsafe impl AsBytes for S {}
    const _: () = {
        from_bytes::<u32>();
        assert!(
            size_of::<S>()
                == as_bytes_size::<u32>() + as_bytes_size::<u16>() + as_bytes_size::<[u8; 2]>()
        );
    };

    #[test]
    fn reads_and_views_bytes() {
        let s = S {
            a: 0x0403_0201,
            b: 0x0605,
            c: [7, 8],
        };
        let mut expect = [0u8; 8];
        expect[..4].copy_from_slice(&0x0403_0201u32.to_ne_bytes());
        expect[4..6].copy_from_slice(&0x0605u16.to_ne_bytes());
        expect[6..].copy_from_slice(&[7, 8]);
        assert_eq!(s.as_bytes(), &expect);
        // Unaligned source.
        let mut buf = [0u8; 9];
        buf[1..].copy_from_slice(&expect);
        assert_eq!(S::read_from_bytes(&buf[1..]), Some(s));
        assert_eq!(S::read_from_bytes(&buf), None);
        let (t, rest) = S::read_from_prefix(&buf[1..]).unwrap();
        assert_eq!((t, rest.len()), (s, 0));
        assert!(S::read_from_prefix(&buf[2..]).is_none());
        assert_eq!(S::zeroed().as_bytes(), &[0u8; 8]);
        let mut z = S::zeroed();
        z.as_mut_bytes().copy_from_slice(&expect);
        assert_eq!(z, s);
    }

    #[test]
    fn aligned_views_refuse_misaligned_or_short_bytes() {
        let words = [0x0102_0304_0506_0708u64, 9];
        let bytes = words.as_bytes();
        assert_eq!(ref_from_prefix::<u64>(bytes), Some(&words[0]));
        assert_eq!(ref_from_prefix::<u64>(&bytes[1..]), None);
        assert_eq!(ref_from_prefix::<u64>(&bytes[..7]), None);
        assert_eq!(slice_from_prefix::<u64>(bytes, 2), Some(&words[..]));
        assert_eq!(slice_from_prefix::<u64>(bytes, 3), None);
        assert_eq!(slice_from_prefix::<u64>(bytes, usize::MAX), None);
        let mut w = [0u64; 2];
        *mut_from_prefix::<u64>(w.as_mut_bytes()).unwrap() = 5;
        mut_slice_from_prefix::<u32>(w.as_mut_bytes(), 4).unwrap()[3] = 6;
        assert_eq!(w[0], 5);
        assert_eq!(w.as_bytes()[12..16], 6u32.to_ne_bytes());
    }
}
