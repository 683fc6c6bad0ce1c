//! The resolved model of one spec: names checked, expressions evaluated, types linked.
//! It is the single source of truth every emitter prints from.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::abi::{Abi, AbiSet};
use crate::ctypes::{CInt, KERNEL_TYPES, KernelTypeId};
use crate::diag::SourceFile;
use crate::expr::{CType, CValue, Expr};
use crate::rules::Rule;

mod arg_rules;
mod c_values;
mod counted;
mod ice;
use crate::spec::{Data, Dir, ErrnoName, Kind, Pass, Returns, Span, Style};
pub use arg_rules::{BitCount, RuntimeLimit};

/// A resolved `rules:` entry.
pub type ArgRule = arg_rules::ArgRule<Ty>;
/// What a rule requires of the argument.
pub type Cond = arg_rules::Cond<Ty>;

/// The lint rules the spec allows on an item (`allow:`), each with the reason written there.
pub type Allow = BTreeMap<Rule, String>;

/// Index into [`Module::types`].
pub type TypeId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntTy {
    U8,
    U16,
    U32,
    U64,
    S8,
    S16,
    S32,
    S64,
}

impl IntTy {
    pub fn parse(s: &str) -> Option<IntTy> {
        Some(match s.strip_prefix("__").unwrap_or(s) {
            "u8" => IntTy::U8,
            "u16" => IntTy::U16,
            "u32" => IntTy::U32,
            "u64" => IntTy::U64,
            "s8" => IntTy::S8,
            "s16" => IntTy::S16,
            "s32" => IntTy::S32,
            "s64" => IntTy::S64,
            _ => return None,
        })
    }

    pub fn bytes(self) -> u64 {
        match self {
            IntTy::U8 | IntTy::S8 => 1,
            IntTy::U16 | IntTy::S16 => 2,
            IntTy::U32 | IntTy::S32 => 4,
            IntTy::U64 | IntTy::S64 => 8,
        }
    }

    pub fn signed(self) -> bool {
        matches!(self, IntTy::S8 | IntTy::S16 | IntTy::S32 | IntTy::S64)
    }

    pub fn min(self) -> i128 {
        if self.signed() {
            -(1i128 << (self.bytes() * 8 - 1))
        } else {
            0
        }
    }

    pub fn max(self) -> i128 {
        if self.signed() {
            (1i128 << (self.bytes() * 8 - 1)) - 1
        } else {
            (1i128 << (self.bytes() * 8)) - 1
        }
    }

    /// The value cast to this type the way C casts (wrapping).
    pub fn wrap(self, v: i128) -> i128 {
        let bits = self.bytes() * 8;
        let m = v & ((1i128 << bits) - 1);
        if self.signed() && m > self.max() {
            m - (1i128 << bits)
        } else {
            m
        }
    }

    pub fn spec_name(self) -> &'static str {
        match self {
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
            IntTy::S8 => "s8",
            IntTy::S16 => "s16",
            IntTy::S32 => "s32",
            IntTy::S64 => "s64",
        }
    }

    pub fn c_name(self) -> &'static str {
        match self {
            IntTy::U8 => "__u8",
            IntTy::U16 => "__u16",
            IntTy::U32 => "__u32",
            IntTy::U64 => "__u64",
            IntTy::S8 => "__s8",
            IntTy::S16 => "__s16",
            IntTy::S32 => "__s32",
            IntTy::S64 => "__s64",
        }
    }

    pub fn rust_name(self) -> &'static str {
        match self {
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
            IntTy::S8 => "i8",
            IntTy::S16 => "i16",
            IntTy::S32 => "i32",
            IntTy::S64 => "i64",
        }
    }

    /// The type of this size in bytes and signedness.
    pub fn of(bytes: u64, signed: bool) -> Option<IntTy> {
        Some(match (bytes, signed) {
            (1, false) => IntTy::U8,
            (2, false) => IntTy::U16,
            (4, false) => IntTy::U32,
            (8, false) => IntTy::U64,
            (1, true) => IntTy::S8,
            (2, true) => IntTy::S16,
            (4, true) => IntTy::S32,
            (8, true) => IntTy::S64,
            _ => return None,
        })
    }

    /// The default type of an untyped constant with this value.
    pub fn infer(v: i128) -> IntTy {
        if (0..=IntTy::U32.max()).contains(&v) {
            IntTy::U32
        } else if v >= 0 {
            IntTy::U64
        } else if v >= IntTy::S32.min() {
            IntTy::S32
        } else {
            IntTy::S64
        }
    }
}

/// Leaf types that are not structs or unions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// The kernel's fixed-size types: `__u8` .. `__s64`.
    Int(IntTy),
    /// `__aligned_u64` / an 8-aligned `__s64`.
    Aligned(IntTy),
    /// C's own types (`int`, `unsigned long`, `char`), whose size, alignment or signedness
    /// may differ by ABI.
    C(CInt),
    /// A kernel typedef (`__kernel_old_dev_t`, `__le32`): index into
    /// [`crate::ctypes::KERNEL_TYPES`].
    Kernel(KernelTypeId),
}

impl Scalar {
    /// `char`.
    pub const CHAR: Scalar = Scalar::C(CInt::Char);

    /// The C integer type it is on `abi`, for C's types and the kernel's typedefs.
    pub fn c_int(self, abi: &Abi) -> Option<CInt> {
        match self {
            Scalar::C(t) => Some(t),
            Scalar::Kernel(k) => Some(KERNEL_TYPES[usize::from(k)].base(abi)),
            _ => None,
        }
    }

    /// Size and alignment inside a struct on `abi`.
    pub fn size_align(self, abi: &Abi) -> (u64, u64) {
        match (self, self.c_int(abi)) {
            (Scalar::Int(t), _) => (t.bytes(), abi.scalar_align(t.bytes())),
            (Scalar::Aligned(_), _) => (8, 8),
            (_, Some(c)) => (c.size(abi), c.align(abi)),
            (_, None) => (0, 1),
        }
    }

    /// How C writes the type (`__u32`, `unsigned long`, `__kernel_old_dev_t`); `__aligned_u64`
    /// is written by the header itself.
    pub fn c_name(self) -> &'static str {
        match self {
            Scalar::Int(t) | Scalar::Aligned(t) => t.c_name(),
            Scalar::C(t) => t.c_name(),
            Scalar::Kernel(k) => KERNEL_TYPES[usize::from(k)].name,
        }
    }

    /// The fixed-size integer type it is on every ABI, if it is the same on all.
    pub fn fixed(self) -> Option<IntTy> {
        match self {
            Scalar::Int(t) | Scalar::Aligned(t) => Some(t),
            _ => {
                let mut it = crate::abi::ABIS.iter().map(|abi| {
                    let c = self.c_int(abi)?;
                    c.exists(abi).then_some(())?;
                    IntTy::of(c.size(abi), c.signed(abi))
                });
                let first = it.next().flatten()?;
                it.all(|t| t == Some(first)).then_some(first)
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Scalar(Scalar),
    Ptr(Box<Ty>),
    /// C's `void`: only what a pointer points at (`void *`), never a member's type.
    Void,
    /// A `const` type: what a pointer points at (`const char *`), or a member's.
    Const(Box<Ty>),
    Named(TypeId),
    Array(Box<Ty>, u64, Expr),
    Flex(Box<Ty>),
}

impl Ty {
    /// The type this array or flexible array holds; the type itself otherwise.
    pub fn element(&self) -> &Ty {
        match self {
            Ty::Array(t, ..) | Ty::Flex(t) => t.element(),
            t => t,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Const {
    pub c_name: String,
    pub rust_name: String,
    pub value: ConstValue,
    pub doc: Option<String>,
    /// The ABIs it exists on.
    pub abis: AbiSet,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ConstValue {
    Int(IntValue),
    Str(String),
}

/// An evaluated integer expression with its type.
#[derive(Clone, Debug)]
pub struct IntValue {
    pub expr: Expr,
    /// The value in `ty` (C's value converted to `ty`, as `(__u32)~0`).
    pub value: i128,
    pub ty: IntTy,
    /// C's value and type of the macro as the header prints it: the expression, or a literal
    /// when the expression's type differs between ABIs (see [`crate::expr::Evaluated`]).
    pub c: CValue,
}

/// A named value: a group member or a flag.
#[derive(Clone, Debug)]
pub struct NamedValue {
    pub c_name: String,
    pub rust_name: String,
    pub value: IntValue,
    /// For flags given as `bit:`, the bit position.
    pub bit: Option<u32>,
    pub doc: Option<String>,
    /// The ABIs it exists on (within its group's or set's).
    pub abis: AbiSet,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub c_name: String,
    pub rust_name: String,
    pub ty: IntTy,
    pub doc: Option<String>,
    pub values: Vec<NamedValue>,
    /// The ABIs it exists on.
    pub abis: AbiSet,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FlagSet {
    pub c_name: String,
    pub rust_name: String,
    pub ty: IntTy,
    pub doc: Option<String>,
    pub bits: Vec<NamedValue>,
    pub allow: Allow,
    /// The ABIs it exists on.
    pub abis: AbiSet,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnumValue {
    pub c_name: String,
    pub rust_name: String,
    /// The explicit value expression, if the spec gave one.
    pub expr: Option<Expr>,
    pub value: i128,
    pub doc: Option<String>,
    /// The ABIs it exists on (within its enum's).
    pub abis: AbiSet,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Enum {
    pub c_name: Option<String>,
    /// `typedef enum { ... } NAME;`: the typedef that names this untagged enum.
    pub typedef: Option<String>,
    pub ty: IntTy,
    pub doc: Option<String>,
    pub values: Vec<EnumValue>,
    /// The ABIs it exists on.
    pub abis: AbiSet,
    pub span: Span,
}

impl Enum {
    /// Every enumerator fits in `int`, so C (every standard, and C++) types them `int`.
    pub fn is_int(&self) -> bool {
        self.values
            .iter()
            .all(|v| (i128::from(i32::MIN)..=i128::from(i32::MAX)).contains(&v.value))
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    /// `None` for an anonymous member.
    pub c_name: Option<String>,
    pub rust_name: String,
    pub ty: Ty,
    pub doc: Option<String>,
    pub flags: Option<usize>,
    pub group: Option<usize>,
    pub reserved: bool,
    /// The revision that added the field (`None`: mandatory).
    pub since: Option<u32>,
    /// The flag (name, value) that says the field is valid.
    pub flag: Option<(String, i128)>,
    /// Which way the value goes: an `Out` field is written by the kernel and not checked.
    pub data: Data,
    /// It holds a user-space address the kernel goes through (`user-address`).
    pub user_address: bool,
    /// The header's typedef its type is spelled with (index into [`Module::typedefs`]):
    /// `ty` is what it names.
    pub typedef: Option<usize>,
    /// The tag of the enum its type is (`enum NAME`): `ty` is the integer type C gives it.
    pub enum_tag: Option<String>,
    /// `__attribute__((aligned(N)))` on the member: it is at least N-aligned.
    pub aligned: Option<u64>,
    /// `__attribute__((packed))` on the member: it is 1-aligned (its type's layout is kept).
    pub packed: bool,
    /// `bits` (a bit-field's width); a flexible array's `count` field index and `max`.
    pub bits: Option<u32>,
    pub count: Option<(usize, Option<u64>)>,
    pub allow: Allow,
    pub span: Span,
}

/// A struct whose size travels in a field.
#[derive(Clone, Debug)]
pub struct Extensible {
    pub size_field: usize,
    pub style: Style,
    /// Fields `..mandatory` are mandatory: the minimum size is the end of the last of them.
    pub mandatory: usize,
    /// The flags field and the mask of every flag this revision knows.
    pub flags: Option<(usize, i128)>,
}

impl Extensible {
    /// The errno for unknown flags and non-zero reserved fields.
    pub fn field_errno(&self) -> ErrnoName {
        match self.style {
            Style::Minsz => ErrnoName::Einval,
            Style::CopyStruct => ErrnoName::Eopnotsupp,
        }
    }
}

/// Where a payload lives.
#[derive(Clone, Debug)]
pub enum PayloadKind {
    /// In the trailing flexible array `data`, optionally `count` elements of the variant type.
    Trailing { data: usize, count: Option<usize> },
    /// In the union member `data`, the member named by the variant.
    Union { data: usize },
    /// Behind a user pointer with a byte length.
    Pointer { pointer: usize, length: usize },
    /// Behind a user pointer: `entry_num` entries of `entry_len` bytes.
    Entries {
        pointer: usize,
        entry_len: usize,
        entry_num: usize,
    },
}

#[derive(Clone, Debug)]
pub struct PayloadVariant {
    pub rust_name: String,
    /// The tag's C name, when the spec wrote a plain name.
    pub tag_name: Option<String>,
    pub tag: i128,
    /// What the payload holds (`None`: nothing).
    pub ty: Option<Ty>,
    /// For a union payload: the member's field index in the union type.
    pub member: Option<usize>,
    /// The `ops` bits it does not support (EINVAL when set in the tag field; 0: none).
    pub denied_ops: i128,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Payload {
    pub rust_name: String,
    pub doc: Option<String>,
    pub tag_field: usize,
    pub tag_mask: Option<i128>,
    pub kind: PayloadKind,
    pub unknown: ErrnoName,
    /// With any of these bits in the tag field, no payload is read (a probe).
    pub unless: Option<i128>,
    pub variants: Vec<PayloadVariant>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CapVariant {
    pub rust_name: String,
    pub id_name: Option<String>,
    pub id: i128,
    pub version: Option<u32>,
    pub ty: TypeId,
    pub doc: Option<String>,
}

/// A capability chain behind an INFO struct.
#[derive(Clone, Debug)]
pub struct Caps {
    pub rust_name: String,
    pub doc: Option<String>,
    pub offset_field: usize,
    pub flag: Option<(String, i128)>,
    pub header: TypeId,
    pub id_field: usize,
    pub version_field: usize,
    pub next_field: usize,
    pub variants: Vec<CapVariant>,
}

#[derive(Clone, Debug)]
pub struct TypeDef {
    /// `None` for an inline type.
    pub c_name: Option<String>,
    pub rust_name: String,
    pub kind: Kind,
    pub doc: Option<String>,
    pub fields: Vec<Field>,
    /// For an inline type: the type and field it is declared in.
    pub parent: Option<(TypeId, usize)>,
    /// For a type of another spec (`uses`): that spec's module name.
    pub origin: Option<String>,
    pub extensible: Option<Extensible>,
    pub payload: Option<Payload>,
    pub caps: Option<Caps>,
    /// The kernel's checks of field values (`rules:`), in spec order.
    pub rules: Vec<ArgRule>,
    /// The run-time limits the rules read (`runtime:`), in spec order: the parameters of
    /// the validator that checks them.
    pub runtime: Vec<RuntimeLimit>,
    /// `__attribute__((packed))`.
    pub packed: bool,
    /// `__attribute__((aligned(N)))`.
    pub aligned: Option<u64>,
    /// `typedef struct { ... } NAME;`: C names it `NAME`, without a tag.
    pub tagless: bool,
    /// For an inline type, the `allow` of the member that declares it (also on that Field).
    pub allow: Allow,
    /// The ABIs it exists on.
    pub abis: AbiSet,
    pub span: Span,
}

impl TypeDef {
    /// How C names the type: `struct NAME` (`union NAME`), or `NAME` for a tagless one.
    pub fn c_spelling(&self) -> String {
        let name = self.c_name.as_deref().unwrap_or("");
        match self.tagless {
            true => name.to_owned(),
            false => format!("{} {name}", kind_word(self.kind)),
        }
    }

    /// `struct vfio_foo`, or the parent's name with the member path for inline types.
    pub fn display_name(&self, m: &Module) -> String {
        match (&self.c_name, self.parent) {
            (Some(n), _) => format!("{} {}", kind_word(self.kind), n),
            (None, Some((p, f))) => {
                let parent = &m.types[p];
                let member = parent.fields[f]
                    .c_name
                    .clone()
                    .unwrap_or_else(|| "<anonymous>".into());
                format!("{}.{}", parent.display_name(m), member)
            }
            (None, None) => self.rust_name.clone(),
        }
    }
}

pub fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Struct => "struct",
        Kind::Union => "union",
    }
}

#[derive(Clone, Debug)]
pub struct Ioctl {
    pub c_name: String,
    pub rust_name: String,
    /// The direction the number encodes (`Dir::None` for a literal number).
    pub dir: Dir,
    pub number: Number,
    /// Which way the argument's data goes.
    pub data: Data,
    pub arg: Option<Ty>,
    pub pass: Pass,
    pub returns: Returns,
    pub doc: Option<String>,
    pub allow: Allow,
    /// The ABIs it exists on.
    /// The spec's ioctl macro (index into [`Module::ioctl_macros`]) the number is written
    /// with (`SECCOMP_IOWR(0, struct seccomp_notif)`).
    pub wrapper: Option<usize>,
    /// The kinds of fd it is called on (indices into [`Module::fds`]), and the kind of the
    /// fd it returns.
    pub fds: Vec<usize>,
    pub gives: Option<usize>,
    pub abis: AbiSet,
    pub span: Span,
}

/// `typedef TYPE NAME;` of an integer type, or of a struct or union of the spec.
#[derive(Clone, Debug)]
pub struct Typedef {
    pub c_name: String,
    pub rust_name: String,
    /// The type it names.
    pub ty: TypedefTy,
    /// The tag of the enum it names (`typedef enum fe_status fe_status_t;`): `ty` is the
    /// integer type C gives it.
    pub enum_tag: Option<String>,
    /// `#define NAME TYPE` in C (`macro: true`), not `typedef TYPE NAME;`.
    pub is_macro: bool,
    pub doc: Option<String>,
    pub abis: AbiSet,
    pub span: Span,
}

/// What a [`Typedef`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypedefTy {
    Int(Scalar),
    /// `typedef struct atreq atreq_t;`
    Record(TypeId),
}

/// A header's own ioctl number macro: `#define NAME(nr, type) _IOWR(TYPE, nr, type)`.
#[derive(Clone, Debug)]
pub struct IoctlMacro {
    pub c_name: String,
    pub dir: Dir,
    /// The type byte.
    pub ty: IntValue,
    pub doc: Option<String>,
    pub span: Span,
}

/// How an ioctl's number is made.
#[derive(Clone, Debug)]
pub enum Number {
    /// `_IO`, `_IOR`, `_IOW`, `_IOWR` (by `dir`) of `type`, `nr` and the size of the argument.
    Io { ty: IntValue, nr: IntValue },
    /// `_IOC(dir, type, nr, size)`; `size` `None` is the size of the argument (0 without one).
    Ioc {
        ty: IntValue,
        nr: IntValue,
        size: Option<IntValue>,
    },
    /// A plain number (`0x4C00`), the same on every ABI.
    Literal(IntValue),
}

impl Number {
    /// Whether a number of this form, with direction `dir`, encodes `sizeof(arg)`.
    pub fn takes_arg_size(&self, dir: Dir) -> bool {
        match self {
            Number::Io { .. } => dir != Dir::None,
            Number::Ioc { size, .. } => size.is_none(),
            Number::Literal(_) => false,
        }
    }
}

impl Ioctl {
    /// The size the number encodes on `abi`, given the argument's size there.
    pub fn encoded_size(&self, arg_size: impl FnOnce(&Ty) -> u64) -> u64 {
        match (&self.number, &self.arg) {
            (Number::Io { .. }, Some(t)) if self.dir != Dir::None => arg_size(t),
            (Number::Ioc { size: Some(s), .. }, _) => s.value as u64,
            (Number::Ioc { size: None, .. }, Some(t)) => arg_size(t),
            _ => 0,
        }
    }

    /// Whether the number encodes the argument's size (`sizeof(arg)`).
    pub fn encodes_arg_size(&self) -> bool {
        self.arg.is_some() && self.number.takes_arg_size(self.dir)
    }
}

/// A function-like macro: `#define NAME(params) (body)`, a `const fn` in Rust.
#[derive(Clone, Debug)]
pub struct Macro {
    pub c_name: String,
    /// The Rust function's name (snake_case).
    pub rust_name: String,
    pub params: Vec<String>,
    /// The type the arguments are taken to have: the Rust parameters' type.
    pub param_ty: IntTy,
    pub body: Expr,
    /// C's type of the body when the arguments have type `param_ty` (the same on every ABI):
    /// the Rust function's return type.
    pub result: CType,
    /// The body as a Rust expression of type `result`, computing C's value (see
    /// [`crate::expr::rust_body`]).
    pub rust_body: String,
    pub doc: Option<String>,
    pub span: Span,
}

impl Macro {
    /// The arguments the conformance facts call the macro with: small values, bit patterns
    /// and the ends of the parameters' type (for several parameters, the list rotated per
    /// parameter).
    pub fn samples(&self) -> Vec<Vec<i128>> {
        let t = self.param_ty;
        let mut one: Vec<i128> = Vec::new();
        let half = t.max() / 2;
        for v in [
            0,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            15,
            16,
            0x55,
            0xaa,
            half,
            half + 1,
            t.max() - 1,
            t.max(),
            -1,
            -2,
            t.min(),
            t.min() + 1,
        ] {
            if (t.min()..=t.max()).contains(&v) && !one.contains(&v) {
                one.push(v);
            }
        }
        let n = self.params.len();
        (0..one.len())
            .map(|k| (0..n).map(|i| one[(k + 3 * i) % one.len()]).collect())
            .collect()
    }

    /// C's value and type of `NAME(args)` (each argument a value of [`Macro::param_ty`]),
    /// evaluated the way C evaluates the expansion; `None` where C leaves it undefined.
    pub fn call(&self, m: &Module, args: &[i128]) -> Option<CValue> {
        let arg_ty = crate::expr::promoted(self.param_ty.bytes() * 8, self.param_ty.signed());
        self.body
            .eval(&mut |n| match self.params.iter().position(|p| p == n) {
                Some(i) => args
                    .get(i)
                    .map(|v| CValue::new(arg_ty.convert(self.param_ty.wrap(*v)), arg_ty))
                    .ok_or(crate::expr::NameError::Unknown),
                None => m.c_value_of(n).ok_or(crate::expr::NameError::Unknown),
            })
            .ok()
            .map(|e| e.c)
    }
}

/// One resolved spec.
#[derive(Clone, Debug)]
pub struct Module {
    pub file: Arc<SourceFile>,
    pub name: String,
    /// Where the spec gives its `name` and its `header` (for errors across specs).
    pub name_span: Span,
    pub header_span: Span,
    /// Specs this one uses: (module name, C header).
    pub uses: Vec<(String, String)>,
    /// Used modules that another crate holds (`uses: linux_uapi::vfio`, and what those use):
    /// (module name, Rust path of the module, `::linux_uapi::vfio`).
    pub crate_modules: Vec<(String, String)>,
    pub header: String,
    /// System kernel headers that are not specs, included after `<linux/types.h>`.
    pub includes: Vec<String>,
    pub guard: String,
    pub license: Option<String>,
    pub source: Option<String>,
    pub doc: Option<String>,
    /// The ABIs the header exists on; every item's are within them.
    pub abis: AbiSet,
    pub constants: Vec<Const>,
    pub groups: Vec<Group>,
    pub flag_sets: Vec<FlagSet>,
    pub enums: Vec<Enum>,
    /// Named types in spec order, then inline types in the order they were met.
    pub types: Vec<TypeDef>,
    /// Named types in C declaration order (a type before any type that embeds it).
    pub order: Vec<TypeId>,
    pub ioctls: Vec<Ioctl>,
    /// The kinds of fd the ioctls are called on: (name, Rust type name, doc).
    pub fds: Vec<(String, String, Option<String>)>,
    /// Function-like macros.
    pub macros: Vec<Macro>,
    /// The header's own ioctl number macros.
    pub ioctl_macros: Vec<IoctlMacro>,
    /// The header's own typedefs of integer types.
    pub typedefs: Vec<Typedef>,
    /// The integer names of the specs this one uses, with their C values and types as
    /// their headers define them (enumerators only of enums whose values all fit in `int`).
    pub imported: Vec<(String, CValue)>,
    /// Macros that are not integer constant expressions for gcc from C99 on: they shift a 1
    /// into a sign bit (`1 << 31`), or use such a macro. The header prints literals where C
    /// needs a constant (array lengths, enumerators, ioctl parts) instead of naming them.
    pub not_ice: BTreeSet<String>,
    /// [`Module::c_value_of`]'s index: every integer name with its C value (the first
    /// definition of a name wins), made once by [`Module::index_c_values`] after the
    /// module is resolved (a scan per lookup made naming n constants take n² steps).
    pub c_values: HashMap<String, CValue>,
    /// The kernel version each item arrived in (`since`), by C name (an anonymous enum's
    /// is on its enumerators); the items' docs end with it.
    pub since: BTreeMap<String, String>,
}

impl Module {
    /// The spec file name as the banner names it, e.g. `spec/vfio.yaml`.
    pub fn spec_label(&self) -> String {
        let p = &self.file.path;
        let file = p.file_name().map(|f| f.to_string_lossy().into_owned());
        match (p.parent().and_then(|d| d.file_name()), file) {
            (Some(d), Some(f)) => format!("{}/{}", d.to_string_lossy(), f),
            (None, Some(f)) => f,
            _ => p.display().to_string(),
        }
    }

    /// The named types this spec defines (not inline ones, not other specs'), in spec order.
    /// Which items exist on an ABI (by index into [`crate::abi::ABIS`]), in one list: two
    /// ABIs with equal lists have the same items.
    pub fn items_on(&self, abi: usize) -> Vec<bool> {
        let on = |a: AbiSet| a.contains(abi);
        self.constants
            .iter()
            .map(|c| on(c.abis))
            .chain(
                self.groups
                    .iter()
                    .flat_map(|g| &g.values)
                    .map(|v| on(v.abis)),
            )
            .chain(
                self.flag_sets
                    .iter()
                    .flat_map(|f| &f.bits)
                    .map(|v| on(v.abis)),
            )
            .chain(
                self.enums
                    .iter()
                    .flat_map(|e| &e.values)
                    .map(|v| on(v.abis)),
            )
            .chain(self.typedefs.iter().map(|t| on(t.abis)))
            .chain(self.types.iter().map(|t| on(t.abis)))
            .chain(self.ioctls.iter().map(|io| on(io.abis)))
            .collect()
    }

    pub fn named_types(&self) -> impl Iterator<Item = (TypeId, &TypeDef)> {
        self.types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.parent.is_none() && t.origin.is_none())
    }

    /// The spec a type comes from: `None` for this one, or another spec's module name (an
    /// inline type belongs to its parent's spec).
    pub fn origin(&self, mut id: TypeId) -> Option<&str> {
        while let Some((p, _)) = self.types[id].parent {
            id = p;
        }
        self.types[id].origin.as_deref()
    }
}
