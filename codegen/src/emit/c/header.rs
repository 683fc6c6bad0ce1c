//! The C uapi header: a drop-in for the kernel's, in its style (kernel-doc comments, flags
//! defined right after their field, `_IO*` numbers kept symbolic).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::abi::AbiSet;
use crate::expr::{self, CType, CValue, Expr};
use crate::ir::{
    ConstValue, Field, IntValue, Module, NamedValue, Number, Scalar, Ty, TypeId, kind_word,
};
use crate::model::Model;
use crate::spec::Dir;

/// Text safe inside a C block comment.
/// Text inside a C comment: no comment ends or starts, and no trigraph (`??/` at a line's
/// end would even join the next line): a backslash goes between two question marks.
pub(crate) fn comment_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = None;
    for c in s.replace("*/", "* /").replace("/*", "/ *").chars() {
        if c == '?' && prev == Some('?') {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// A C string literal of the same bytes: `\\` and `"` escaped, and `?` too, so that no
/// `??x` becomes a trigraph (C90/C11 without GNU); every byte other than printable ASCII
/// as three octal digits (`\032`, which no digit after it can extend). The resolver admits
/// no NUL.
fn c_string(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        if matches!(b, b'\\' | b'"' | b'?') {
            out.push('\\');
            out.push(char::from(b));
        } else if b.is_ascii_graphic() || b == b' ' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    out.push('"');
    out
}

/// A block comment (` * ` lines) at the given indentation.
pub(crate) fn block(out: &mut String, indent: &str, text: &str) {
    for line in comment_text(text).lines() {
        if line.trim().is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {}", line.trim_end());
        }
    }
}

/// A doc on one line, `/* ... */`, before a macro.
fn line_comment(out: &mut String, doc: &Option<String>) {
    if let Some(d) = doc {
        let _ = writeln!(out, "/* {} */", comment_text(&one_line(d)));
    }
}

/// A doc's lines joined into one.
fn one_line(d: &str) -> String {
    d.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

fn doc_comment(out: &mut String, indent: &str, doc: &Option<String>) {
    if let Some(d) = doc {
        let _ = writeln!(out, "{indent}/*");
        block(out, indent, d);
        let _ = writeln!(out, "{indent} */");
    }
}

/// The C spelling of a type around a declarator name: (`struct foo *`, `[4]`).
pub fn c_type(m: &Module, ty: &Ty) -> (String, String) {
    c_type_as(m, ty, None)
}

/// [`c_type`], with the integer at its core spelled `leaf` (the typedef a member names).
fn c_type_as(m: &Module, ty: &Ty, leaf: Option<&str>) -> (String, String) {
    match ty {
        Ty::Scalar(_) | Ty::Named(_) if let Some(name) = leaf => (name.to_owned(), String::new()),
        Ty::Scalar(Scalar::Int(t)) => (t.c_name().into(), String::new()),
        Ty::Scalar(Scalar::Aligned(t)) => match t.signed() {
            false => ("__aligned_u64".into(), String::new()),
            true => ("__s64".into(), " __attribute__((aligned(8)))".into()),
        },
        Ty::Scalar(s) => (s.c_name().into(), String::new()),
        Ty::Void => ("void".into(), String::new()),
        Ty::Const(t) => {
            let (l, r) = c_type_as(m, t, leaf);
            (format!("const {l}"), r)
        }
        Ty::Ptr(t) => {
            let (l, r) = c_type_as(m, t, leaf);
            match l.ends_with('*') {
                true => (format!("{l}*"), r),
                false => (format!("{l} *"), r),
            }
        }
        Ty::Named(id) => (m.types[*id].c_spelling(), String::new()),
        Ty::Array(t, n, e) => {
            let (l, r) = c_type_as(m, t, leaf);
            (l, format!("[{}]{r}", c_int(m, e, i128::from(*n), None)))
        }
        Ty::Flex(t) => {
            let (l, r) = c_type_as(m, t, leaf);
            (l, format!("[]{r}"))
        }
    }
}

/// `struct foo`, `__u8[16]`: a type name without a declarator (for `_IOR` and `sizeof`).
pub fn c_type_name(m: &Module, ty: &Ty) -> String {
    let (l, r) = c_type(m, ty);
    let l = l.trim_end();
    if r.is_empty() {
        l.to_owned()
    } else {
        format!("{l}{r}")
    }
}

pub(crate) fn define(out: &mut String, name: &str, body: &str) {
    let pad = 40usize.saturating_sub(8 + name.len()).max(1);
    let _ = writeln!(out, "#define {name}{}{body}", " ".repeat(pad));
}

/// C's value and type of a name the header defines as an integer (see
/// [`Module::c_value_of`]).
fn name_value(m: &Module, name: &str) -> Option<CValue> {
    m.c_value_of(name)
}

/// [`name_value`] of a name whose macro is an integer constant expression (for array
/// lengths, enumerators and ioctl parts, which must be).
fn ice_name_value(m: &Module, name: &str) -> Option<CValue> {
    if m.not_ice.contains(name) {
        None
    } else {
        m.c_value_of(name)
    }
}

/// The C spelling of an expression whose C value is `value` (of type `ty`, when given): as
/// written when C computes exactly that from it on every ABI (see [`Expr::c_exact`]),
/// otherwise a literal of the value (of type `ty`, or the smallest of `int`, `unsigned int`,
/// `long long`, `unsigned long long`) with the expression in a comment.
fn c_int(m: &Module, e: &Expr, value: i128, ty: Option<CType>) -> String {
    if e.c_exact_ice(value, ty, &|n| ice_name_value(m, n)) {
        // A `?:` binds looser than anything it can stand in (a macro body, a macro's
        // argument spliced into `(x) + 1` by a header's own wrapper).
        return match e {
            Expr::Cond(..) => format!("({})", e.to_c()),
            _ => e.to_c(),
        };
    }
    let c = CValue::new(value, c_int_type(m, e, value, ty));
    let lit = expr::c_literal(c, e.prefers_hex());
    match e {
        Expr::Num(..) => lit,
        _ => format!("{lit} /* {} */", comment_text(&e.to_c())),
    }
}

/// The C type of what [`c_int`] prints: the expression's when it prints the expression,
/// else the literal's (on 64-bit ABIs).
pub(crate) fn c_int_type(m: &Module, e: &Expr, value: i128, ty: Option<CType>) -> CType {
    c_int_type_on(m, e, value, ty, 8)
}

/// [`c_int_type`] on an ABI whose `long` has `long_bytes` bytes.
fn c_int_type_on(m: &Module, e: &Expr, value: i128, ty: Option<CType>, long_bytes: u64) -> CType {
    if e.c_exact_ice(value, ty, &|n| ice_name_value(m, n)) {
        let exact = e.eval(&mut |n| name_value(m, n).ok_or(expr::NameError::Unknown));
        if let Ok(x) = exact {
            return x.c.ty_on(long_bytes);
        }
    }
    ty.unwrap_or_else(|| CType::of_value(value))
}

/// The C type of an integer the header prints for an ioctl (a part of its number, or a
/// literal number) on an ABI whose `long` has `long_bytes` bytes.
pub(crate) fn ioctl_value_type(m: &Module, v: &IntValue, long_bytes: u64) -> CType {
    c_int_type_on(m, &v.expr, v.value, None, long_bytes)
}

/// [`c_int`] of an [`IntValue`] for a macro body: parenthesised unless it is an atom.
fn c_int_macro(m: &Module, v: &IntValue) -> String {
    let e = &v.expr;
    if e.c_exact(v.c.value, Some(v.c.ty), &|n| name_value(m, n)) {
        return e.to_c_macro();
    }
    let lit = expr::c_literal(v.c, e.prefers_hex());
    let lit = if lit.starts_with('-') {
        format!("({lit})")
    } else {
        lit
    };
    match e {
        Expr::Num(..) => lit,
        _ => format!("{lit} /* {} */", comment_text(&e.to_c())),
    }
}

fn value_body(m: &Module, v: &IntValue) -> String {
    c_int_macro(m, v)
}

/// The macros of a group or flag set whose own ABIs are `outer`; a value of fewer ABIs is
/// guarded on its own.
fn named_values(out: &mut String, m: &Module, values: &[NamedValue], outer: AbiSet) {
    let mut guard = Guard::new(outer);
    for v in values {
        guard.set(out, v.abis);
        line_comment(out, &v.doc);
        define(out, &v.c_name, &value_body(m, &v.value));
    }
    guard.close(out);
}

/// Which flag sets and groups are printed right after which field.
#[derive(Default)]
struct Attachments {
    flags: BTreeSet<usize>,
    groups: BTreeSet<usize>,
}

impl Attachments {
    fn collect(m: &Module) -> Self {
        let mut a = Attachments::default();
        for &id in &m.order {
            a.walk(m, id);
        }
        // Inside a struct of some architectures, a set that exists elsewhere too would be
        // hidden there: such sets are printed on their own.
        for t in &m.types {
            for f in &t.fields {
                if let Some(s) = f.flags
                    && m.flag_sets[s].abis != t.abis
                {
                    a.flags.remove(&s);
                }
                if let Some(g) = f.group
                    && m.groups[g].abis != t.abis
                {
                    a.groups.remove(&g);
                }
            }
        }
        // A set whose values an enumerator or an array length needs (directly or through other
        // macros) is printed before the enums and structs, not inside the struct of its first
        // field: the macros must be defined where they are expanded.
        let early = early_names(m);
        for (i, g) in m.groups.iter().enumerate() {
            if g.values.iter().any(|v| early.contains(v.c_name.as_str())) {
                a.groups.remove(&i);
            }
        }
        for (i, f) in m.flag_sets.iter().enumerate() {
            if f.bits.iter().any(|v| early.contains(v.c_name.as_str())) {
                a.flags.remove(&i);
            }
        }
        a
    }
    fn walk(&mut self, m: &Module, id: TypeId) {
        for f in &m.types[id].fields {
            if let Some(s) = f.flags {
                self.flags.insert(s);
            }
            if let Some(g) = f.group {
                self.groups.insert(g);
            }
            if let Ty::Named(inner) = f.ty
                && m.types[inner].parent.is_some()
            {
                self.walk(m, inner);
            }
        }
    }
}

/// The names that enumerator values and array lengths use, and the names those use in turn.
fn early_names(m: &Module) -> BTreeSet<String> {
    fn lengths(ty: &Ty, out: &mut Vec<String>) {
        match ty {
            Ty::Array(t, _, e) => {
                e.names(out);
                lengths(t, out);
            }
            Ty::Ptr(t) | Ty::Flex(t) | Ty::Const(t) => lengths(t, out),
            Ty::Scalar(_) | Ty::Named(_) | Ty::Void => {}
        }
    }
    let mut todo = Vec::new();
    for e in &m.enums {
        for v in &e.values {
            if let Some(x) = &v.expr {
                x.names(&mut todo);
            }
        }
    }
    for t in &m.types {
        for f in &t.fields {
            lengths(&f.ty, &mut todo);
        }
    }
    let mut exprs: BTreeMap<&str, &Expr> = BTreeMap::new();
    for c in &m.constants {
        if let ConstValue::Int(v) = &c.value {
            exprs.entry(&c.c_name).or_insert(&v.expr);
        }
    }
    for v in m
        .groups
        .iter()
        .flat_map(|g| &g.values)
        .chain(m.flag_sets.iter().flat_map(|f| &f.bits))
    {
        exprs.entry(&v.c_name).or_insert(&v.value.expr);
    }
    let mut seen = BTreeSet::new();
    while let Some(n) = todo.pop() {
        if let Some(e) = exprs.get(n.as_str())
            && !seen.contains(&n)
        {
            e.names(&mut todo);
        }
        seen.insert(n);
    }
    seen
}

/// `#if`/`#endif` around runs of items that exist on some architectures only: an item is
/// never defined where it would be wrong. Consecutive items of one set share a block.
struct Guard {
    /// The ABIs of the header itself: items of these need no condition of their own.
    outer: AbiSet,
    open: Option<AbiSet>,
}

impl Guard {
    fn new(outer: AbiSet) -> Self {
        Guard { outer, open: None }
    }

    /// Before an item on `abis`.
    fn set(&mut self, out: &mut String, abis: AbiSet) {
        let want = (abis != self.outer).then_some(abis);
        if want == self.open {
            return;
        }
        self.close(out);
        if let Some(a) = want {
            let _ = writeln!(out, "#if {}", a.c_cond().unwrap_or_else(|| "1".into()));
            self.open = Some(a);
        }
    }

    fn close(&mut self, out: &mut String) {
        if self.open.take().is_some() {
            let _ = writeln!(out, "#endif");
        }
    }
}

/// `_IOR`, `_IOW` or `_IOWR` for a direction that encodes a size.
fn io_macro(d: Dir) -> &'static str {
    match d {
        Dir::Read => "_IOR",
        Dir::Write => "_IOW",
        _ => "_IOWR",
    }
}

/// The uapi header.
pub fn header(model: &Model) -> String {
    let m = &model.module;
    let mut out = String::new();
    // The kernel's uapi headers start with it too.
    if let Some(l) = &m.license {
        let _ = writeln!(out, "/* SPDX-License-Identifier: {l} */");
    }
    let _ = writeln!(out, "/*");
    let _ = writeln!(
        out,
        " * @generated by uapigen from {}. Do not edit.",
        m.spec_label()
    );
    if let Some(s) = &m.source {
        let text = comment_text(s);
        let mut lines = text.lines().map(str::trim_end);
        let _ = writeln!(out, " * Facts from: {}", lines.next().unwrap_or(""));
        for line in lines {
            if line.is_empty() {
                let _ = writeln!(out, " *");
            } else {
                let _ = writeln!(out, " *   {line}");
            }
        }
    }
    if let Some(d) = &m.doc {
        let _ = writeln!(out, " *");
        block(&mut out, "", d);
    }
    let _ = writeln!(out, " */");
    let _ = writeln!(out, "#ifndef {}", m.guard);
    let _ = writeln!(out, "#define {}", m.guard);
    let _ = writeln!(out);
    let _ = writeln!(out, "#include <linux/types.h>");
    for inc in &m.includes {
        let _ = writeln!(out, "#include <{inc}>");
    }
    if !m.ioctls.is_empty() {
        let _ = writeln!(out, "#include <linux/ioctl.h>");
    }
    for (_, header) in &m.uses {
        let _ = writeln!(out, "#include <{header}>");
    }
    // A header of some architectures only: its items exist there alone.
    let whole = m.abis.c_cond();
    if let Some(c) = &whole {
        let _ = writeln!(out);
        let _ = writeln!(out, "#if {c}");
    }
    let mut guard = Guard::new(m.abis);

    if !m.constants.is_empty() {
        let _ = writeln!(out);
        for c in &m.constants {
            guard.set(&mut out, c.abis);
            line_comment(&mut out, &c.doc);
            match &c.value {
                ConstValue::Int(v) => define(&mut out, &c.c_name, &value_body(m, v)),
                ConstValue::Str(s) => define(&mut out, &c.c_name, &c_string(s)),
            }
        }
        guard.close(&mut out);
    }

    let attached = Attachments::collect(m);
    let mut printed_flags = BTreeSet::new();
    let mut printed_groups = BTreeSet::new();
    for (i, g) in m.groups.iter().enumerate() {
        if !attached.groups.contains(&i) {
            guard.set(&mut out, g.abis);
            let _ = writeln!(out);
            doc_comment(
                &mut out,
                "",
                &g.doc.as_ref().map(|d| format!("{}: {d}", g.c_name)),
            );
            named_values(&mut out, m, &g.values, g.abis);
            printed_groups.insert(i);
        }
    }
    for (i, f) in m.flag_sets.iter().enumerate() {
        if !attached.flags.contains(&i) {
            guard.set(&mut out, f.abis);
            let _ = writeln!(out);
            doc_comment(
                &mut out,
                "",
                &f.doc.as_ref().map(|d| format!("{}: {d}", f.c_name)),
            );
            named_values(&mut out, m, &f.bits, f.abis);
            printed_flags.insert(i);
        }
    }
    for e in &m.enums {
        guard.set(&mut out, e.abis);
        let _ = writeln!(out);
        doc_comment(&mut out, "", &e.doc);
        match &e.c_name {
            Some(n) => {
                let _ = writeln!(out, "enum {n} {{");
            }
            None if e.typedef.is_some() => {
                let _ = writeln!(out, "typedef enum {{");
            }
            None => {
                let _ = writeln!(out, "enum {{");
            }
        }
        // An enumerator of fewer ABIs than its enum is guarded; those after it give their
        // value, which C would otherwise count differently where it is missing.
        let mut inner = Guard::new(e.abis);
        let mut counted = true;
        // With limited enumerators, commas lead (`, NAME`): C90 has no comma after the last
        // enumerator, and which one is last differs by ABI (the first is on all of them).
        let leading = e.values.iter().any(|v| v.abis != e.abis);
        for (i, v) in e.values.iter().enumerate() {
            inner.set(&mut out, v.abis);
            let (lead, comma) = match (leading, i) {
                (true, 0) => ("", ""),
                (true, _) => (", ", ""),
                (false, _) if i + 1 == e.values.len() => ("", ""),
                (false, _) => ("", ","),
            };
            let value = match &v.expr {
                Some(x) => format!(" = {}", c_int(m, x, v.value, None)),
                None if !counted => format!(" = {}", v.value),
                None => String::new(),
            };
            counted &= v.abis == e.abis;
            let doc = v
                .doc
                .as_ref()
                .map(|d| format!("\t/* {} */", comment_text(&one_line(d))))
                .unwrap_or_default();
            let _ = writeln!(out, "\t{lead}{}{value}{comma}{doc}", v.c_name);
        }
        inner.close(&mut out);
        match &e.typedef {
            Some(t) => {
                let _ = writeln!(out, "}} {t};");
            }
            None => {
                let _ = writeln!(out, "}};");
            }
        }
    }

    for t in &m.typedefs {
        // An untagged enum's typedef is printed with the enum; a typedef of a tagless
        // struct after the struct, which it cannot declare ahead as it would a tag.
        if m.enums
            .iter()
            .any(|e| e.typedef.as_ref() == Some(&t.c_name))
            || matches!(t.ty, crate::ir::TypedefTy::Record(id) if m.types[id].tagless && m.origin(id).is_none())
        {
            continue;
        }
        guard.set(&mut out, t.abis);
        let _ = writeln!(out);
        doc_comment(&mut out, "", &t.doc);
        // `typedef struct atreq atreq_t;` may come before the struct: it declares the tag.
        let ty = match t.ty {
            crate::ir::TypedefTy::Int(s) => Ty::Scalar(s),
            crate::ir::TypedefTy::Record(id) => Ty::Named(id),
        };
        let (base, _) = c_type(m, &ty);
        let base = t.enum_tag.as_ref().map_or(base, |e| format!("enum {e}"));
        if t.is_macro {
            let _ = writeln!(out, "#define {} {base}", t.c_name);
        } else {
            let _ = writeln!(out, "typedef {base} {};", t.c_name);
        }
    }

    for &id in &m.order {
        let t = &m.types[id];
        guard.set(&mut out, t.abis);
        let _ = writeln!(out);
        kernel_doc(&mut out, m, id);
        let name = t.c_name.as_deref().unwrap_or("");
        match t.tagless {
            true => writeln!(out, "typedef {} {{", kind_word(t.kind)),
            false => writeln!(out, "{} {name} {{", kind_word(t.kind)),
        }
        .unwrap_or(());
        let mut ctx = Printed {
            flags: &mut printed_flags,
            groups: &mut printed_groups,
        };
        members(&mut out, m, id, 1, &mut ctx);
        match t.tagless {
            true => writeln!(out, "}}{} {name};", type_attrs(t)),
            false => writeln!(out, "}}{};", type_attrs(t)),
        }
        .unwrap_or(());
        for td in m
            .typedefs
            .iter()
            .filter(|td| td.ty == crate::ir::TypedefTy::Record(id))
        {
            if t.tagless {
                doc_comment(&mut out, "", &td.doc);
                let _ = writeln!(out, "typedef {name} {};", td.c_name);
            }
        }
    }
    guard.close(&mut out);

    if !m.macros.is_empty() {
        let _ = writeln!(out);
        for x in &m.macros {
            line_comment(&mut out, &x.doc);
            let head = format!("{}({})", x.c_name, x.params.join(", "));
            define(&mut out, &head, &x.body.to_c_macro_params(&x.params));
        }
    }

    if !m.ioctl_macros.is_empty() {
        let _ = writeln!(out);
        for x in &m.ioctl_macros {
            line_comment(&mut out, &x.doc);
            let ty = c_int(m, &x.ty.expr, x.ty.value, None);
            let (params, body) = match x.dir {
                Dir::None => ("nr", format!("_IO({ty}, nr)")),
                d => ("nr, type", format!("{}({ty}, nr, type)", io_macro(d))),
            };
            define(&mut out, &format!("{}({params})", x.c_name), &body);
        }
    }

    if !m.ioctls.is_empty() {
        let _ = writeln!(out);
        for io in &m.ioctls {
            guard.set(&mut out, io.abis);
            line_comment(&mut out, &io.doc);
            let int = |v: &IntValue| c_int(m, &v.expr, v.value, None);
            let wrapper = io.wrapper.and_then(|w| m.ioctl_macros.get(w));
            let body = match (&io.number, io.dir, &io.arg) {
                // The header's own macro (`SECCOMP_IOWR(0, struct seccomp_notif)`).
                (Number::Io { nr, .. }, Dir::None, _) | (Number::Io { nr, .. }, _, None)
                    if let Some(x) = wrapper =>
                {
                    format!("{}({})", x.c_name, int(nr))
                }
                (Number::Io { nr, .. }, _, Some(a)) if let Some(x) = wrapper => {
                    format!("{}({}, {})", x.c_name, int(nr), c_type_name(m, a))
                }
                (Number::Literal(v), ..) => int(v),
                (Number::Io { ty, nr }, Dir::None, _) | (Number::Io { ty, nr }, _, None) => {
                    format!("_IO({}, {})", int(ty), int(nr))
                }
                (Number::Io { ty, nr }, d, Some(a)) => {
                    format!(
                        "{}({}, {}, {})",
                        io_macro(d),
                        int(ty),
                        int(nr),
                        c_type_name(m, a)
                    )
                }
                (Number::Ioc { ty, nr, size }, d, a) => {
                    let dir = match d {
                        Dir::None => "_IOC_NONE",
                        Dir::Read => "_IOC_READ",
                        Dir::Write => "_IOC_WRITE",
                        Dir::ReadWrite => "_IOC_READ | _IOC_WRITE",
                    };
                    let size = match (size, a) {
                        (Some(s), _) => int(s),
                        (None, Some(a)) => format!("sizeof({})", c_type_name(m, a)),
                        (None, None) => "0".into(),
                    };
                    format!("_IOC({dir}, {}, {}, {size})", int(ty), int(nr))
                }
            };
            define(&mut out, &io.c_name, &body);
        }
        guard.close(&mut out);
    }
    if let Some(c) = &whole {
        let _ = writeln!(out);
        let _ = writeln!(out, "#endif /* {c} */");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "#endif /* {} */", m.guard);
    out
}

struct Printed<'a> {
    flags: &'a mut BTreeSet<usize>,
    groups: &'a mut BTreeSet<usize>,
}

/// `/** struct foo - summary` with `@member:` lines, kernel-doc style.
fn kernel_doc(out: &mut String, m: &Module, id: TypeId) {
    let t = &m.types[id];
    let name = t.c_name.as_deref().unwrap_or("");
    let mut docs = Vec::new();
    member_docs(m, id, "", &mut docs);
    if t.doc.is_none() && docs.is_empty() {
        return;
    }
    let (summary, rest) = match &t.doc {
        Some(d) => {
            let mut parts = d.splitn(2, "\n\n");
            let summary = parts
                .next()
                .unwrap_or("")
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            (summary, parts.next().map(str::to_owned))
        }
        None => (String::new(), None),
    };
    let _ = writeln!(out, "/**");
    let _ = writeln!(
        out,
        " * {} {name} - {}",
        kind_word(t.kind),
        comment_text(&summary)
    );
    for (path, d) in &docs {
        let _ = writeln!(out, " * @{path}: {}", comment_text(&one_line(d)));
    }
    if let Some(r) = rest {
        let _ = writeln!(out, " *");
        block(out, "", &r);
    }
    let _ = writeln!(out, " */");
}

fn member_docs(m: &Module, id: TypeId, prefix: &str, out: &mut Vec<(String, String)>) {
    for f in &m.types[id].fields {
        let path = f.c_name.as_ref().map(|n| format!("{prefix}{n}"));
        if let (Some(p), Some(d)) = (&path, &f.doc) {
            out.push((p.clone(), d.clone()));
        }
        if let Ty::Named(inner) = f.ty
            && m.types[inner].parent.is_some()
        {
            let pre = path.map_or_else(|| prefix.to_owned(), |p| format!("{p}."));
            member_docs(m, inner, &pre, out);
        }
    }
}

fn members(out: &mut String, m: &Module, id: TypeId, depth: usize, printed: &mut Printed) {
    let indent = "\t".repeat(depth);
    for f in &m.types[id].fields {
        field(out, m, f, &indent, depth, printed);
        if let Some(s) = f.flags
            && printed.flags.insert(s)
        {
            named_values(out, m, &m.flag_sets[s].bits, m.flag_sets[s].abis);
        }
        if let Some(g) = f.group
            && printed.groups.insert(g)
        {
            named_values(out, m, &m.groups[g].values, m.groups[g].abis);
        }
    }
}

/// The GNU attributes after a type's closing brace, as the kernel writes them.
fn type_attrs(t: &crate::ir::TypeDef) -> String {
    match (t.packed, t.aligned) {
        (true, _) => " __attribute__((packed))".into(),
        (false, Some(n)) => format!(" __attribute__((aligned({n})))"),
        (false, None) => String::new(),
    }
}

fn field(
    out: &mut String,
    m: &Module,
    f: &Field,
    indent: &str,
    depth: usize,
    printed: &mut Printed,
) {
    let name = f.c_name.as_deref().unwrap_or("");
    if let Ty::Named(inner) = &f.ty {
        let t = &m.types[*inner];
        if t.parent.is_some() {
            let _ = writeln!(out, "{indent}{} {{", kind_word(t.kind));
            members(out, m, *inner, depth + 1, printed);
            let sep = if name.is_empty() { "" } else { " " };
            let _ = writeln!(out, "{indent}}}{}{sep}{name};", type_attrs(t));
            return;
        }
    }
    let tag = f.enum_tag.as_ref().map(|e| format!("enum {e}"));
    let leaf = f
        .typedef
        .and_then(|t| m.typedefs.get(t))
        .map(|t| t.c_name.as_str())
        .or(tag.as_deref());
    let (l, r) = c_type_as(m, &f.ty, leaf);
    let sep = if l.ends_with('*') { "" } else { "\t" };
    let attr = match (f.packed, f.aligned) {
        (true, _) => " __attribute__((packed))".to_owned(),
        (false, Some(a)) => format!(" __attribute__((aligned({a})))"),
        (false, None) => String::new(),
    };
    let width = f.bits.map_or_else(String::new, |w| format!(" : {w}"));
    let _ = writeln!(out, "{indent}{l}{sep}{name}{r}{attr}{width};");
}
