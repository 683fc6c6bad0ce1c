//! The Linux ABIs uapigen models: scalar sizes and alignments, and the ioctl encoding.
//!
//! Facts come from the kernel's `arch/*/include/uapi/asm/ioctl.h` and the compilers' ABI
//! documents; the conformance tests prove each row against the real headers and compilers.

use crate::spec::Dir;

/// How `_IOC(dir, type, nr, size)` packs its fields on an architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IoctlEncoding {
    pub size_bits: u32,
    pub dir_bits: u32,
    pub none: u32,
    pub read: u32,
    pub write: u32,
    /// `_IOC` casts its result to `unsigned int` (alpha); elsewhere the result has the type
    /// C gives the OR of its parts (`unsigned long` for `_IOR`, whose size is a `sizeof`).
    pub uint_cast: bool,
}

impl IoctlEncoding {
    /// asm-generic: x86, arm, arm64, riscv, s390, m68k, sh, ...
    pub const GENERIC: IoctlEncoding = IoctlEncoding {
        size_bits: 14,
        dir_bits: 2,
        none: 0,
        read: 2,
        write: 1,
        uint_cast: false,
    };
    /// powerpc, mips, sparc.
    pub const THREE_DIR_BITS: IoctlEncoding = IoctlEncoding {
        size_bits: 13,
        dir_bits: 3,
        none: 1,
        read: 2,
        write: 4,
        uint_cast: false,
    };
    /// alpha: the three direction bits, and an `unsigned int` cast around `_IOC`.
    pub const ALPHA: IoctlEncoding = IoctlEncoding {
        uint_cast: true,
        ..IoctlEncoding::THREE_DIR_BITS
    };
    /// parisc: read and write swapped.
    pub const PARISC: IoctlEncoding = IoctlEncoding {
        size_bits: 14,
        dir_bits: 2,
        none: 0,
        read: 1,
        write: 2,
        uint_cast: false,
    };

    /// The largest argument size the encoding can carry.
    pub fn max_size(&self) -> u64 {
        (1u64 << self.size_bits) - 1
    }

    pub fn dir_bits_for(&self, dir: Dir) -> u32 {
        match dir {
            Dir::None => self.none,
            Dir::Read => self.read,
            Dir::Write => self.write,
            Dir::ReadWrite => self.read | self.write,
        }
    }

    /// `_IOC(dir, type, nr, size)`. The caller checks ranges first.
    pub fn encode(&self, dir: Dir, ty: u32, nr: u32, size: u64) -> u32 {
        let size = size as u32;
        (self.dir_bits_for(dir) << (16 + self.size_bits)) | (size << 16) | (ty << 8) | nr
    }
}

/// One Linux ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Abi {
    /// Our name, e.g. `x86_64`, `i386`.
    pub name: &'static str,
    /// Debian architecture of the cross headers (`linux-libc-dev-<arch>-cross`).
    pub debian: &'static str,
    /// GNU triplet of the headers' directory under /usr and of Debian's cross gcc.
    pub triplet: &'static str,
    /// `clang --target=` value, where clang has a backend that implements the Linux ABI.
    /// `None`: use Debian's cross gcc (`<triplet>-gcc`). clang 19 has an m68k backend, but
    /// it aligns `int` to 4 and `long long` to 8 where gcc and Linux/m68k use 2
    /// (llvm/llvm-project#144740, after clang 19, fixes `int` only), so m68k is `None`.
    pub clang: Option<&'static str>,
    /// The compiler macro that selects this ABI in the C assertion file.
    pub c_cond: &'static str,
    /// Rust `cfg` predicate for targets of this ABI, where Rust has such targets.
    pub rust_cfg: Option<&'static str>,
    pub pointer: u64,
    /// Alignment of a 64-bit integer inside a struct.
    pub align_u64: u64,
    /// Largest alignment any scalar gets (m68k: 2).
    pub max_align: u64,
    /// Whether plain `char` is signed.
    pub char_signed: bool,
    /// Alignment of `__int128`; 0 where the compiler has no 128-bit integer (32-bit ABIs
    /// but x32 and mips n32).
    pub int128_align: u64,
    pub ioctl: IoctlEncoding,
}

impl Abi {
    pub fn scalar_align(&self, size: u64) -> u64 {
        let natural = if size == 8 { self.align_u64 } else { size };
        natural.min(self.max_align)
    }
}

/// One row of [`ABIS`], positional so that the table stays a table.
#[allow(clippy::too_many_arguments)]
const fn abi(
    name: &'static str,
    debian: &'static str,
    triplet: &'static str,
    clang: Option<&'static str>,
    c_cond: &'static str,
    rust_cfg: Option<&'static str>,
    pointer: u64,
    align_u64: u64,
    max_align: u64,
    char_signed: bool,
    int128_align: u64,
    ioctl: IoctlEncoding,
) -> Abi {
    Abi {
        name,
        debian,
        triplet,
        clang,
        c_cond,
        rust_cfg,
        pointer,
        align_u64,
        max_align,
        char_signed,
        int128_align,
        ioctl,
    }
}

use IoctlEncoding as E;

/// Every ABI uapigen knows, x86_64 first.
pub const ABIS: &[Abi] = &[
    abi(
        "x86_64",
        "amd64",
        "x86_64-linux-gnu",
        Some("x86_64-linux-gnu"),
        "defined(__x86_64__) && defined(__LP64__)",
        Some(r#"all(target_arch = "x86_64", target_pointer_width = "64")"#),
        8,
        8,
        8,
        true,
        16,
        E::GENERIC,
    ),
    abi(
        "i386",
        "i386",
        "i686-linux-gnu",
        Some("i686-linux-gnu"),
        "defined(__i386__)",
        Some(r#"target_arch = "x86""#),
        4,
        4,
        8,
        true,
        0,
        E::GENERIC,
    ),
    abi(
        "x32",
        "x32",
        "x86_64-linux-gnux32",
        Some("x86_64-linux-gnux32"),
        "defined(__x86_64__) && defined(__ILP32__)",
        Some(r#"all(target_arch = "x86_64", target_pointer_width = "32")"#),
        4,
        8,
        8,
        true,
        16,
        E::GENERIC,
    ),
    abi(
        "aarch64",
        "arm64",
        "aarch64-linux-gnu",
        Some("aarch64-linux-gnu"),
        "defined(__aarch64__)",
        Some(r#"target_arch = "aarch64""#),
        8,
        8,
        8,
        false,
        16,
        E::GENERIC,
    ),
    abi(
        "arm",
        "armhf",
        "arm-linux-gnueabihf",
        Some("armv7a-linux-gnueabihf"),
        "defined(__arm__)",
        Some(r#"target_arch = "arm""#),
        4,
        8,
        8,
        false,
        0,
        E::GENERIC,
    ),
    abi(
        "powerpc",
        "powerpc",
        "powerpc-linux-gnu",
        Some("powerpc-linux-gnu"),
        "defined(__powerpc__) && !defined(__powerpc64__)",
        Some(r#"target_arch = "powerpc""#),
        4,
        8,
        8,
        false,
        0,
        E::THREE_DIR_BITS,
    ),
    abi(
        "ppc64",
        "ppc64",
        "powerpc64-linux-gnu",
        Some("powerpc64-linux-gnu"),
        "defined(__powerpc64__) && defined(__BIG_ENDIAN__)",
        Some(r#"all(target_arch = "powerpc64", target_endian = "big")"#),
        8,
        8,
        8,
        false,
        16,
        E::THREE_DIR_BITS,
    ),
    abi(
        "ppc64le",
        "ppc64el",
        "powerpc64le-linux-gnu",
        Some("powerpc64le-linux-gnu"),
        "defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)",
        Some(r#"all(target_arch = "powerpc64", target_endian = "little")"#),
        8,
        8,
        8,
        false,
        16,
        E::THREE_DIR_BITS,
    ),
    abi(
        "mips",
        "mips",
        "mips-linux-gnu",
        Some("mips-linux-gnu"),
        "defined(__mips__) && _MIPS_SIM == _ABIO32",
        Some(r#"target_arch = "mips""#),
        4,
        8,
        8,
        true,
        0,
        E::THREE_DIR_BITS,
    ),
    abi(
        "mips64",
        "mips64el",
        "mips64el-linux-gnuabi64",
        Some("mips64el-linux-gnuabi64"),
        "defined(__mips__) && _MIPS_SIM == _ABI64",
        Some(r#"all(target_arch = "mips64", target_pointer_width = "64")"#),
        8,
        8,
        8,
        true,
        16,
        E::THREE_DIR_BITS,
    ),
    abi(
        "mipsn32",
        "mipsn32",
        "mips64-linux-gnuabin32",
        Some("mips64-linux-gnuabin32"),
        "defined(__mips__) && _MIPS_SIM == _ABIN32",
        Some(r#"all(target_arch = "mips64", target_pointer_width = "32")"#),
        4,
        8,
        8,
        true,
        16,
        E::THREE_DIR_BITS,
    ),
    abi(
        "s390x",
        "s390x",
        "s390x-linux-gnu",
        Some("s390x-linux-gnu"),
        "defined(__s390x__)",
        Some(r#"target_arch = "s390x""#),
        8,
        8,
        8,
        false,
        8,
        E::GENERIC,
    ),
    abi(
        "riscv64",
        "riscv64",
        "riscv64-linux-gnu",
        Some("riscv64-linux-gnu"),
        "defined(__riscv) && __riscv_xlen == 64",
        Some(r#"target_arch = "riscv64""#),
        8,
        8,
        8,
        false,
        16,
        E::GENERIC,
    ),
    abi(
        "sparc64",
        "sparc64",
        "sparc64-linux-gnu",
        Some("sparc64-linux-gnu"),
        "defined(__sparc__) && defined(__arch64__)",
        Some(r#"target_arch = "sparc64""#),
        8,
        8,
        8,
        true,
        16,
        E::THREE_DIR_BITS,
    ),
    abi(
        "m68k",
        "m68k",
        "m68k-linux-gnu",
        None,
        "defined(__m68k__)",
        Some(r#"target_arch = "m68k""#),
        4,
        2,
        2,
        true,
        0,
        E::GENERIC,
    ),
    abi(
        "alpha",
        "alpha",
        "alpha-linux-gnu",
        None,
        "defined(__alpha__)",
        None,
        8,
        8,
        8,
        true,
        16,
        E::ALPHA,
    ),
    abi(
        "hppa",
        "hppa",
        "hppa-linux-gnu",
        None,
        "defined(__hppa__)",
        None,
        4,
        8,
        8,
        true,
        0,
        E::PARISC,
    ),
    abi(
        "sh4",
        "sh4",
        "sh4-linux-gnu",
        None,
        "defined(__sh__)",
        None,
        4,
        4,
        8,
        true,
        0,
        E::GENERIC,
    ),
];

/// The ABIs (indices into [`ABIS`]) split into groups with an equal `key`, in the order
/// each group first appears.
pub fn group_by<K: PartialEq>(
    abis: impl IntoIterator<Item = usize>,
    key: impl Fn(usize) -> K,
) -> Vec<(K, Vec<usize>)> {
    let mut groups: Vec<(K, Vec<usize>)> = Vec::new();
    for i in abis {
        let k = key(i);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push(i),
            None => groups.push((k, vec![i])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from DESIGN.md: `_IO(';', 100)` is 0x3b64 on x86_64 and 0x20003b64 on powerpc64.
    #[test]
    fn io_encoding_matches_the_kernel_examples() {
        assert_eq!(E::GENERIC.encode(Dir::None, 0x3b, 100, 0), 0x3b64);
        assert_eq!(
            E::THREE_DIR_BITS.encode(Dir::None, 0x3b, 100, 0),
            0x2000_3b64
        );
        // _IOR('f', 1, long) on x86_64 (FS_IOC_GETFLAGS) is 0x80086601.
        assert_eq!(E::GENERIC.encode(Dir::Read, b'f' as u32, 1, 8), 0x8008_6601);
        // ... and 0x40086601 on powerpc64.
        assert_eq!(
            E::THREE_DIR_BITS.encode(Dir::Read, b'f' as u32, 1, 8),
            0x4008_6601
        );
    }
}
