//! The serde form of generated types (the `serde` feature): every struct is a map of its
//! members by their Rust names, arrays of any length and depth are sequences, `__aligned_u64`
//! and packed members are their plain values, a flexible array member is an empty
//! sequence (a [`FlexBuf`](crate::FlexBuf) carries its entries next to the header), and a
//! union is the bytes generated code keeps it in.
//!
//! serde's own array support stops at 32 elements, and uapi structs hold arrays of 64 or
//! 1024; generated members that are arrays name [`array`] in `#[serde(with = ...)]`, which
//! goes through [`Elem`], implemented here for integers and arrays and by generated code for
//! its types.

use core::fmt;
use core::marker::PhantomData;

use crate::bytes::Zeroable;
use serde::de::{Error as _, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{AlignedI64, AlignedU64, FlexArray, Packed};

/// A value that can be an array element in the serde form: integers, [`AlignedU64`],
/// arrays of elements, and (through [`serde_elem!`](crate::serde_elem)) generated types.
pub trait Elem: Zeroable {
    /// Writes the value.
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// Reads a value.
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// Implements [`Elem`] for a type that has serde impls of its own (generated structs).
#[macro_export]
macro_rules! serde_elem {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::serde_form::Elem for $t {
            fn ser<S: $crate::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::serde::Serialize::serialize(self, s)
            }
            fn de<'de, D: $crate::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                <$t as $crate::serde::Deserialize<'de>>::deserialize(d)
            }
        }
    )*};
}

serde_elem!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, bool, AlignedU64,
    AlignedI64
);

impl<T: Elem, const N: usize> Elem for [T; N] {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(N))?;
        for e in self {
            seq.serialize_element(&AsSerialize(e))?;
        }
        seq.end()
    }

    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(ArrayVisitor::<T, N>(PhantomData))
    }
}

/// An [`Elem`] seen through serde's traits.
struct AsSerialize<'a, T>(&'a T);

impl<T: Elem> Serialize for AsSerialize<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.ser(s)
    }
}

struct AsDeserialize<T>(T);

impl<'de, T: Elem> Deserialize<'de> for AsDeserialize<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::de(d).map(AsDeserialize)
    }
}

struct ArrayVisitor<T, const N: usize>(PhantomData<T>);

impl<'de, T: Elem, const N: usize> Visitor<'de> for ArrayVisitor<T, N> {
    type Value = [T; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a sequence of {N} elements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[T; N], A::Error> {
        let mut out = <[T; N]>::zeroed();
        for (i, slot) in out.iter_mut().enumerate() {
            match seq.next_element::<AsDeserialize<T>>()? {
                Some(AsDeserialize(v)) => *slot = v,
                None => return Err(A::Error::invalid_length(i, &self)),
            }
        }
        if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
            return Err(A::Error::invalid_length(N + 1, &self));
        }
        Ok(out)
    }
}

/// `#[serde(with = "::uapigen_runtime::serde_form::array")]` on an array member: a
/// sequence of exactly its length, for any length and depth.
pub mod array {
    use super::{Deserializer, Elem, Serializer};

    /// Writes the array as a sequence.
    pub fn serialize<T: Elem, const N: usize, S: Serializer>(
        v: &[T; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.ser(s)
    }

    /// Reads a sequence of exactly `N` elements.
    pub fn deserialize<'de, T: Elem, const N: usize, D: Deserializer<'de>>(
        d: D,
    ) -> Result<[T; N], D::Error> {
        <[T; N]>::de(d)
    }
}

/// `__aligned_u64` and its signed twin are their plain values.
macro_rules! plain {
    ($($t:ty => $v:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$v>::deserialize(d).map(<$t>::new)
            }
        }
    )*};
}

plain!(AlignedU64 => u64, AlignedI64 => i64);

impl<T: Copy + Elem> Serialize for Packed<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().ser(s)
    }
}

impl<'de, T: Copy + Elem> Deserialize<'de> for Packed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::de(d).map(Packed::new)
    }
}

/// The flexible array member itself holds nothing: an empty sequence.
impl<T> Serialize for FlexArray<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_seq(Some(0))?.end()
    }
}

impl<'de, T> Deserialize<'de> for FlexArray<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Empty;
        impl<'de> Visitor<'de> for Empty {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an empty sequence (a flexible array member holds nothing itself)")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                match seq.next_element::<serde::de::IgnoredAny>()? {
                    None => Ok(()),
                    Some(_) => Err(A::Error::invalid_length(1, &self)),
                }
            }
        }
        d.deserialize_seq(Empty).map(|()| FlexArray::default())
    }
}

#[cfg(feature = "alloc")]
mod flexbuf {
    use alloc::vec::Vec;

    use serde::ser::SerializeStruct;

    use super::*;
    use crate::{FlexBuf, FlexHeader};

    /// A [`FlexBuf`] is its header and its entries (as many as [`FlexBuf::count`] says for
    /// a counted header, else every element the buffer holds).
    impl<H> Serialize for FlexBuf<H>
    where
        H: FlexHeader + Serialize,
        H::Elem: Elem,
    {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("FlexBuf", 2)?;
            st.serialize_field("header", self.header())?;
            st.serialize_field("entries", &Entries(self.elems()))?;
            st.end()
        }
    }

    struct Entries<'a, E>(&'a [E]);

    impl<E: Elem> Serialize for Entries<'_, E> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0.len()))?;
            for e in self.0 {
                seq.serialize_element(&AsSerialize(e))?;
            }
            seq.end()
        }
    }

    struct EntriesVec<E>(Vec<E>);

    impl<'de, E: Elem> Deserialize<'de> for EntriesVec<E> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<E>(PhantomData<E>);
            impl<'de, E: Elem> Visitor<'de> for V<E> {
                type Value = Vec<E>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a sequence of entries")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<E>, A::Error> {
                    let mut out = Vec::new();
                    while let Some(AsDeserialize(e)) = seq.next_element::<AsDeserialize<E>>()? {
                        out.push(e);
                    }
                    Ok(out)
                }
            }
            d.deserialize_seq(V(PhantomData)).map(EntriesVec)
        }
    }

    #[derive(Deserialize)]
    #[serde(crate = "serde", bound = "")]
    struct Parts<H: FlexHeader + for<'a> Deserialize<'a>>
    where
        H::Elem: Elem,
    {
        header: H,
        entries: EntriesVec<H::Elem>,
    }

    /// The header as written, its count field included (the wrappers of a counted struct
    /// check the count against the buffer before any ioctl), then the entries.
    impl<'de, H> Deserialize<'de> for FlexBuf<H>
    where
        H: FlexHeader + for<'a> Deserialize<'a>,
        H::Elem: Elem,
    {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let p = Parts::<H>::deserialize(d)?;
            let mut buf = FlexBuf::new(p.entries.0.len())
                .ok_or_else(|| D::Error::custom("the entries do not fit in memory"))?;
            *buf.header_mut() = p.header;
            for (slot, e) in buf.elems_mut().iter_mut().zip(p.entries.0) {
                *slot = e;
            }
            Ok(buf)
        }
    }
}
