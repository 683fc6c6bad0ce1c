//! The fact catalogue: every value, size, alignment and offset of a spec on one ABI, with
//! the C expression that computes it. The assertion file, the conformance probes and the
//! tests all read it.

use crate::abi::{ABIS, Abi};
use crate::expr::{CType, CValue};
use crate::ir::{ConstValue, IntTy, IntValue, Ioctl, Module, Number};
use crate::layout::field_paths;
use crate::model::Model;
use crate::spec::Dir;

/// One checkable fact: what the C compiler must agree on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// `size:vfio_foo`, `align:vfio_foo`, `offset:vfio_foo.bar`, `const:NAME`, `ioctl:NAME`,
    /// and `ctype:NAME`, the C type of a macro: `10 * sizeof + 1` when signed (41 is `int`,
    /// 40 `unsigned int`, 80 a 64-bit unsigned type).
    pub key: String,
    /// A C expression of type `unsigned long long` that computes the fact.
    pub c_expr: String,
    pub value: u64,
}

pub(crate) fn cast(v: &IntValue) -> String {
    format!("(unsigned long long)({})", v.ty.c_name())
}

/// Every fact of a model for one ABI (by index into [`crate::abi::ABIS`]), in a stable order.
pub fn facts(model: &Model, abi: usize) -> Vec<Fact> {
    let mut out = Vec::new();
    walk_facts(model, abi, &mut |key, c_expr, value| {
        out.push(Fact {
            key: key(),
            c_expr: c_expr(),
            value,
        });
    });
    out
}

/// The values of [`facts`] alone, in the same order, without building their text.
pub(crate) fn fact_values(model: &Model, abi: usize) -> Vec<u64> {
    let mut out = Vec::new();
    walk_facts(model, abi, &mut |_, _, value| out.push(value));
    out
}

/// Text of a fact, built only when the visitor asks for it.
type Lazy<'a> = &'a dyn Fn() -> String;

/// Visit every fact of one ABI in the stable order of [`facts`]: `(key, C expression,
/// value)`.
fn walk_facts(model: &Model, abi: usize, visit: &mut dyn FnMut(Lazy, Lazy, u64)) {
    let m = &model.module;
    let l = &model.layouts[abi];
    // `long` is pointer-sized on every Linux ABI.
    let long_bytes = ABIS[abi].pointer;
    let mut int = |name: &str, v: &IntValue| {
        visit(
            &|| format!("const:{name}"),
            &|| format!("{}({name})", cast(v)),
            c_value(v.ty, v.value),
        );
        visit(
            &|| format!("ctype:{name}"),
            &|| c_type_expr(name),
            c_type_code(v.c.ty_on(long_bytes)),
        );
    };
    // Only what exists on this ABI.
    let on = |abis: crate::abi::AbiSet| abis.contains(abi);
    for c in m.constants.iter().filter(|c| on(c.abis)) {
        if let ConstValue::Int(v) = &c.value {
            int(&c.c_name, v);
        }
    }
    for g in &m.groups {
        for v in g.values.iter().filter(|v| on(v.abis)) {
            int(&v.c_name, &v.value);
        }
    }
    for f in &m.flag_sets {
        for v in f.bits.iter().filter(|v| on(v.abis)) {
            int(&v.c_name, &v.value);
        }
    }
    // A string: its size with the terminating NUL, and each byte.
    for c in m.constants.iter().filter(|c| on(c.abis)) {
        let ConstValue::Str(s) = &c.value else {
            continue;
        };
        let name = &c.c_name;
        visit(
            &|| format!("strsize:{name}"),
            &|| format!("(unsigned long long)sizeof({name})"),
            s.len() as u64 + 1,
        );
        for (i, b) in s.bytes().enumerate() {
            visit(
                &|| format!("strbyte:{name}[{i}]"),
                &|| format!("(unsigned long long)(unsigned char)({name})[{i}]"),
                u64::from(b),
            );
        }
    }
    for e in &m.enums {
        for v in e.values.iter().filter(|v| on(v.abis)) {
            visit(
                &|| format!("enum:{}", v.c_name),
                &|| format!("(unsigned long long)({})({})", e.ty.c_name(), v.c_name),
                c_value(e.ty, v.value),
            );
        }
    }
    // A typedef: its size and signedness (as a macro's C type), `10 * sizeof + signed`.
    // (A typedef of a struct or union is the type itself, whose layout has its facts.)
    for (t, ty) in m
        .typedefs
        .iter()
        .filter(|t| on(t.abis))
        .filter_map(|t| match t.ty {
            crate::ir::TypedefTy::Int(s) => Some((t, s)),
            crate::ir::TypedefTy::Record(_) => None,
        })
    {
        let (size, _) = ty.size_align(&ABIS[abi]);
        let signed = match ty {
            crate::ir::Scalar::Int(i) | crate::ir::Scalar::Aligned(i) => i.signed(),
            s => s.c_int(&ABIS[abi]).is_some_and(|c| c.signed(&ABIS[abi])),
        };
        visit(
            &|| format!("typedef:{}", t.c_name),
            &|| {
                format!(
                    "(unsigned long long)(sizeof({0}) * 10 + (({0})-1 < 1))",
                    t.c_name
                )
            },
            size * 10 + u64::from(signed),
        );
    }
    for (id, t) in m.named_types().filter(|(_, t)| on(t.abis)) {
        let name = t.c_name.as_deref().unwrap_or("");
        let c = || t.c_spelling();
        visit(
            &|| format!("size:{name}"),
            &|| format!("(unsigned long long)sizeof({})", c()),
            l.types[id].size,
        );
        visit(
            &|| format!("align:{name}"),
            &|| format!("(unsigned long long)__alignof__({})", c()),
            l.types[id].align,
        );
        for p in field_paths(m, l, id) {
            visit(
                &|| format!("offset:{name}.{}", p.path),
                &|| {
                    format!(
                        "(unsigned long long)__builtin_offsetof({}, {})",
                        c(),
                        p.path
                    )
                },
                p.offset,
            );
        }
    }
    // Macros exist where the header does.
    for x in m.macros.iter().filter(|_| on(m.abis)) {
        for (k, args) in x.samples().iter().enumerate() {
            let Some(r) = x.call(m, args) else {
                // C leaves this call undefined: no fact.
                continue;
            };
            let call = || macro_call(x, args);
            visit(
                &|| format!("call:{}", call()),
                &|| format!("(unsigned long long)({})", call()),
                if r.ty.signed {
                    r.value as i64 as u64
                } else {
                    r.value as u64
                },
            );
            if k == 0 {
                visit(
                    &|| format!("ctype:{}", call()),
                    &|| c_type_expr(&call()),
                    c_type_code(r.ty),
                );
            }
        }
    }
    // The header's own ioctl macros, applied to number 0 and a one-byte type.
    for x in m.ioctl_macros.iter().filter(|_| on(m.abis)) {
        let (call, size) = match x.dir {
            Dir::None => (format!("{}(0)", x.c_name), 0),
            _ => (format!("{}(0, __u8)", x.c_name), 1),
        };
        visit(
            &|| format!("ioctlmacro:{}", x.c_name),
            &|| format!("(unsigned long long)(__u32)({call})"),
            u64::from(
                ABIS[abi]
                    .ioctl
                    .encode(x.dir, (x.ty.value & 0xff) as u32, 0, size),
            ),
        );
    }
    for (i, io) in m.ioctls.iter().enumerate().filter(|(_, io)| on(io.abis)) {
        visit(
            &|| format!("ioctl:{}", io.c_name),
            &|| format!("(unsigned long long)(__u32)({})", io.c_name),
            u64::from(l.ioctls[i]),
        );
        visit(
            &|| format!("ctype:{}", io.c_name),
            &|| c_type_expr(&io.c_name),
            c_type_code(ioctl_c_type(m, io, &ABIS[abi])),
        );
    }
}

/// `NAME((__u32)3, (__u32)0)`: a call of a function-like macro with arguments of its type.
pub fn macro_call(x: &crate::ir::Macro, args: &[i128]) -> String {
    let lit_ty = crate::expr::promoted(x.param_ty.bytes() * 8, x.param_ty.signed());
    let args: Vec<String> = args
        .iter()
        .map(|v| {
            let lit = crate::expr::c_literal(CValue::new(*v, lit_ty), false);
            format!("({}){lit}", x.param_ty.c_name())
        })
        .collect();
    format!("{}({})", x.c_name, args.join(", "))
}

/// The C expression of a `ctype:` fact: `10 * sizeof(NAME) + 1` for a signed type
/// (`(T)-1 < 1` holds exactly for signed `T`, and compares with 1 so that no compiler calls
/// it always true or false).
fn c_type_expr(name: &str) -> String {
    format!("(unsigned long long)(sizeof({name}) * 10 + ((__typeof__({name}))-1 < 1))")
}

fn c_type_code(t: CType) -> u64 {
    u64::from(t.bits / 8) * 10 + u64::from(t.signed)
}

/// The C type of `_IOC(dir, type, nr, size)` as `<asm-generic/ioctl.h>` (and the powerpc,
/// mips, sparc, alpha and parisc variants) compute it: the direction is an `unsigned int`
/// (`_IOC_NONE` is `0U`, ...), `type` and `nr` keep the types of what the header prints for
/// them through the shifts, and the
/// size of `_IOR`/`_IOW`/`_IOWR` is `sizeof`, a `size_t` (pointer-sized, unsigned); `_IO`
/// passes the `int` 0. alpha casts the whole to `unsigned int`. A literal number has its own
/// C type (`0x4C00` is an `int`).
fn ioctl_c_type(m: &Module, io: &Ioctl, abi: &Abi) -> CType {
    let part = |v: &IntValue| super::header::ioctl_value_type(m, v, abi.pointer);
    let size_t = CType {
        bits: u32::try_from(abi.pointer * 8).unwrap_or(64),
        signed: false,
    };
    let (ty, nr, size) = match &io.number {
        Number::Literal(v) => return part(v),
        Number::Io { ty, nr } => (
            ty,
            nr,
            if io.dir == Dir::None {
                CType::INT
            } else {
                size_t
            },
        ),
        Number::Ioc { ty, nr, size } => (
            ty,
            nr,
            match (size, &io.arg) {
                (Some(s), _) => part(s),
                (None, Some(_)) => size_t,
                (None, None) => CType::INT,
            },
        ),
    };
    if abi.ioctl.uint_cast {
        return CType::UINT;
    }
    [part(ty), part(nr), size]
        .into_iter()
        .fold(CType::UINT, CType::common)
}

/// `(unsigned long long)(T)(v)` as C computes it: wrapped to `T`, then sign-extended for a
/// signed `T`.
fn c_value(ty: IntTy, v: i128) -> u64 {
    let w = ty.wrap(v);
    if ty.signed() {
        w as i64 as u64
    } else {
        w as u64 & mask(ty.bytes())
    }
}

pub(crate) fn mask(bytes: u64) -> u64 {
    if bytes >= 8 {
        u64::MAX
    } else {
        (1u64 << (bytes * 8)) - 1
    }
}
