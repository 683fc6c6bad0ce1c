//! Rust checks of untrusted bytes: `MIN_SIZE`/`KNOWN_FLAGS` and `check` of extensible and
//! reserved-field structs, and `validate`, the same checks as the C helper.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::tokens::{check_errno, ident, int_lit, int_of, int_ty, read_int, rust_ty, what};
use crate::check::{Check, Program, RuleCheck};
use crate::ir::{BitCount, Cond, Extensible, IntTy, Module, PayloadKind, TypeId};
use crate::model::Model;
use crate::spec::Style;

/// `validate`: every check the C helper `<name>_validate` makes, in the same order.
pub(crate) fn validate(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let doc = format!(
        " Check `bytes` holding a `struct {c_name}` as the kernel does (and as the C helper `{c_name}_validate` does)."
    );
    let body = match &t.payload {
        Some(p) => {
            let pn = ident(&p.rust_name);
            match p.kind {
                PayloadKind::Trailing { .. } | PayloadKind::Union { .. } => match p.unless {
                    // A probe reads no payload: the header, the tag and the rules only.
                    Some(u) => {
                        let read = header_read(model, id);
                        let Some(pc) = model.program(id).and_then(Program::payload) else {
                            return quote!();
                        };
                        let tags = pc.arms.iter().map(|a| int_lit(a.tag, false));
                        let unknown = check_errno(pc.unknown);
                        let tag_w = what(m, id, &t.fields[p.tag_field]);
                        let tag_n = ident(&t.fields[p.tag_field].rust_name);
                        let ul = int_lit(u, true);
                        let after = after_payload_rules(model, id, &quote!(bytes));
                        let ops = ops_check(model, id);
                        quote! {
                            #read
                            if header.#tag_n & #ul != 0 {
                                if ![#(#tags),*].contains(&header.tag_of()) {
                                    return Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value"));
                                }
                                #ops
                                #after
                                return Ok(());
                            }
                            #pn::decode(bytes).map(|_| ())
                        }
                    }
                    None => quote!(#pn::decode(bytes).map(|_| ())),
                },
                PayloadKind::Pointer { .. } | PayloadKind::Entries { .. } => {
                    let read = header_read(model, id);
                    let Some(pc) = model.program(id).and_then(Program::payload) else {
                        return quote!();
                    };
                    let tags = pc.arms.iter().map(|a| int_lit(a.tag, false));
                    let unknown = check_errno(pc.unknown);
                    let tag_w = what(m, id, &t.fields[p.tag_field]);
                    quote! {
                        #read
                        let _ = bytes;
                        if [#(#tags),*].contains(&header.tag_of()) {
                            Ok(())
                        } else {
                            Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value"))
                        }
                    }
                }
            }
        }
        None => quote!(Self::check(bytes).map(|_| ())),
    };
    let with = validate_with(model, id);
    quote! {
        impl #h {
            #[doc = #doc]
            pub fn validate(bytes: &[u8]) -> ::core::result::Result<(), ::uapigen_runtime::Reject> {
                #body
            }
            #with
        }
    }
}

/// `validate_with(bytes, limit, ...)`: `validate` and the rules with run-time limits, in
/// program order. Those rules come before the payload (the resolver sees to it), so
/// `check_limits` makes every check before the payload, and `validate` the rest.
fn validate_with(model: &Model, id: TypeId) -> TokenStream {
    let t = &model.module.types[id];
    if !model.program(id).is_some_and(Program::has_limits) {
        return quote!();
    }
    let c_name = t.c_name.as_deref().unwrap_or("");
    let names: Vec<_> = t.runtime.iter().map(|l| ident(&l.name)).collect();
    let params_doc = t.runtime.iter().map(|l| {
        let d = format!(
            " - `{}`: {}",
            l.name,
            l.doc.as_deref().unwrap_or("").replace('\n', " ")
        );
        quote!(#[doc = #d])
    });
    let doc = format!(
        " `validate` with the checks that need what only the running kernel knows, given by the caller (as the C helper `{c_name}_validate_with` does):"
    );
    quote! {
        #[doc = #doc]
        #(#params_doc)*
        pub fn validate_with(bytes: &[u8], #(#names: u64),*) -> ::core::result::Result<(), ::uapigen_runtime::Reject> {
            Self::check_limits(bytes, Some(&[#(#names),*]))?;
            Self::validate(bytes)
        }
    }
}

/// One check of the program as Rust statements, on `bytes` (the argument), `size` (the
/// size field, once read) and `buf` (the bytes the struct is read from, zero-extended when
/// shorter); `readable`: the struct is `FromBytes`, so `v` holds it.
fn statement(m: &Module, id: TypeId, check: &Check, readable: bool) -> TokenStream {
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let size_what = |field: usize| what(m, id, &t.fields[field]);
    match check {
        Check::SizeField { field, errno } => {
            let (w, e) = (size_what(*field), check_errno(*errno));
            quote! {
                let Some(size) = ::uapigen_runtime::get::<u32>(bytes, 0) else {
                    return Err(::uapigen_runtime::Reject::new(#e, #w, "the buffer does not hold the size field"));
                };
                let size = size as usize;
            }
        }
        Check::MinSize { errno, .. } => {
            let w = t
                .extensible
                .as_ref()
                .map(|x| size_what(x.size_field))
                .unwrap_or_default();
            let e = check_errno(*errno);
            quote! {
                if size < Self::MIN_SIZE {
                    return Err(::uapigen_runtime::Reject::new(#e, #w, "smaller than the minimum size"));
                }
            }
        }
        Check::WithinBuffer { errno } => {
            let w = t
                .extensible
                .as_ref()
                .map(|x| size_what(x.size_field))
                .unwrap_or_default();
            let e = check_errno(*errno);
            quote! {
                if size > bytes.len() {
                    return Err(::uapigen_runtime::Reject::new(#e, #w, "larger than the buffer"));
                }
            }
        }
        Check::MandatoryInBuffer { errno } => {
            let w = t
                .extensible
                .as_ref()
                .map(|x| size_what(x.size_field))
                .unwrap_or_default();
            let e = check_errno(*errno);
            quote! {
                if bytes.len() < Self::MIN_SIZE {
                    return Err(::uapigen_runtime::Reject::new(#e, #w, "the buffer does not hold the mandatory part"));
                }
            }
        }
        Check::ClampToBuffer => quote! {
            // The kernel reads only what it needs: a larger size field is no error by itself.
            let size = ::core::cmp::min(size, bytes.len());
        },
        Check::Rule(r) => rule(m, id, r, &quote!(buf)),
        Check::UnknownTailZero { errno } => {
            let w = t
                .extensible
                .as_ref()
                .map(|x| size_what(x.size_field))
                .unwrap_or_default();
            let e = check_errno(*errno);
            quote! {
                if !::uapigen_runtime::all_zero(bytes, ::core::mem::size_of::<Self>(), size) {
                    return Err(::uapigen_runtime::Reject::new(#e, #w, "bytes past the end this revision knows are not zero"));
                }
            }
        }
        Check::WholeStruct { errno } => {
            let e = check_errno(*errno);
            quote! {
                return Err(::uapigen_runtime::Reject::new(#e, #c_name, "shorter than the struct"));
            }
        }
        Check::KnownFlags { field, errno, .. } => {
            let f = &t.fields[*field];
            let ft = int_ty(int_of(f).unwrap_or(IntTy::U32));
            let read = if readable {
                read_int(f, quote!(v))
            } else {
                let n = ident(&f.rust_name);
                quote!(::uapigen_runtime::get::<#ft>(buf, ::core::mem::offset_of!(#name, #n)).unwrap_or(0))
            };
            let (w, e) = (what(m, id, f), check_errno(*errno));
            quote! {
                if #read & !Self::KNOWN_FLAGS != 0 {
                    return Err(::uapigen_runtime::Reject::new(#e, #w, "unknown flag bits are set"));
                }
            }
        }
        Check::ReservedZero { field, errno } => {
            let f = &t.fields[*field];
            let n = ident(&f.rust_name);
            let (w, e) = (what(m, id, f), check_errno(*errno));
            let ty = rust_ty(m, &f.ty);
            // A fixed-size compare: one load and compare for the usual small reserved fields.
            quote! {
                if !::uapigen_runtime::zero_at::<{ ::core::mem::size_of::<#ty>() }>(buf, ::core::mem::offset_of!(#name, #n)) {
                    return Err(::uapigen_runtime::Reject::new(#e, #w, "reserved field is not zero"));
                }
            }
        }
        // Printed by the payload decoders and `validate`.
        Check::Payload(_) => quote!(),
    }
}

/// A field read as the unsigned `u64` the C helper's `uapigen_load` gives.
fn load(m: &Module, id: TypeId, i: usize, src: &TokenStream) -> TokenStream {
    let t = &m.types[id];
    let f = &t.fields[i];
    let name = ident(&t.rust_name);
    let n = ident(&f.rust_name);
    let ut = match int_of(f).map_or(4, IntTy::bytes) {
        1 => quote!(u8),
        2 => quote!(u16),
        8 => quote!(u64),
        _ => quote!(u32),
    };
    quote!((::uapigen_runtime::get::<#ut>(#src, ::core::mem::offset_of!(#name, #n)).unwrap_or(0) as u64))
}

/// A rule of the spec on the bytes `src`: `if !unless && violated { return Err(..) }`.
pub(crate) fn rule(m: &Module, id: TypeId, r: &RuleCheck, src: &TokenStream) -> TokenStream {
    let t = &m.types[id];
    if let Cond::Nested { field, ty } = &r.cond {
        // The member's own checks on its bytes; their answer is the answer.
        let (outer, inner) = (ident(&t.rust_name), ident(&m.types[*ty].rust_name));
        let n = ident(&t.fields[*field].rust_name);
        return quote! {
            {
                let off = ::core::mem::offset_of!(#outer, #n);
                let end = off + ::core::mem::size_of::<#inner>();
                #inner::validate((#src).get(off..end).unwrap_or(&[]))?;
            }
        };
    }
    // A rule of a struct member reads that member's fields, from its offset on.
    let (fid, src) = match r.member {
        Some((mi, inner)) => {
            let (outer, n) = (ident(&t.rust_name), ident(&t.fields[mi].rust_name));
            (
                inner,
                quote!((#src).get(::core::mem::offset_of!(#outer, #n)..).unwrap_or(&[])),
            )
        }
        None => (id, src.clone()),
    };
    let src = &src;
    let rd = |i: usize| load(m, fid, i, src);
    let t = &m.types[fid];
    let lit = |v: i128| int_lit(v, true);
    let limit = |i: usize| {
        if i == 0 {
            return quote!(limits.and_then(<[u64]>::first).copied());
        }
        let i = Literal::usize_unsuffixed(i);
        quote!(limits.and_then(|l| l.get(#i)).copied())
    };
    let (violated, field, msg) = match &r.cond {
        Cond::SumLimit { a, b, limit: i } => {
            let (x, y, l) = (rd(*a), rd(*b), limit(*i));
            (
                quote!(#l.is_some_and(|l| (#x as u128) + (#y as u128) > l as u128)),
                *a,
                format!(
                    "the sum with `{}` is more than the run-time limit `{}`",
                    t.fields[*b].c_name.as_deref().unwrap_or(""),
                    t.runtime.get(*i).map_or("", |l| l.name.as_str())
                ),
            )
        }
        Cond::BelowLimit { field, limit: i } => {
            let (x, l) = (rd(*field), limit(*i));
            (
                quote!(#l.is_some_and(|l| #x >= l)),
                *field,
                format!(
                    "not below the run-time limit `{}`",
                    t.runtime.get(*i).map_or("", |l| l.name.as_str())
                ),
            )
        }
        Cond::Room {
            flag_field,
            if_set,
            ty,
        } => {
            let (x, s) = (rd(*flag_field), lit(*if_set));
            let rt = rust_ty(m, ty);
            let need = quote!(Self::MIN_SIZE + ::core::mem::size_of::<#rt>());
            let argsz = quote!((::uapigen_runtime::get::<u32>(bytes, 0).unwrap_or(0) as usize));
            let set = quote!(#x & #s != 0);
            let (w, e) = (
                what(
                    m,
                    id,
                    &t.fields[t.extensible.as_ref().map_or(0, |e| e.size_field)],
                ),
                check_errno(r.errno),
            );
            let guard = |v: TokenStream| guard(m, id, r, src, v);
            let (room, fault) = (
                guard(quote!(#set && #argsz < #need)),
                guard(quote!(#set && bytes.len() < #need)),
            );
            return quote! {
                if #room {
                    return Err(::uapigen_runtime::Reject::new(#e, #w, "the size field leaves no room for the data these flags need"));
                }
                if #fault {
                    return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Fault, #w, "the buffer does not hold the data these flags need"));
                }
            };
        }
        Cond::Bits { field, mask, count } => {
            let k = rd(*field);
            let mk = lit(*mask);
            let n = quote!((#k & #mk).count_ones());
            match count {
                BitCount::ExactlyOne => (
                    quote!(#n != 1),
                    *field,
                    format!("not exactly one bit of {mask:#x} is set"),
                ),
                BitCount::AtMostOne => (
                    quote!(#n > 1),
                    *field,
                    format!("more than one bit of {mask:#x} is set"),
                ),
                BitCount::AtLeastOne => (
                    quote!(#n == 0),
                    *field,
                    format!("no bit of {mask:#x} is set"),
                ),
            }
        }
        Cond::IfSet {
            field,
            if_set,
            bits,
            requires,
        } => {
            let (x, s, b) = (rd(*field), lit(*if_set), lit(*bits));
            if *requires {
                (
                    quote!(#x & #s != 0 && #x & #b != #b),
                    *field,
                    format!("bits {if_set:#x} require bits {bits:#x}"),
                )
            } else {
                (
                    quote!(#x & #s != 0 && #x & #b != 0),
                    *field,
                    format!("bits {if_set:#x} exclude bits {bits:#x}"),
                )
            }
        }
        Cond::ZeroIf {
            flag_field,
            if_set,
            zero,
        } => {
            let (x, s) = (rd(*flag_field), lit(*if_set));
            let any = zero.iter().map(|&z| {
                let v = rd(z);
                quote!(#v != 0)
            });
            (
                quote!(#x & #s != 0 && (#(#any)||*)),
                zero.first().copied().unwrap_or(*flag_field),
                format!("bits {if_set:#x} require these fields to be zero"),
            )
        }
        Cond::NonZero { field } => {
            let x = rd(*field);
            (quote!(#x == 0), *field, "must not be zero".to_owned())
        }
        Cond::Known { field, mask } => {
            let (x, mk) = (
                rd(*field),
                Literal::u64_suffixed(u64::try_from(*mask).unwrap_or(0)),
            );
            (
                quote!(#x & !#mk != 0),
                *field,
                format!("bits outside {mask:#x} are set"),
            )
        }
        Cond::Equals { field, value } => {
            let (x, v) = (
                rd(*field),
                Literal::u64_suffixed(u64::try_from(*value).unwrap_or(0)),
            );
            (quote!(#x != #v), *field, format!("is not {value:#x}"))
        }
        Cond::NonZeroIf {
            flag_field,
            if_set,
            non_zero,
        } => {
            let (x, s) = (rd(*flag_field), lit(*if_set));
            let any = non_zero.iter().map(|&z| {
                let v = rd(z);
                quote!(#v == 0)
            });
            (
                quote!(#x & #s != 0 && (#(#any)||*)),
                non_zero.first().copied().unwrap_or(*flag_field),
                format!("bits {if_set:#x} require these fields to be non-zero"),
            )
        }
        Cond::Nested { field, .. } => (quote!(false), *field, String::new()),
        Cond::SumMax { a, b, max } => {
            let (x, y) = (rd(*a), rd(*b));
            let mx = Literal::u128_unsuffixed(u128::try_from(*max).unwrap_or(0));
            (
                quote!((#x as u128) + (#y as u128) > #mx),
                *a,
                format!(
                    "the sum with `{}` is more than {max:#x}",
                    t.fields[*b].c_name.as_deref().unwrap_or("")
                ),
            )
        }
        Cond::In { field, values } => {
            let x = rd(*field);
            let vs = values
                .iter()
                .map(|v| Literal::u64_suffixed(u64::try_from(*v).unwrap_or(0)));
            (
                quote!(![#(#vs),*].contains(&#x)),
                *field,
                "not one of the values the kernel accepts".to_owned(),
            )
        }
        Cond::Below { field, bound } => {
            let x = rd(*field);
            let b = Literal::u128_unsuffixed(u128::try_from(*bound).unwrap_or(0));
            (
                quote!((#x as u128) >= #b),
                *field,
                format!("not below {bound:#x}"),
            )
        }
        Cond::ZeroTogether { a, b } => {
            let (x, y) = (rd(*a), rd(*b));
            (
                quote!((#x == 0) != (#y == 0)),
                *b,
                format!(
                    "zero and `{}` not, or the other way round",
                    t.fields[*a].c_name.as_deref().unwrap_or("")
                ),
            )
        }
    };
    let cond = guard(m, id, r, src, violated);
    let (w, e) = (what(m, id, &t.fields[field]), check_errno(r.errno));
    quote! {
        if #cond {
            return Err(::uapigen_runtime::Reject::new(#e, #w, #msg));
        }
    }
}

/// The operations a known tag's variant does not support (`ops`): any of them set in the
/// tag field is rejected, also in a probe; after the unknown-tag check (an unknown tag
/// denies nothing here) and before the payload is read. Empty without `ops`.
pub(crate) fn ops_check(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let Some(pc) = model.program(id).and_then(Program::payload) else {
        return quote!();
    };
    if pc.arms.iter().all(|a| a.denied_ops == 0) {
        return quote!();
    }
    let f = &t.fields[pc.tag_field];
    let (tag_n, tag_t) = (ident(&f.rust_name), int_ty(int_of(f).unwrap_or(IntTy::U32)));
    let arms = pc.arms.iter().filter(|a| a.denied_ops != 0).map(|a| {
        let (tag, mask) = (int_lit(a.tag, false), int_lit(a.denied_ops, true));
        quote!(#tag => #mask,)
    });
    let (w, e) = (what(m, id, f), check_errno(pc.ops_errno));
    quote! {
        let denied: #tag_t = match header.tag_of() {
            #(#arms)*
            _ => 0,
        };
        if header.#tag_n & denied != 0 {
            return Err(::uapigen_runtime::Reject::new(#e, #w, "an operation this variant does not support"));
        }
    }
}

/// `violated` under the rule's `if-non-zero` and `unless`.
fn guard(
    m: &Module,
    id: TypeId,
    r: &RuleCheck,
    src: &TokenStream,
    violated: TokenStream,
) -> TokenStream {
    let violated = match r.if_non_zero {
        Some(nz) => {
            let g = load(m, id, nz, src);
            quote!(#g != 0 && (#violated))
        }
        None => violated,
    };
    match r.unless {
        Some((uf, mask)) => {
            let (u, mk) = (load(m, id, uf, src), int_lit(mask, true));
            quote!(#u & #mk == 0 && (#violated))
        }
        None => violated,
    }
}

/// The rules checked after the payload, on `src`.
pub(crate) fn after_payload_rules(model: &Model, id: TypeId, src: &TokenStream) -> TokenStream {
    let Some(program) = model.program(id) else {
        return quote!();
    };
    let stmts = program
        .checks
        .iter()
        .skip_while(|c| !matches!(c, Check::Payload(_)))
        .filter_map(|c| match c {
            Check::Rule(r) => Some(rule(&model.module, id, r, src)),
            _ => None,
        });
    quote!(#(#stmts)*)
}

/// The statements of the checks that read fields (known flags, reserved fields, the rules
/// checked before the payload), in program order.
fn field_checks(m: &Module, id: TypeId, program: &Program, readable: bool) -> TokenStream {
    let stmts = program
        .checks
        .iter()
        .take_while(|c| !matches!(c, Check::Payload(_)))
        .filter(|c| {
            matches!(
                c,
                Check::KnownFlags { .. } | Check::ReservedZero { .. } | Check::Rule(_)
            )
        })
        .map(|c| statement(m, id, c, readable));
    quote!(#(#stmts)*)
}

/// `check` of the struct's program: of an extensible struct (size field, minimum size,
/// bounds, unknown tail, known flags, reserved fields) or of a fixed-size struct with
/// reserved fields (long enough, reserved fields zero). A struct with a pointer is not
/// `FromBytes` (it cannot be read from bytes): its `check` makes the same checks on the
/// bytes and returns `()`.
pub(crate) fn check_fn(model: &Model, id: TypeId, readable: bool) -> TokenStream {
    let m = &model.module;
    let Some(program) = model.program(id) else {
        return quote!();
    };
    match &m.types[id].extensible {
        Some(e) => extensible(m, id, e, program, readable),
        None => plain_check(m, id, program, readable),
    }
}

fn plain_check(m: &Module, id: TypeId, program: &Program, readable: bool) -> TokenStream {
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let reserved = field_checks(m, id, program, readable);
    let short = program
        .checks
        .iter()
        .find(|c| matches!(c, Check::WholeStruct { .. }))
        .map(|c| statement(m, id, c, readable))
        .unwrap_or_default();
    if !readable {
        let doc = format!(
            " Check untrusted bytes holding a `struct {c_name}`: long enough (EINVAL), reserved fields zero (EINVAL). The struct holds a pointer, so it is not read from the bytes."
        );
        return quote! {
            impl #name {
                #[doc = #doc]
                pub fn check(bytes: &[u8]) -> ::core::result::Result<(), ::uapigen_runtime::Reject> {
                    let Some(buf) = bytes.get(..::core::mem::size_of::<Self>()) else {
                        #short
                    };
                    // A zeroed value, only for the sizes of the reserved fields.
                    let v: Self = ::uapigen_runtime::Zeroable::zeroed();
                    #reserved
                    Ok(())
                }
            }
        };
    }
    let doc = format!(
        " Check untrusted bytes holding a `struct {c_name}` and read it: long enough (EINVAL), reserved fields zero (EINVAL)."
    );
    quote! {
        impl #name {
            #[doc = #doc]
            pub fn check(bytes: &[u8]) -> ::core::result::Result<Self, ::uapigen_runtime::Reject> {
                let (Some(v), Some(buf)) = (::uapigen_runtime::get::<Self>(bytes, 0), bytes.get(..::core::mem::size_of::<Self>())) else {
                    #short
                };
                #reserved
                Ok(v)
            }
        }
    }
}

fn extensible(
    m: &Module,
    id: TypeId,
    e: &Extensible,
    program: &Program,
    readable: bool,
) -> TokenStream {
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let size_what = what(m, id, &t.fields[e.size_field]);
    let known = match program.known_flags() {
        Some((fi, mask)) => {
            let ft = int_ty(int_of(&t.fields[fi]).unwrap_or(IntTy::U32));
            let lit = int_lit(mask, true);
            quote! {
                /// Every flag bit this revision knows; others are rejected.
                pub const KNOWN_FLAGS: #ft = #lit;
            }
        }
        None => quote!(),
    };
    // The checks of the size field and of the bytes past the struct come first; those that
    // read fields come after the struct is read.
    let size_checks = program
        .checks
        .iter()
        .filter(|c| {
            matches!(
                c,
                Check::SizeField { .. }
                    | Check::MinSize { .. }
                    | Check::WithinBuffer { .. }
                    | Check::MandatoryInBuffer { .. }
                    | Check::ClampToBuffer
                    | Check::UnknownTailZero { .. }
            )
        })
        .map(|c| statement(m, id, c, readable));
    let fields = field_checks(m, id, program, readable);
    let style_doc = match e.style {
        Style::Minsz => {
            " Like the kernel (VFIO style): the size field must be at least `MIN_SIZE` (EINVAL) and no larger than `bytes` (EFAULT); unknown flags and non-zero reserved fields give EINVAL; bytes past what this revision knows are ignored."
        }
        Style::CopyStruct => {
            " Like the kernel's `copy_struct_from_user` (IOMMUFD style): the size field must be at least `MIN_SIZE` (EINVAL) and no larger than `bytes` (EFAULT); a shorter struct is zero-extended; non-zero bytes past what this revision knows give E2BIG; unknown flags and non-zero reserved fields give EOPNOTSUPP."
        }
    };
    let (c_doc, ret, read, ok) = if readable {
        (
            format!(" Check untrusted bytes holding a `struct {c_name}` and read it."),
            quote!(Self),
            quote! {
                let Some(v) = ::uapigen_runtime::get::<Self>(buf, 0) else {
                    return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #size_what, "the buffer is too short"));
                };
            },
            quote!(Ok(v)),
        )
    } else {
        (
            format!(
                " Check untrusted bytes holding a `struct {c_name}` (it holds a pointer, so it is not read from the bytes)."
            ),
            quote!(()),
            quote! {
                // A zeroed value, only for the sizes of the reserved fields.
                let v: Self = ::uapigen_runtime::Zeroable::zeroed();
                let _ = &v;
            },
            quote!(Ok(())),
        )
    };
    // With run-time limits: `check` is `check_limits` without them.
    let (sig, wrapper) = if program.has_limits() {
        (
            quote! {
                #[doc(hidden)]
                /// `check` with the run-time limits (in `runtime:` order; `None`: not checked).
                pub fn check_limits(bytes: &[u8], limits: Option<&[u64]>) -> ::core::result::Result<#ret, ::uapigen_runtime::Reject>
            },
            quote! {
                #[doc = #c_doc]
                #[doc = ""]
                #[doc = #style_doc]
                #[doc = ""]
                #[doc = " The rules with run-time limits are not checked: `validate_with` checks them."]
                pub fn check(bytes: &[u8]) -> ::core::result::Result<#ret, ::uapigen_runtime::Reject> {
                    Self::check_limits(bytes, None)
                }
            },
        )
    } else {
        (
            quote! {
                #[doc = #c_doc]
                #[doc = ""]
                #[doc = #style_doc]
                pub fn check(bytes: &[u8]) -> ::core::result::Result<#ret, ::uapigen_runtime::Reject>
            },
            quote!(),
        )
    };
    quote! {
        impl #name {
            #known
            #wrapper
            #sig {
                #(#size_checks)*
                // A struct shorter than this revision's reads as zero-extended; a whole
                // one is read in place.
                let mut short = [0u8; ::core::mem::size_of::<#name>()];
                let buf: &[u8] = if size >= short.len() {
                    bytes
                } else {
                    short[..size].copy_from_slice(&bytes[..size]);
                    &short
                };
                #read
                #fields
                #ok
            }
        }
    }
}

pub(crate) fn header_read(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let w = t.c_name.clone().unwrap_or_default();
    if t.extensible.is_none() && (model.facts.has_reserved(id) || !t.rules.is_empty()) {
        return quote! {
            let header = #h::check(bytes)?;
        };
    }
    if let Some(e) = &t.extensible {
        // `check` read the size field and bounded it by `bytes`.
        let sf = ident(&t.fields[e.size_field].rust_name);
        quote! {
            let header = #h::check(bytes)?;
            let size = header.#sf as usize;
            let bytes = bytes.get(..size).unwrap_or(bytes);
        }
    } else {
        quote! {
            let Some(header) = ::uapigen_runtime::get::<#h>(bytes, 0) else {
                return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #w, "shorter than the struct"));
            };
        }
    }
}
