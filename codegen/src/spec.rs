//! The spec format as written in YAML: the AST that `parse` produces.
//!
//! Every value a diagnostic may point at is wrapped in [`Sp`], which keeps the YAML
//! location. The JSON schema of the format (`spec/schema.json`) is derived from these types.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

mod caps;
#[cfg(feature = "schema")]
mod schema;
mod span;
pub use caps::{CapVariant, Caps};
pub use span::{Sp, Span};

pub use crate::expr_text::ExprText;

/// Lint rules allowed on an item, each with the reason: `allow: { L0101: "why" }`. The
/// entries keep the order and the locations they were written with (duplicate keys are a
/// YAML error); the resolver checks the rule IDs and the reasons.
#[derive(Clone, Debug, Default)]
pub struct Allow(pub Vec<AllowEntry>);

/// One entry of an [`Allow`].
#[derive(Clone, Debug)]
pub struct AllowEntry {
    /// The rule ID, e.g. `L0101`.
    pub rule: Sp<String>,
    /// Why the finding is acceptable here.
    pub reason: Sp<String>,
}

impl<'de> Deserialize<'de> for Allow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Allow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Allow, A::Error> {
                let mut entries = Vec::new();
                while let Some((rule, reason)) = map.next_entry::<Sp<String>, Sp<String>>()? {
                    entries.push(AllowEntry { rule, reason });
                }
                Ok(Allow(entries))
            }
        }
        d.deserialize_map(V)
    }
}

/// Written back as the map it was read from (the schema's `default` of an absent `allow`
/// is its serialization: `{}`).
impl serde::Serialize for Allow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for e in &self.0 {
            map.serialize_entry(&e.rule.value, &e.reason.value)?;
        }
        map.end()
    }
}

/// One uapi header.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[cfg_attr(feature = "schema", schemars(title = "uapigen spec"))]
pub struct Spec {
    /// Rust module name; also the stem of the generated file names.
    pub name: Sp<String>,
    /// Path of the C header below `include/`, e.g. `linux/vfio.h`.
    pub header: Sp<String>,
    /// Header guard macro; derived from `header` when absent.
    #[serde(default)]
    pub guard: Option<Sp<String>>,
    /// Prefix stripped from C names to form Rust names (`vfio`: `VFIO_BASE` -> `BASE`).
    #[serde(default)]
    pub prefix: Option<Sp<String>>,
    /// The license of the generated header, an SPDX expression (`MIT OR Apache-2.0`,
    /// `GPL-2.0 WITH Linux-syscall-note` for a header meant for the kernel): its first line
    /// is `/* SPDX-License-Identifier: ... */`.
    #[serde(default)]
    pub license: Option<Sp<String>>,
    /// Where the facts of this spec come from, e.g. a kernel version and path.
    #[serde(default)]
    pub source: Option<String>,
    /// What this interface is for.
    #[serde(default)]
    pub doc: Option<String>,
    /// Other specs (by `name`, found next to this file) whose constants and types this one
    /// refers to; their headers are included and their Rust modules referred to.
    #[serde(default)]
    pub uses: Vec<Sp<String>>,
    /// Architectures the header exists on (kernel names such as `x86` and `arm64`, or ABI
    /// names such as `x86_64`); default: every ABI uapigen models. Each item may narrow it.
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    /// System kernel headers that are not specs (`linux/virtio_ring.h`), included by the
    /// generated C header after `<linux/types.h>`, in this order, as the real header does.
    /// Nothing of theirs reaches the Rust output: the spec's items must not refer to them,
    /// except C99's types of the compiler's freestanding `stdint.h` (`uint64_t`) and
    /// `stddef.h` (`size_t`), which a spec that uses them lists here.
    #[serde(default)]
    pub includes: Vec<Sp<String>>,
    #[serde(default)]
    pub constants: Vec<Constant>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub flags: Vec<FlagSet>,
    #[serde(default)]
    pub enums: Vec<Enum>,
    /// The header's own typedefs of integer types (`typedef int __kernel_rwf_t;`) and of
    /// structs and unions (`typedef struct atreq atreq_t;`): members name them, the C header
    /// defines them, Rust gets a type alias.
    #[serde(default)]
    pub typedefs: Vec<Typedef>,
    #[serde(default)]
    pub structs: Vec<Struct>,
    #[serde(default)]
    pub ioctls: Vec<Ioctl>,
    /// The kinds of file descriptor the ioctls are called on (KVM's system, VM and vCPU
    /// fds): each becomes a Rust type (`VmFd`) with a method per ioctl it takes.
    #[serde(default)]
    pub fds: Vec<FdKind>,
    /// Function-like macros: `#define NAME(x) (body)` in C, a `const fn` in Rust.
    #[serde(default)]
    pub macros: Vec<Macro>,
    /// The header's own wrappers of `_IO`/`_IOR`/`_IOW`/`_IOWR` with the type byte given
    /// (`#define SECCOMP_IOWR(nr, type) _IOWR(SECCOMP_IOC_MAGIC, nr, type)`), for ioctls
    /// that name them in `macro`.
    #[serde(default)]
    pub ioctl_macros: Vec<IoctlMacro>,
}

/// `typedef TYPE NAME;` of an integer type.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Typedef {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    /// The type it names: an integer type (`u32`, `int`, `unsigned long`, `__kernel_pid_t`,
    /// `uint64_t`, ...) or a struct or union of the spec (`struct atreq`, `union NAME`).
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    /// Architectures it exists on (default: the spec's).
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    /// The header defines the name as a macro of the integer type (`#define lirc_t int`),
    /// not with `typedef`: the C header prints `#define NAME TYPE`.
    #[serde(default, rename = "macro")]
    pub is_macro: Option<Sp<bool>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// A header's own ioctl number macro: `_IO*` of `dir` with the type byte `type`, taking
/// the number (and, but for `dir: none`, the argument type).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IoctlMacro {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    /// Which of `_IO`, `_IOR`, `_IOW` and `_IOWR` it expands to.
    pub dir: Sp<Dir>,
    /// Expression for the type byte.
    #[serde(rename = "type")]
    pub ty: Sp<ExprText>,
    #[serde(default)]
    pub doc: Option<String>,
}

/// A small function-like macro over integers: `#define NAME(a, b) (body)` in C and
/// `pub const fn name(a: T, b: T) -> R` in Rust, where `T` is the parameters' `type` and `R`
/// the C type of the body when the arguments have type `T`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Macro {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    /// The parameters' names, at least one.
    pub params: Sp<Vec<Sp<String>>>,
    /// The integer type the arguments are taken to have (u8 ... u64, s8 ... s64): the Rust
    /// parameters' type. Default: u32.
    #[serde(default, rename = "type")]
    pub ty: Option<Sp<String>>,
    /// An integer expression over the parameters and the spec's values.
    pub body: Sp<ExprText>,
    #[serde(default)]
    pub doc: Option<String>,
    /// The Rust function's name (default: the C name without the prefix, in snake_case).
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// A constant: an integer expression or a string.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Constant {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default)]
    pub value: Option<Sp<ExprText>>,
    #[serde(default)]
    pub string: Option<Sp<String>>,
    /// Integer type: u8, u16, u32, u64, s8, s16, s32 or s64.
    #[serde(default, rename = "type")]
    pub ty: Option<Sp<String>>,
    /// Architectures this item exists on: kernel names (`x86`, `arm64`, `arm`, `powerpc`,
    /// `mips`, `s390`, `riscv`, `sparc`, `m68k`, `alpha`, `parisc`, `sh`) or ABI names
    /// (`x86_64`, `i386`, `aarch64`, ...). Default: the spec's. Items of one name may be
    /// declared once per architecture when their lists do not overlap.
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// A named group of values (what an `op` or `type` field may hold).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Group {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default, rename = "type")]
    pub ty: Option<Sp<String>>,
    /// Architectures this item exists on: kernel names (`x86`, `arm64`, `arm`, `powerpc`,
    /// `mips`, `s390`, `riscv`, `sparc`, `m68k`, `alpha`, `parisc`, `sh`) or ABI names
    /// (`x86_64`, `i386`, `aarch64`, ...). Default: the spec's. One declaration per name.
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
    pub values: Vec<GroupValue>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GroupValue {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    pub value: Sp<ExprText>,
    /// Architectures this value exists on, within its set's (default: the set's).
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// A flag set: single bits, masks and multi-bit fields of one flags field.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FlagSet {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default, rename = "type")]
    pub ty: Option<Sp<String>>,
    /// Architectures this item exists on: kernel names (`x86`, `arm64`, `arm`, `powerpc`,
    /// `mips`, `s390`, `riscv`, `sparc`, `m68k`, `alpha`, `parisc`, `sh`) or ABI names
    /// (`x86_64`, `i386`, `aarch64`, ...). Default: the spec's. One declaration per name.
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
    pub bits: Vec<FlagBit>,
    /// Lint rules allowed here, each with the reason (`{ L0101: "why" }`).
    #[serde(default)]
    pub allow: Allow,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FlagBit {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    /// Bit position: the flag is `1 << bit`.
    #[serde(default)]
    pub bit: Option<Sp<ExprText>>,
    /// Any value instead of a single bit: a mask, a multi-bit field or zero.
    #[serde(default)]
    pub value: Option<Sp<ExprText>>,
    /// Architectures this value exists on, within its set's (default: the set's).
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// A C enum; anonymous when `name` is absent.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Enum {
    #[serde(default)]
    pub name: Option<Sp<String>>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    /// Architectures this item exists on: kernel names (`x86`, `arm64`, `arm`, `powerpc`,
    /// `mips`, `s390`, `riscv`, `sparc`, `m68k`, `alpha`, `parisc`, `sh`) or ABI names
    /// (`x86_64`, `i386`, `aarch64`, ...). Default: the spec's. One declaration per name.
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
    /// For an enum without a `name`: declared `typedef enum { ... } TYPEDEF;`, so that
    /// `TYPEDEF` names its type (the integer type C gives it).
    #[serde(default)]
    pub typedef: Option<Sp<String>>,
    pub values: Sp<Vec<EnumValue>>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EnumValue {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default)]
    pub value: Option<Sp<ExprText>>,
    /// Architectures this value exists on, within its set's (default: the set's).
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// Struct or union.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    #[default]
    Struct,
    Union,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Struct {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default)]
    pub kind: Option<Sp<Kind>>,
    /// Architectures this item exists on: kernel names (`x86`, `arm64`, `arm`, `powerpc`,
    /// `mips`, `s390`, `riscv`, `sparc`, `m68k`, `alpha`, `parisc`, `sh`) or ABI names
    /// (`x86_64`, `i386`, `aarch64`, ...). Default: the spec's. Items of one name may be
    /// declared once per architecture when their lists do not overlap.
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
    pub fields: Vec<Field>,
    /// `__attribute__((packed))`: no padding, every member at alignment 1, the type too.
    #[serde(default)]
    pub packed: bool,
    /// `__attribute__((aligned(N)))`: the type is at least N-aligned (a power of two up to
    /// 4096); its size is a multiple of it.
    #[serde(default)]
    pub aligned: Option<Sp<u64>>,
    /// Lint rules allowed here, each with the reason (`{ L0101: "why" }`).
    #[serde(default)]
    pub allow: Allow,
    /// The struct grows over time: its size travels in a field.
    #[serde(default)]
    pub extensible: Option<Extensible>,
    /// What a trailing `data[]`, a union member or a user pointer holds, selected by a tag.
    #[serde(default)]
    pub payload: Option<Payload>,
    /// A capability chain behind the struct (VFIO INFO ioctls).
    #[serde(default)]
    pub caps: Option<Caps>,
    /// The kernel's checks of field values beyond flags and reserved fields: bit groups,
    /// bits that exclude or require others, non-zero fields, overflow-safe sums.
    #[serde(default)]
    pub rules: Vec<ArgRule>,
    /// Limits known only at run time (the IRQs of an index), which the caller passes to
    /// `validate_with`; rules name them as `runtime NAME` in `max` and `below`.
    #[serde(default)]
    pub runtime: Vec<RuntimeLimit>,
    /// No tag: the header declares `typedef struct { ... } NAME;` and C names it `NAME`.
    #[serde(default)]
    pub tagless: bool,
}

/// A run-time limit of a struct's rules: a `__u64` parameter of its `validate_with`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuntimeLimit {
    /// The parameter's name (a lowercase identifier: `num_irqs`).
    pub name: Sp<String>,
    #[serde(default)]
    pub doc: Option<String>,
}

/// How the kernel treats the size field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    /// VFIO: the kernel reads `minsz` bytes and rejects `argsz < minsz` with EINVAL; bytes
    /// past what it knows are ignored. Unknown flags and non-zero reserved fields: EINVAL.
    Minsz,
    /// IOMMUFD (`copy_struct_from_user`): shorter input (down to the minimum) is
    /// zero-extended; non-zero bytes past what the kernel knows give E2BIG. Unknown flags and
    /// non-zero reserved fields: EOPNOTSUPP.
    CopyStruct,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Extensible {
    /// The field holding the size of the whole argument (`argsz` or `size`), first.
    pub size_field: Sp<String>,
    pub style: Sp<Style>,
    /// The field whose unknown bits are rejected (default: the field with a flag set).
    #[serde(default)]
    pub flags_field: Option<Sp<String>>,
    /// Every flag bit this revision knows (default: all values of that field's flag set).
    #[serde(default)]
    pub known_flags: Option<Sp<ExprText>>,
    /// The last field the kernel requires: the minimum size is its end (IOMMUFD's
    /// `IOCTL_OP(..., last)`, IOMMU's `offsetof` of the union). Default: the last field
    /// without `since`. Fields after it and before the first `since` field are optional
    /// for the kernel (`copy-struct` zero-extends them).
    #[serde(default)]
    pub last_mandatory: Option<Sp<String>>,
}

/// An errno name: the errors the kernel's argument checks give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum ErrnoName {
    #[serde(rename = "EINVAL")]
    Einval,
    #[serde(rename = "EOPNOTSUPP")]
    Eopnotsupp,
    #[serde(rename = "ENOTTY")]
    Enotty,
    #[serde(rename = "EOVERFLOW")]
    Eoverflow,
    #[serde(rename = "ENOSPC")]
    Enospc,
    #[serde(rename = "E2BIG")]
    E2big,
    #[serde(rename = "EFAULT")]
    Efault,
}

/// One entry of a struct's `rules:`: the kernel's checks of field values that the flags
/// mask and the reserved fields do not say. Exactly one kind key (`one-of`, `at-most-one`,
/// `at-least-one`, `if-set` with `excludes`, `requires`, `zero` or `non-zero-fields`,
/// `non-zero`, `sum`, `in`, `below`, `zero-together`, `known`, `equals`, `nested`).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ArgRule {
    /// Exactly one bit of this mask is set in `field` (VFIO_IRQ_SET_DATA_TYPE_MASK).
    #[serde(default)]
    pub one_of: Option<Sp<ExprText>>,
    /// At most one bit of this mask is set (GET and SET of VFIO_DEVICE_FEATURE).
    #[serde(default)]
    pub at_most_one: Option<Sp<ExprText>>,
    /// At least one bit of this mask is set.
    #[serde(default)]
    pub at_least_one: Option<Sp<ExprText>>,
    /// When any of these bits is set in `field`, `excludes`, `requires` or `zero` applies.
    #[serde(default)]
    pub if_set: Option<Sp<ExprText>>,
    /// With `if-set`: none of these bits may be set as well.
    #[serde(default)]
    pub excludes: Option<Sp<ExprText>>,
    /// With `if-set`: all of these bits must be set as well.
    #[serde(default)]
    pub requires: Option<Sp<ExprText>>,
    /// With `if-set`: these fields must be zero.
    #[serde(default)]
    pub zero: Option<Sp<Vec<Sp<String>>>>,
    /// With `if-set` (`minsz`): the size field leaves room for this type after the
    /// mandatory part (`argsz >= minsz + sizeof(type)`, else the rule's errno), and the
    /// buffer holds it (else EFAULT, the kernel's `copy_from_user` of it).
    #[serde(default)]
    pub room: Option<Sp<String>>,
    /// This field must not be zero.
    #[serde(default)]
    pub non_zero: Option<Sp<String>>,
    /// Two unsigned fields whose exact sum (no wrap-around) must not exceed `max`.
    #[serde(default)]
    pub sum: Option<Sp<Vec<Sp<String>>>>,
    /// No bit outside this mask is set in `field` (the kernel's `flags & ~KNOWN` of a struct
    /// that is not `extensible`).
    #[serde(default)]
    pub known: Option<Sp<ExprText>>,
    /// `field` holds exactly this value (an API version, a flags field that must be zero).
    #[serde(default)]
    pub equals: Option<Sp<ExprText>>,
    /// This member, a struct of the spec with checks of its own, passes them; their errno.
    #[serde(default)]
    pub nested: Option<Sp<String>>,
    /// With `if-set`: these fields must not be zero.
    #[serde(default)]
    pub non_zero_fields: Option<Sp<Vec<Sp<String>>>>,
    /// With `sum`: the largest allowed sum (default: 2^N for N-bit fields: the range
    /// `[a, a + b)` ends at or below the top of the type, as `a + b - 1 < a` checks).
    #[serde(default)]
    pub max: Option<Sp<ExprText>>,
    /// `field` holds one of these values (an exact constant such as a `version`, or the
    /// values of a group).
    #[serde(default)]
    pub r#in: Option<Sp<Vec<Sp<ExprText>>>>,
    /// `field` is below this value (the kernel's `x >= ULONG_MAX` gives EOVERFLOW).
    #[serde(default)]
    pub below: Option<Sp<ExprText>>,
    /// The two fields are both zero or both non-zero (IOMMUFD's `data_type` NONE iff
    /// `data_len` 0).
    #[serde(default)]
    pub zero_together: Option<Sp<Vec<Sp<String>>>>,
    /// The field the bit rules read (default: the flags field of the struct).
    #[serde(default)]
    pub field: Option<Sp<String>>,
    /// The rule reads the fields of this struct member instead (`info` of `loop_config`).
    #[serde(default)]
    pub member: Option<Sp<String>>,
    /// The rule does not apply when any of these bits is set in the flags field
    /// (VFIO_DEVICE_FEATURE_PROBE).
    #[serde(default)]
    pub unless: Option<Sp<ExprText>>,
    /// The rule applies only when this field is not zero (IOMMU_HWPT_INVALIDATE's
    /// `entry_num`: zero entries is a probe).
    #[serde(default)]
    pub if_non_zero: Option<Sp<String>>,
    /// What a violation gives (default: EINVAL, or EOPNOTSUPP for `copy-struct`).
    #[serde(default)]
    pub errno: Option<Sp<ErrnoName>>,
    /// `payload`: the kernel checks this after the payload (a driver's check after the
    /// core's), so a payload error comes first.
    #[serde(default)]
    pub after: Option<Sp<After>>,
    /// Where the kernel makes this check (file and function), for the reader.
    #[serde(default)]
    pub kernel: Option<String>,
}

/// When a rule is checked relative to the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum After {
    Payload,
}

/// A tagged payload: the value of `tag` (masked with `tag-mask`) selects the variant.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Payload {
    /// Rust name of the payload enum (default: the struct's name + `Payload`).
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
    #[serde(default)]
    pub doc: Option<String>,
    /// The field whose value selects the variant.
    pub tag: Sp<String>,
    /// Only these bits of `tag` select (e.g. `VFIO_IRQ_SET_DATA_TYPE_MASK`).
    #[serde(default)]
    pub tag_mask: Option<Sp<ExprText>>,
    /// The trailing flexible array or the union member that carries the payload.
    #[serde(default)]
    pub data: Option<Sp<String>>,
    /// The field counting elements of the selected type in `data`.
    #[serde(default)]
    pub count: Option<Sp<String>>,
    /// The field holding a user pointer to the payload (instead of `data`).
    #[serde(default)]
    pub pointer: Option<Sp<String>>,
    /// With `pointer`: the field holding the payload's length in bytes.
    #[serde(default)]
    pub length: Option<Sp<String>>,
    /// With `pointer`: the fields holding the size of one entry and the number of entries.
    #[serde(default)]
    pub entry_len: Option<Sp<String>>,
    #[serde(default)]
    pub entry_num: Option<Sp<String>>,
    /// What an unknown tag gives (default: EINVAL for `minsz`, EOPNOTSUPP for `copy-struct`).
    #[serde(default)]
    pub unknown_errno: Option<Sp<ErrnoName>>,
    /// With any of these bits set in the tag field, the kernel reads no payload (only the
    /// tag is checked): VFIO_DEVICE_FEATURE_PROBE.
    #[serde(default)]
    pub unless: Option<Sp<ExprText>>,
    /// Bits of the tag field that name operations on the variant (VFIO_DEVICE_FEATURE's
    /// GET and SET); a variant's `ops` says which of them it supports (default: all).
    #[serde(default)]
    pub ops: Option<Sp<ExprText>>,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Variant {
    /// The tag value (an expression, usually a constant's name).
    pub tag: Sp<ExprText>,
    /// What the payload holds: a type, or absent for no payload.
    #[serde(default, rename = "type")]
    pub ty: Option<Sp<String>>,
    /// For a union `data`: the union member this variant makes valid.
    #[serde(default)]
    pub member: Option<Sp<String>>,
    /// The operation bits of the payload's `ops` this variant supports; another of them
    /// set gives EINVAL (the kernel's `vfio_check_feature` with `supported_ops`), also in a
    /// probe.
    #[serde(default)]
    pub ops: Option<Sp<ExprText>>,
    /// Rust name of the variant (default: from the tag's name).
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
    #[serde(default)]
    pub doc: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Field {
    /// Absent for an anonymous struct or union member.
    #[serde(default)]
    pub name: Option<Sp<String>>,
    /// `u32`, `aligned_u64`, C's own types (`int`, `unsigned long`, `char`), the kernel's
    /// typedefs (`__kernel_old_dev_t`, `__le32`), C99's `uint8_t` ... `int64_t` and `size_t`
    /// (with `stdint.h`/`stddef.h` in `includes`), the spec's typedefs, `struct NAME`,
    /// `u8[16]`, `u8[]`, `u64 *`, or `struct`/`union` together with `fields` for an inline
    /// type.
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    /// Members of an inline struct or union.
    #[serde(default)]
    pub fields: Option<Vec<Field>>,
    /// `__attribute__((packed))`: of the inline struct or union (with `fields`), or of the
    /// member itself (a plain member of a struct: it is placed at alignment 1).
    #[serde(default)]
    pub packed: bool,
    /// `__attribute__((aligned(N)))`: of the inline struct or union (with `fields`), or of
    /// the member itself (a plain member of a struct).
    #[serde(default)]
    pub aligned: Option<Sp<u64>>,
    /// The flag set that describes this field's bits.
    #[serde(default)]
    pub flags: Option<Sp<String>>,
    /// The value group that lists what this field may hold.
    #[serde(default)]
    pub values: Option<Sp<String>>,
    /// Reserved or padding: must be zero.
    #[serde(default)]
    pub reserved: bool,
    /// The revision that added this field (extensible structs); fields without it are
    /// mandatory and make up the minimum size.
    #[serde(default)]
    pub since: Option<Sp<u32>>,
    /// The flag that says this field is valid.
    #[serde(default)]
    pub flag: Option<Sp<String>>,
    /// Which way the field's value goes: `out` when the kernel writes it and ignores what
    /// user space passed (no check is made of it on input); default `in-out`.
    #[serde(default)]
    pub data: Option<Sp<Data>>,
    /// A bit-field of this many bits (`__u32 type : 24;`), of an integer type in a struct
    /// that is not packed: placed as the C compilers place it on each ABI.
    #[serde(default)]
    pub bits: Option<Sp<u32>>,
    /// On a flexible array member: the field before it that holds the number of elements
    /// (`nmsrs`). The struct then gets an owning type that keeps the two in step
    /// (`FlexBuf::from_entries`, the `FamCount` trait of the runtime).
    #[serde(default)]
    pub count: Option<Sp<String>>,
    /// With `count`: the most elements the kernel takes. Without it, a `below: N` rule of
    /// the count field gives N - 1, else the count field's type does.
    #[serde(default)]
    pub max: Option<Sp<u64>>,
    /// The field holds a user-space address that the kernel reads or writes through, during
    /// the call or after it (guest memory, DMA mappings): an ioctl whose argument carries it
    /// has an `unsafe` wrapper. Not for guest or IO addresses (`iova`, `guest_phys_addr`).
    #[serde(default)]
    pub user_address: bool,
    /// Lint rules allowed here, each with the reason (`{ L0101: "why" }`).
    #[serde(default)]
    pub allow: Allow,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// Transfer direction from user space's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Dir {
    /// `_IO`: no size encoded.
    None,
    /// `_IOR`: the kernel writes the argument.
    Read,
    /// `_IOW`: the kernel reads the argument.
    Write,
    /// `_IOWR`: both.
    ReadWrite,
}

/// Which way an ioctl argument's data goes, from the kernel's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Data {
    /// The kernel reads it: the wrapper borrows it shared.
    In,
    /// The kernel writes it: the wrapper borrows it mutably.
    Out,
    /// Both.
    InOut,
}

/// How the argument is passed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Pass {
    #[default]
    Pointer,
    Value,
}

/// What a successful ioctl returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Returns {
    /// A non-negative integer (the default): the safe wrapper returns it as `i32`.
    #[default]
    Value,
    /// Zero: the safe wrapper returns `()`.
    Zero,
    /// A new file descriptor: the safe wrapper returns an `OwnedFd`.
    Fd,
}

/// A kind of file descriptor of the spec (`fds:`).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FdKind {
    /// A lowercase identifier (`vm`); its Rust type is `VmFd`.
    pub name: Sp<String>,
    #[serde(default)]
    pub doc: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Ioctl {
    pub name: Sp<String>,
    /// The kernel version it arrived in (`"6.2"`), shown in its docs.
    #[serde(default)]
    pub since: Option<Sp<String>>,
    /// The direction `_IOC` encodes (with `type` and `nr`; not with `number`).
    #[serde(default)]
    pub dir: Option<Sp<Dir>>,
    /// Expression for the type byte.
    #[serde(default, rename = "type")]
    pub ty: Option<Sp<ExprText>>,
    /// Expression for the number.
    #[serde(default)]
    pub nr: Option<Sp<ExprText>>,
    /// The whole ioctl number as a plain integer expression, as the kernel writes some
    /// (`LOOP_SET_FD` is `0x4C00`), instead of `dir`, `type` and `nr`.
    #[serde(default)]
    pub number: Option<Sp<ExprText>>,
    /// `_IOC`: print the number as `_IOC(dir, type, nr, size)`, which may encode a size
    /// with `dir: none` (as Xen's headers do); or the name of one of the spec's
    /// `ioctl-macros` (`SECCOMP_IOWR`), which gives `dir` and `type`.
    #[serde(default, rename = "macro")]
    pub mac: Option<Sp<String>>,
    /// With `macro: _IOC`, the encoded size as an integer expression (default: the size
    /// of `arg`, or 0 without one).
    #[serde(default)]
    pub size: Option<Sp<ExprText>>,
    /// Which way the argument's data goes, apart from what the number encodes: `in`
    /// (the kernel reads it), `out` (the kernel writes it) or `in-out`. Default: from
    /// `dir` (`write` is `in`, `read` is `out`, otherwise `in-out`).
    #[serde(default)]
    pub data: Option<Sp<Data>>,
    #[serde(default)]
    pub arg: Option<Sp<String>>,
    #[serde(default)]
    pub pass: Option<Sp<Pass>>,
    /// What it returns on success (`value`, `zero` or `fd`).
    #[serde(default)]
    pub returns: Option<Sp<Returns>>,
    /// The kinds of fd (of the spec's `fds`) the kernel takes it on.
    #[serde(default)]
    pub fd: Option<Sp<Vec<Sp<String>>>>,
    /// With `returns: fd`: the kind of the new fd.
    #[serde(default)]
    pub gives: Option<Sp<String>>,
    /// Architectures this item exists on: kernel names (`x86`, `arm64`, `arm`, `powerpc`,
    /// `mips`, `s390`, `riscv`, `sparc`, `m68k`, `alpha`, `parisc`, `sh`) or ABI names
    /// (`x86_64`, `i386`, `aarch64`, ...). Default: the spec's. Items of one name may be
    /// declared once per architecture when their lists do not overlap.
    #[serde(default)]
    pub arch: Option<Sp<Vec<Sp<String>>>>,
    /// Lint rules allowed here, each with the reason (`{ L0101: "why" }`).
    #[serde(default)]
    pub allow: Allow,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}
