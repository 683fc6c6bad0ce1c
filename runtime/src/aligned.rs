//! `__aligned_u64`: a 64-bit integer aligned to 8 bytes on every ABI (i386 and m68k align a
//! plain `u64` to 4 and 2).

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

macro_rules! aligned {
    ($name:ident, $t:ty, $c:literal) => {
        #[doc = concat!("`", $c, "`: a `", stringify!($t), "` aligned to 8 bytes on every ABI.")]
        #[repr(C, align(8))]
        #[derive(
            Clone,
            Copy,
            Default,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            FromBytes,
            IntoBytes,
            Immutable,
            KnownLayout,
        )]
        pub struct $name(pub $t);

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
