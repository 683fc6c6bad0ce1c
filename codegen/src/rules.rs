//! The lint rule table: every rule's stable ID, name, summary and explanation. The resolver
//! checks the IDs written in `allow:` against it; [`crate::lint`] checks the rules.

macro_rules! rules {
    ($($v:ident = $id:literal, $name:literal: $summary:literal, $explain:literal;)*) => {
        /// Every lint rule.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $($v,)* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$v,)*];
            pub fn id(self) -> &'static str { match self { $(Rule::$v => $id,)* } }
            pub fn name(self) -> &'static str { match self { $(Rule::$v => $name,)* } }
            pub fn summary(self) -> &'static str { match self { $(Rule::$v => $summary,)* } }
            pub fn explanation(self) -> &'static str { match self { $(Rule::$v => $explain,)* } }
            pub fn from_id(id: &str) -> Option<Rule> { Rule::ALL.iter().copied().find(|r| r.id() == id) }
        }
    };
}

rules! {
    ImplicitPadding = "L0101", "implicit-padding": "the compiler inserts padding (a hole or tail padding) on some ABI",
        "Bytes the compiler adds between fields or at the end are not named, so user space cannot zero them on purpose: they leak kernel or user stack contents, and a later revision cannot give them a meaning without breaking the old one. Make every byte a field: add explicit `__u8 pad[N]`/`__u32 reserved` fields (with `reserved: true`).";
    AbiLayoutDiffers = "L0102", "abi-layout-differs": "the struct's size or field offsets differ between ABIs",
        "A struct whose layout changes between, say, x86_64 and i386 needs a compat_ioctl translation in the kernel for 32-bit processes on 64-bit kernels, unless the ioctl carries its size (argsz) and the kernel copes. Use `__aligned_u64` for 64-bit fields and explicit padding so that every ABI agrees.";
    Unaligned64 = "L0103", "unaligned-64bit": "a 64-bit member is not 8-byte aligned on some ABI",
        "i386, sh4 and m68k align a plain `__u64` to 4 or 2 inside structs, so the member lands at a different offset there than on 64-bit ABIs. Use `__aligned_u64` (aligned_u64 in the spec) or insert explicit padding before it.";
    SizeNotMultipleOf8 = "L0104", "size-not-multiple-of-8": "a struct with 64-bit members has a size that is not a multiple of 8 on some ABI",
        "The kernel's rule is that a struct with 64-bit members is padded to a multiple of 8 explicitly, so that arrays of it and structs that embed it have the same layout everywhere. Add an explicit padding field at the end.";
    ForbiddenType = "L0105", "forbidden-type": "a member uses a type uapi structs must not use (a pointer, a plain char as a number)",
        "Pointers change size between 32- and 64-bit processes: user pointers travel as `__u64` (cast through `uintptr_t`). Plain `char` has an ABI-dependent signedness: use `__u8`/`__s8` for numbers and keep `char` for strings.";
    UnsizedPointerArg = "L0106", "unsized-pointer-arg": "an `_IO` ioctl passes a pointer to a struct that has no size field",
        "With `_IO` the argument size is not in the ioctl number, so neither the kernel nor a tracer can tell how much memory the pointer covers, and the struct can never grow. Encode the size (`_IOR`/`_IOW`/`_IOWR`) or start the struct with `argsz`/`size` (`extensible`).";
    DuplicateIoctl = "L0107", "duplicate-ioctl-number": "two ioctls of the spec have the same number on some ABI",
        "Equal numbers make the two requests indistinguishable on a file that accepts both and in strace. Give each ioctl its own `nr`, or allow the finding where the ioctls go to different kinds of file descriptor.";
    FlagOverlap = "L0108", "flag-overlap": "two single-bit flags of one set use the same bit",
        "A bit can mean only one thing in a flags field. Masks and multi-bit fields may cover other flags' bits; single flags may not share one.";
    FlagsWithoutSet = "L0109", "flags-without-set": "a flags field has no declared set of known bits",
        "Without a flag set, nobody can check that unknown bits are zero, and a future flag cannot be added safely. Declare the flags (even an empty set) and attach it with `flags:` on the field.";
    SizeFieldWithoutModel = "L0110", "size-field-without-extensible": "a struct starts with argsz or size but declares no extensibility model",
        "A leading argsz/size field promises that the struct can grow: say how (`extensible: { size-field, style }`), so that the minimum size, the known flags and the reserved fields are checked in the generated validators.";
    FieldAfterVariableUnion = "L0111", "field-after-variable-union": "a field follows a union that carries a tagged payload",
        "The IOMMU uapi rule: nothing may follow a variable-size union, because a later revision can only grow the union at the end of the struct. Put the union (or the trailing data) last.";
    ReservedWithoutRule = "L0112", "reserved-without-rule": "a field named like padding or reserved space is not marked `reserved: true`",
        "Reserved fields must be checked to be zero, or user space will put garbage there and the field can never be given a meaning. Mark it `reserved: true` so that the generated validators reject non-zero values.";
    KeywordName = "L0113", "keyword-name": "a name is a Rust or C++ keyword",
        "Such names need raw identifiers in Rust (`r#type`) and break C++ users of the header. Prefer another name for new fields.";
    UnmarkedAddress = "L0114", "unmarked-user-address": "a 64-bit field named like a user address is not marked `user-address`",
        "A field that hands the kernel a user-space address (guest memory, a DMA mapping, a buffer the kernel fills) makes its ioctl able to write memory Rust owns: marked `user-address: true`, the ioctl's wrapper is `unsafe` with a `# Safety` section. Names with `addr`, `uptr`, `_va` or `_ptr` (but `iova`, `guest`, `phys`) are taken for such fields; allow the rule, with the reason, for one that holds no user address.";
}
