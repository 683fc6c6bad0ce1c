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
    /// Whether a bit-field's type places it and aligns the struct (GCC's
    /// `PCC_BITFIELD_TYPE_MATTERS`): on every ABI but m68k, where bit-fields follow each
    /// other bit by bit and leave the struct's alignment alone (m68k-linux-gnu-gcc:
    /// `struct { char c; unsigned a:30; }` is 5 bytes, 1-aligned).
    pub fn bitfield_type_matters(&self) -> bool {
        self.name != "m68k"
    }

    /// The alignment a bit-field at bit `pos` of `width` bits takes as a plain field of an
    /// integer mode (8, 16, 32 or 64 bits wide, on a boundary of the mode's alignment, which
    /// is more than a byte; GCC's `layout_decl`), else `None`. It shows only where the
    /// bit-field's type does not already align the struct (m68k).
    pub fn bitfield_mode_align(&self, pos: u64, width: u64) -> Option<u64> {
        if !matches!(width, 16 | 32 | 64) {
            return None;
        }
        let a = self.scalar_align(width / 8);
        (a > 1 && pos.is_multiple_of(8 * a)).then_some(a)
    }

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

/// A set of ABIs (bit `i` is [`ABIS`]`[i]`): where an item exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbiSet(u32);

/// The kernel's architecture names (`arch/<name>/`) and the ABIs of each, with the C and
/// Rust conditions that hold on all of them where one simpler than the ABIs' own exists.
pub const ARCHES: &[Arch] = &[
    Arch::new("x86", &["x86_64", "i386", "x32"]).conds(
        "defined(__i386__) || defined(__x86_64__)",
        r#"any(target_arch = "x86", target_arch = "x86_64")"#,
    ),
    Arch::new("arm64", &["aarch64"]),
    Arch::new("arm", &["arm"]),
    Arch::new("powerpc", &["powerpc", "ppc64", "ppc64le"]).conds(
        "defined(__powerpc__)",
        r#"any(target_arch = "powerpc", target_arch = "powerpc64")"#,
    ),
    Arch::new("mips", &["mips", "mips64", "mipsn32"]).conds(
        "defined(__mips__)",
        r#"any(target_arch = "mips", target_arch = "mips64")"#,
    ),
    Arch::new("s390", &["s390x"]),
    Arch::new("riscv", &["riscv64"]),
    Arch::new("sparc", &["sparc64"]),
    Arch::new("m68k", &["m68k"]),
    Arch::new("alpha", &["alpha"]),
    Arch::new("parisc", &["hppa"]),
    Arch::new("sh", &["sh4"]),
];

/// Names an `arch` list gives ABIs whose own names are those of their architecture.
const ABI_ALIASES: &[(&str, &str)] = &[("powerpc32", "powerpc"), ("mips32", "mips")];

/// The name an `arch` list knows an ABI by.
pub(crate) fn abi_name(abi: &'static str) -> &'static str {
    ABI_ALIASES
        .iter()
        .find(|(_, a)| *a == abi)
        .map_or(abi, |(alias, _)| alias)
}

/// A kernel architecture: a name of `arch/` and the ABIs uapigen models for it.
#[derive(Clone, Copy, Debug)]
pub struct Arch {
    pub name: &'static str,
    pub abis: &'static [&'static str],
    /// A C condition true on exactly these ABIs (among those modelled), when simpler.
    pub c_cond: Option<&'static str>,
    /// A Rust `cfg` predicate true on the targets of exactly these ABIs, when simpler.
    pub rust_cfg: Option<&'static str>,
}

impl Arch {
    const fn new(name: &'static str, abis: &'static [&'static str]) -> Arch {
        Arch {
            name,
            abis,
            c_cond: None,
            rust_cfg: None,
        }
    }

    const fn conds(self, c: &'static str, rust: &'static str) -> Arch {
        Arch {
            c_cond: Some(c),
            rust_cfg: Some(rust),
            ..self
        }
    }

    /// Its ABIs as a set.
    pub fn set(&self) -> AbiSet {
        self.abis
            .iter()
            .filter_map(|n| ABIS.iter().position(|a| a.name == *n))
            .fold(AbiSet::EMPTY, |s, i| s | AbiSet::one(i))
    }
}

impl AbiSet {
    /// Every ABI.
    pub const ALL: AbiSet = AbiSet((1 << ABIS.len()) - 1);
    pub const EMPTY: AbiSet = AbiSet(0);

    pub fn one(abi: usize) -> AbiSet {
        AbiSet(1 << abi)
    }

    /// The ABIs of a kernel architecture name (`x86`) or one ABI by its name (`x86_64`).
    /// `powerpc` and `mips` name the architectures; their 32-bit ABIs alone are
    /// `powerpc32` and `mips32`.
    pub fn named(name: &str) -> Option<AbiSet> {
        if let Some((_, abi)) = ABI_ALIASES.iter().find(|(alias, _)| *alias == name) {
            return ABIS.iter().position(|a| a.name == *abi).map(AbiSet::one);
        }
        match ARCHES.iter().find(|a| a.name == name) {
            Some(a) => Some(a.set()),
            None => ABIS.iter().position(|a| a.name == name).map(AbiSet::one),
        }
    }

    /// Every name [`AbiSet::named`] knows, architectures first.
    pub fn names() -> impl Iterator<Item = &'static str> {
        ARCHES
            .iter()
            .map(|a| a.name)
            .chain(ABIS.iter().map(|a| abi_name(a.name)))
    }

    /// The conditions that together hold on exactly these ABIs: an architecture's own
    /// where the set holds all of its ABIs and it has one, else each ABI's (`None` for an
    /// ABI without one, such as a Rust target that does not exist).
    fn conds(
        self,
        arch: impl Fn(&Arch) -> Option<&'static str>,
        abi: impl Fn(&Abi) -> Option<&'static str>,
    ) -> Vec<&'static str> {
        let mut out = Vec::new();
        for a in ARCHES {
            let set = a.set();
            match arch(a) {
                Some(c) if set.within(self) => out.push(c),
                _ => out.extend((set & self).iter().filter_map(|i| abi(&ABIS[i]))),
            }
        }
        out.dedup();
        out
    }

    /// The Rust `cfg` predicate that holds on the targets of exactly these ABIs; `None`
    /// for every ABI. A set without a Rust target gives `any()`, which never holds.
    pub fn rust_pred(self) -> Option<String> {
        if self.is_all() {
            return None;
        }
        let conds = self.conds(|a| a.rust_cfg, |a| a.rust_cfg);
        Some(match conds.as_slice() {
            [one] => (*one).to_owned(),
            // An architecture's own `any(...)` joins the list rather than nesting in it.
            _ => {
                let flat: Vec<&str> = conds
                    .iter()
                    .map(|c| {
                        c.strip_prefix("any(")
                            .and_then(|c| c.strip_suffix(')'))
                            .unwrap_or(c)
                    })
                    .collect();
                format!("any({})", flat.join(", "))
            }
        })
    }

    pub fn contains(self, abi: usize) -> bool {
        abi < 32 && self.0 & (1 << abi) != 0
    }

    pub fn is_all(self) -> bool {
        self == AbiSet::ALL
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every ABI of `self` is in `other`.
    pub fn within(self, other: AbiSet) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn overlaps(self, other: AbiSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The ABIs (indices into [`ABIS`]), in table order.
    pub fn iter(self) -> impl Iterator<Item = usize> + Clone {
        (0..ABIS.len()).filter(move |&i| self.contains(i))
    }

    /// The names of the ABIs, for messages (`x86_64, i386`).
    pub fn describe(self) -> String {
        self.iter()
            .map(|i| abi_name(ABIS[i].name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The architectures of the set, for messages (`x86`, `arm64`): an architecture's name
    /// where the set holds all of its ABIs, else the names of its ABIs (`powerpc32`).
    pub fn describe_arches(self) -> String {
        let mut out: Vec<&str> = Vec::new();
        for a in ARCHES {
            let set = a.set();
            if !set.is_empty() && set.within(self) {
                out.push(a.name);
            } else {
                out.extend((set & self).iter().map(|i| abi_name(ABIS[i].name)));
            }
        }
        out.dedup();
        out.join(", ")
    }

    /// The C preprocessor condition that holds exactly on these ABIs; `None` for every ABI.
    pub fn c_cond(self) -> Option<String> {
        if self.is_all() {
            return None;
        }
        let conds = self.conds(|a| a.c_cond, |a| Some(a.c_cond));
        Some(match conds.as_slice() {
            [] => "0".to_owned(),
            [one] => (*one).to_owned(),
            _ => conds
                .iter()
                .map(|c| match c.contains(' ') {
                    true => format!("({c})"),
                    false => (*c).to_owned(),
                })
                .collect::<Vec<_>>()
                .join(" || "),
        })
    }
}

impl std::ops::BitOr for AbiSet {
    type Output = AbiSet;
    fn bitor(self, o: AbiSet) -> AbiSet {
        AbiSet(self.0 | o.0)
    }
}

impl std::ops::BitAnd for AbiSet {
    type Output = AbiSet;
    fn bitand(self, o: AbiSet) -> AbiSet {
        AbiSet(self.0 & o.0)
    }
}

impl std::ops::Not for AbiSet {
    type Output = AbiSet;
    fn not(self) -> AbiSet {
        AbiSet(!self.0 & AbiSet::ALL.0)
    }
}

impl Default for AbiSet {
    fn default() -> Self {
        AbiSet::ALL
    }
}

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

    /// Every ABI is in exactly one architecture, and the names resolve.
    #[test]
    fn arches_partition_the_abis() {
        let mut seen = AbiSet::EMPTY;
        for a in ARCHES {
            let set = AbiSet::named(a.name).unwrap_or(AbiSet::EMPTY);
            assert_eq!(set.iter().count(), a.abis.len(), "{}", a.name);
            assert!(!set.overlaps(seen), "{}", a.name);
            seen = seen | set;
        }
        assert!(seen.is_all());
        assert_eq!(AbiSet::named("aarch64"), AbiSet::named("arm64"));
        assert_eq!(AbiSet::named("arm64x"), None);
        // `powerpc` is the architecture (three ABIs); its 32-bit ABI alone is `powerpc32`.
        assert_eq!(AbiSet::named("powerpc").map(|s| s.iter().count()), Some(3));
        assert_eq!(
            AbiSet::named("powerpc32").map(|s| s.describe()),
            Some("powerpc32".into())
        );
        assert_eq!(
            AbiSet::named("mips32").map(|s| s.describe()),
            Some("mips32".into())
        );
    }

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
