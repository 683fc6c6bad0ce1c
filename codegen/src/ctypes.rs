//! C's own integer types (`int`, `unsigned long`, `char`, `__int128`, ...) and the kernel's
//! typedefs of them (`__kernel_old_dev_t`, `__le32`, `__poll_t`, ...), with what each is on
//! every ABI of [`crate::abi::ABIS`].
//!
//! The typedef table is read off the kernel's `asm/posix_types.h` of each architecture (and
//! `linux/types.h`): the resolved C type of every typedef on every ABI, as Debian's cross
//! headers give it. `tests/tests/c_types.rs` compiles every row for every ABI against those
//! headers and compares size, alignment and signedness.

use crate::abi::Abi;

/// One of C's integer types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CInt {
    /// Plain `char`: signed or unsigned by ABI.
    Char,
    SChar,
    UChar,
    Short,
    UShort,
    Int,
    UInt,
    Long,
    ULong,
    LongLong,
    ULongLong,
    /// `__int128` (`__int128_t`): only on ABIs whose compiler has it.
    Int128,
    UInt128,
}

impl CInt {
    pub const ALL: [CInt; 13] = [
        CInt::Char,
        CInt::SChar,
        CInt::UChar,
        CInt::Short,
        CInt::UShort,
        CInt::Int,
        CInt::UInt,
        CInt::Long,
        CInt::ULong,
        CInt::LongLong,
        CInt::ULongLong,
        CInt::Int128,
        CInt::UInt128,
    ];

    /// How C spells it, as the kernel writes it.
    pub fn c_name(self) -> &'static str {
        match self {
            CInt::Char => "char",
            CInt::SChar => "signed char",
            CInt::UChar => "unsigned char",
            CInt::Short => "short",
            CInt::UShort => "unsigned short",
            CInt::Int => "int",
            CInt::UInt => "unsigned int",
            CInt::Long => "long",
            CInt::ULong => "unsigned long",
            CInt::LongLong => "long long",
            CInt::ULongLong => "unsigned long long",
            CInt::Int128 => "__int128",
            CInt::UInt128 => "unsigned __int128",
        }
    }

    /// The type C's words name, in any of C's spellings (`unsigned`, `long int`, `signed
    /// short`, `__uint128_t`, ...); `None` when they name no integer type.
    pub fn parse(text: &str) -> Option<CInt> {
        match text {
            "__int128_t" => return Some(CInt::Int128),
            "__uint128_t" => return Some(CInt::UInt128),
            _ => {}
        }
        let (mut signed, mut unsigned, mut short, mut long, mut char, mut int, mut i128) =
            (0, 0, 0, 0, 0, 0, 0);
        for w in text.split_whitespace() {
            match w {
                "signed" | "__signed__" => signed += 1,
                "unsigned" => unsigned += 1,
                "short" => short += 1,
                "long" => long += 1,
                "char" => char += 1,
                "int" => int += 1,
                "__int128" => i128 += 1,
                _ => return None,
            }
        }
        if signed + unsigned > 1 || char + int + i128 > 1 || short > 1 || long > 2 {
            return None;
        }
        let u = unsigned == 1;
        let t = match (short, long, char, i128) {
            (0, 0, 1, 0) if signed == 1 => CInt::SChar,
            (0, 0, 1, 0) if u => CInt::UChar,
            (0, 0, 1, 0) => CInt::Char,
            (0, 0, 0, 1) if int == 0 => [CInt::Int128, CInt::UInt128][u as usize],
            (1, 0, 0, 0) => [CInt::Short, CInt::UShort][u as usize],
            (0, 1, 0, 0) => [CInt::Long, CInt::ULong][u as usize],
            (0, 2, 0, 0) => [CInt::LongLong, CInt::ULongLong][u as usize],
            (0, 0, 0, 0) if int + signed + unsigned > 0 => [CInt::Int, CInt::UInt][u as usize],
            _ => return None,
        };
        Some(t)
    }

    /// Whether the ABI's compiler has the type (`__int128` only on 64-bit ABIs, x32 and
    /// mips n32).
    pub fn exists(self, abi: &Abi) -> bool {
        !matches!(self, CInt::Int128 | CInt::UInt128) || abi.int128_align != 0
    }

    pub fn size(self, abi: &Abi) -> u64 {
        match self {
            CInt::Char | CInt::SChar | CInt::UChar => 1,
            CInt::Short | CInt::UShort => 2,
            CInt::Int | CInt::UInt => 4,
            // Every Linux ABI is ILP32 or LP64.
            CInt::Long | CInt::ULong => abi.pointer,
            CInt::LongLong | CInt::ULongLong => 8,
            CInt::Int128 | CInt::UInt128 => 16,
        }
    }

    /// Alignment inside a struct.
    pub fn align(self, abi: &Abi) -> u64 {
        match self {
            CInt::Int128 | CInt::UInt128 => abi.int128_align.max(1),
            t => abi.scalar_align(t.size(abi)),
        }
    }

    pub fn signed(self, abi: &Abi) -> bool {
        match self {
            CInt::Char => abi.char_signed,
            CInt::SChar | CInt::Short | CInt::Int | CInt::Long | CInt::LongLong | CInt::Int128 => {
                true
            }
            _ => false,
        }
    }

    /// The Rust type: `core::ffi`'s, which Rust defines per target as C does; `i128`/`u128`.
    pub fn rust_path(self) -> &'static str {
        match self {
            CInt::Char => "::core::ffi::c_char",
            CInt::SChar => "::core::ffi::c_schar",
            CInt::UChar => "::core::ffi::c_uchar",
            CInt::Short => "::core::ffi::c_short",
            CInt::UShort => "::core::ffi::c_ushort",
            CInt::Int => "::core::ffi::c_int",
            CInt::UInt => "::core::ffi::c_uint",
            CInt::Long => "::core::ffi::c_long",
            CInt::ULong => "::core::ffi::c_ulong",
            CInt::LongLong => "::core::ffi::c_longlong",
            CInt::ULongLong => "::core::ffi::c_ulonglong",
            CInt::Int128 => "i128",
            CInt::UInt128 => "u128",
        }
    }
}

/// A typedef of the kernel's uapi headers (`linux/types.h` and `asm/posix_types.h`), or one
/// of C99's that the compiler's freestanding `<stdint.h>` and `<stddef.h>` define
/// (`uint64_t`, `size_t`), which uapi headers such as `<linux/fuse.h>` use.
#[derive(Clone, Copy, Debug)]
pub struct KernelType {
    pub name: &'static str,
    /// The C type it stands for on most ABIs (asm-generic's choice).
    pub generic: CInt,
    /// The ABIs (names of [`crate::abi::ABIS`]) where it stands for another type.
    pub other: &'static [(&'static [&'static str], CInt)],
    /// The header that defines it when `<linux/types.h>` does not: a spec that uses it lists
    /// that header in its `includes`.
    pub header: Option<&'static str>,
}

impl KernelType {
    /// The C type it stands for on `abi`.
    pub fn base(&self, abi: &Abi) -> CInt {
        self.other
            .iter()
            .find(|(abis, _)| abis.contains(&abi.name))
            .map_or(self.generic, |(_, t)| *t)
    }
}

/// Index into [`KERNEL_TYPES`].
pub type KernelTypeId = u8;

const fn kt(
    name: &'static str,
    generic: CInt,
    other: &'static [(&'static [&'static str], CInt)],
) -> KernelType {
    KernelType {
        name,
        generic,
        other,
        header: None,
    }
}

/// A type of C99's freestanding `header` (`stdint.h`, `stddef.h`).
const fn c99(
    name: &'static str,
    header: &'static str,
    generic: CInt,
    other: &'static [(&'static [&'static str], CInt)],
) -> KernelType {
    KernelType {
        name,
        generic,
        other,
        header: Some(header),
    }
}

use CInt::*;

const ILP32: &[&str] = &[
    "i386", "x32", "arm", "powerpc", "mips", "mipsn32", "m68k", "hppa", "sh4",
];
/// The ABIs whose 16-bit uid/gid/mode (`__kernel_uid_t`, ...) come from the 1990s.
const UID16: &[&str] = &["i386", "arm", "m68k", "sh4"];
const OLD_ID16: &[&str] = &[
    "x86_64", "i386", "x32", "aarch64", "arm", "sparc64", "m68k", "sh4",
];

/// The kernel's typedefs of integer types, as Linux 6.1's headers define them.
pub const KERNEL_TYPES: &[KernelType] = &[
    kt("__le16", UShort, &[]),
    kt("__be16", UShort, &[]),
    kt("__le32", UInt, &[]),
    kt("__be32", UInt, &[]),
    kt("__le64", ULongLong, &[]),
    kt("__be64", ULongLong, &[]),
    kt("__sum16", UShort, &[]),
    kt("__wsum", UInt, &[]),
    kt("__poll_t", UInt, &[]),
    kt("__kernel_long_t", Long, &[(&["x32"], LongLong)]),
    kt("__kernel_ulong_t", ULong, &[(&["x32"], ULongLong)]),
    kt(
        "__kernel_ino_t",
        ULong,
        &[(&["x32"], ULongLong), (&["s390x", "alpha"], UInt)],
    ),
    kt(
        "__kernel_mode_t",
        UInt,
        &[(&["i386", "arm", "m68k", "hppa", "sh4"], UShort)],
    ),
    kt("__kernel_pid_t", Int, &[]),
    kt(
        "__kernel_ipc_pid_t",
        Int,
        &[
            (&["i386", "arm", "m68k", "hppa", "sh4"], UShort),
            (&["powerpc"], Short),
        ],
    ),
    kt("__kernel_uid_t", UInt, &[(UID16, UShort)]),
    kt("__kernel_gid_t", UInt, &[(UID16, UShort)]),
    kt(
        "__kernel_suseconds_t",
        Long,
        &[(&["x32"], LongLong), (&["sparc64"], Int)],
    ),
    kt(
        "__kernel_daddr_t",
        Int,
        &[(&["mips", "mips64", "mipsn32"], Long)],
    ),
    kt("__kernel_uid32_t", UInt, &[]),
    kt("__kernel_gid32_t", UInt, &[]),
    kt("__kernel_old_uid_t", UInt, &[(OLD_ID16, UShort)]),
    kt("__kernel_old_gid_t", UInt, &[(OLD_ID16, UShort)]),
    kt(
        "__kernel_old_dev_t",
        UInt,
        &[
            (&["x86_64", "x32", "ppc64", "ppc64le"], ULong),
            (&["i386", "arm", "s390x", "m68k", "sh4"], UShort),
        ],
    ),
    kt("__kernel_size_t", ULong, &[(ILP32, UInt)]),
    kt("__kernel_ssize_t", Long, &[(ILP32, Int)]),
    kt("__kernel_ptrdiff_t", Long, &[(ILP32, Int)]),
    kt("__kernel_off_t", Long, &[(&["x32"], LongLong)]),
    kt("__kernel_loff_t", LongLong, &[]),
    kt("__kernel_old_time_t", Long, &[(&["x32"], LongLong)]),
    kt("__kernel_time_t", Long, &[(&["x32"], LongLong)]),
    kt("__kernel_time64_t", LongLong, &[]),
    kt("__kernel_clock_t", Long, &[(&["x32"], LongLong)]),
    kt("__kernel_timer_t", Int, &[]),
    kt("__kernel_clockid_t", Int, &[]),
    kt("__kernel_key_t", Int, &[]),
    kt("__kernel_mqd_t", Int, &[]),
    kt("__kernel_uid16_t", UShort, &[]),
    kt("__kernel_gid16_t", UShort, &[]),
    // gcc's and clang's freestanding <stdint.h> and <stddef.h>: `int64_t` is `long` where
    // `long` has 64 bits, `long long` on ILP32 ABIs (x32 and mips n32 included); `size_t`
    // is `__SIZE_TYPE__`, the type of `__kernel_size_t`.
    c99("int8_t", "stdint.h", SChar, &[]),
    c99("uint8_t", "stdint.h", UChar, &[]),
    c99("int16_t", "stdint.h", Short, &[]),
    c99("uint16_t", "stdint.h", UShort, &[]),
    c99("int32_t", "stdint.h", Int, &[]),
    c99("uint32_t", "stdint.h", UInt, &[]),
    c99("int64_t", "stdint.h", Long, &[(ILP32, LongLong)]),
    c99("uint64_t", "stdint.h", ULong, &[(ILP32, ULongLong)]),
    c99("size_t", "stddef.h", ULong, &[(ILP32, UInt)]),
];

/// The kernel typedef of this name.
pub fn kernel_type(name: &str) -> Option<KernelTypeId> {
    KERNEL_TYPES
        .iter()
        .position(|k| k.name == name)
        .and_then(|i| KernelTypeId::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::ABIS;

    #[test]
    fn c_spellings_parse_to_one_type() {
        for (text, t) in [
            ("unsigned", UInt),
            ("signed", Int),
            ("long int", Long),
            ("unsigned long long int", ULongLong),
            ("long unsigned", ULong),
            ("short int", Short),
            ("unsigned short", UShort),
            ("__signed__ char", SChar),
            ("unsigned __int128", UInt128),
            ("__uint128_t", UInt128),
        ] {
            assert_eq!(CInt::parse(text), Some(t), "{text}");
        }
        for bad in [
            "long long long",
            "unsigned signed",
            "short long",
            "char int",
            "float",
            "",
        ] {
            assert_eq!(CInt::parse(bad), None, "{bad}");
        }
        for t in CInt::ALL {
            assert_eq!(CInt::parse(t.c_name()), Some(t));
        }
    }

    #[test]
    fn every_override_names_a_known_abi() {
        for k in KERNEL_TYPES {
            for (abis, _) in k.other {
                for a in *abis {
                    assert!(ABIS.iter().any(|x| x.name == *a), "{}: {a}", k.name);
                }
            }
        }
    }
}
