//! `__aligned_u64`: a 64-bit integer aligned to 8 bytes on every ABI (i386 and m68k align a
//! plain `u64` to 4 and 2).

use core::fmt;

use crate::bytes::{AsBytes, FromBytes, Zeroable};

macro_rules! aligned {
    ($name:ident, $t:ty, $c:literal) => {
        zerocopy_derived! {
            #[doc = concat!("`", $c, "`: a `", stringify!($t), "` aligned to 8 bytes on every ABI.")]
            #[repr(C, align(8))]
            #[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
            pub struct $name(pub $t);
        }

        // SAFETY: one 8-byte integer, 8-aligned: no padding, every bit pattern a value.
        unsafe impl Zeroable for $name {}
        unsafe impl FromBytes for $name {}
        unsafe impl AsBytes for $name {}

        impl $name {
            pub const fn new(v: $t) -> Self {
                $name(v)
            }
            pub const fn get(self) -> $t {
                self.0
            }
            pub fn set(&mut self, v: $t) {
                self.0 = v;
            }
        }

        impl From<$t> for $name {
            fn from(v: $t) -> Self {
                $name(v)
            }
        }

        impl From<$name> for $t {
            fn from(v: $name) -> $t {
                v.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
    };
}

aligned!(AlignedU64, u64, "__aligned_u64");
aligned!(AlignedI64, i64, "__s64 __attribute__((aligned(8)))");

const _: () =
    assert!(core::mem::size_of::<AlignedU64>() == 8 && core::mem::align_of::<AlignedU64>() == 8);
const _: () =
    assert!(core::mem::size_of::<AlignedI64>() == 8 && core::mem::align_of::<AlignedI64>() == 8);

/// Zero-sized types of a given alignment: a generated union of bytes holds `[AlignN; 0]`
/// to get the alignment of a member whose type is `aligned(N)` in C (and has padding, so
/// that the member's own type cannot serve).
pub mod align {
    use crate::bytes::{AsBytes, FromBytes, Zeroable};

    macro_rules! align_types {
        ($($name:ident = $n:literal),*) => {$(
            zerocopy_derived! {
                #[doc = concat!("A zero-sized type aligned to ", stringify!($n), " bytes.")]
                #[repr(C, align($n))]
                #[derive(Clone, Copy, Default, Debug, PartialEq, Eq, Hash)]
                pub struct $name;
            }

            // SAFETY: zero-sized.
            unsafe impl Zeroable for $name {}
            unsafe impl FromBytes for $name {}
            unsafe impl AsBytes for $name {}
        )*};
    }

    align_types!(
        A1 = 1,
        A2 = 2,
        A4 = 4,
        A8 = 8,
        A16 = 16,
        A32 = 32,
        A64 = 64,
        A128 = 128,
        A256 = 256,
        A512 = 512,
        A1024 = 1024,
        A2048 = 2048,
        A4096 = 4096
    );
}
