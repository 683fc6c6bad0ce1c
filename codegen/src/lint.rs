//! `uapigen lint`: the kernel's uapi rules (Documentation/process/botching-up-ioctls.rst,
//! Documentation/driver-api/ioctl.rst, the IOMMU uapi extension rules) checked on a laid-out
//! spec, on every ABI. Each rule has a stable ID, a YAML location, an explanation and a fix
//! hint, and can be allowed per item in the spec with a written reason:
//! `allow: { L0101: "why this is fine" }` on a struct, union, field, flag set or ioctl. The
//! resolver checks those entries and keeps them in the IR; this module only reads the model.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::abi::AbiSet;
use crate::diag::Diagnostics;
use crate::ir::{Allow, PayloadKind, Scalar, Ty, TypeId};
use crate::model::Model;
pub use crate::rules::Rule;
use crate::spec::{Kind, Pass, Span};

/// One finding.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: Rule,
    pub span: Span,
    pub item: String,
    pub message: String,
    pub hint: String,
    /// The reason given in the spec, when the rule is allowed here.
    pub allowed: Option<String>,
}

/// Lint a compiled spec: every finding, the allowed ones with the reason the spec gives
/// (read from the IR: `allow` on [`ir::TypeDef`](crate::ir::TypeDef),
/// [`ir::Field`](crate::ir::Field), [`ir::FlagSet`](crate::ir::FlagSet) and
/// [`ir::Ioctl`](crate::ir::Ioctl)). The `Err` case is no longer produced: the `allow`
/// entries were checked when the spec was compiled (E0601); the signature is kept for
/// existing callers.
pub fn lint(model: &Model) -> Result<Vec<Finding>, Diagnostics> {
    let mut out = Vec::new();
    let m = &model.module;
    // `allows` is searched in order: the field's, then the item's.
    let mut push =
        |rule: Rule, span: Span, item: String, allows: &[&Allow], message: String, hint: String| {
            let allowed = allows.iter().find_map(|a| a.get(&rule)).cloned();
            out.push(Finding {
                rule,
                span,
                item,
                message,
                hint,
                allowed,
            });
        };
    // A struct or union declared once per architecture: each declaration is named with its
    // architectures (`struct kvm_regs (arm64)`), in the item and in every message.
    let mut declarations: HashMap<(Kind, &str), usize> = HashMap::new();
    for (_, t) in m.named_types() {
        *declarations
            .entry((t.kind, t.c_name.as_deref().unwrap_or("")))
            .or_default() += 1;
    }
    for (id, t) in m.named_types() {
        let name = t.c_name.as_deref().unwrap_or("");
        let path = format!("{} {name}", crate::ir::kind_word(t.kind));
        let arches = if declarations.get(&(t.kind, name)).copied().unwrap_or(0) > 1 {
            format!(" ({})", t.abis.describe_arches())
        } else {
            String::new()
        };
        struct_rules(model, id, &path, &arches, &mut push);
    }
    // Flag sets.
    for f in &m.flag_sets {
        let item = format!("flags {}", f.c_name);
        let mut seen: BTreeMap<i128, &str> = BTreeMap::new();
        for b in &f.bits {
            let v = b.value.value;
            if v > 0 && v & (v - 1) == 0 {
                if let Some(other) = seen.get(&v) {
                    push(
                        Rule::FlagOverlap,
                        b.span,
                        item.clone(),
                        &[&f.allow],
                        format!(
                            "`{}` and `{other}` are both bit {}",
                            b.c_name,
                            v.trailing_zeros()
                        ),
                        "give each flag its own bit".into(),
                    );
                }
                seen.insert(v, &b.c_name);
            }
        }
    }
    // Ioctls. The first ioctl with each number, per ABI: a duplicate names the first
    // earlier one with its number (one map per ABI instead of a scan of the earlier ones).
    let first: Vec<HashMap<u32, usize>> = model
        .layouts
        .iter()
        .enumerate()
        .map(|(abi, l)| {
            let mut seen = HashMap::with_capacity(l.ioctls.len());
            for (j, &nr) in l.ioctls.iter().enumerate() {
                if m.ioctls[j].abis.contains(abi) {
                    seen.entry(nr).or_insert(j);
                }
            }
            seen
        })
        .collect();
    for (i, io) in m.ioctls.iter().enumerate() {
        let item = format!("ioctl {}", io.c_name);
        if let (0, Some(Ty::Named(id)), Pass::Pointer) = (io.encoded_size(|_| 1), &io.arg, io.pass)
            && m.types[*id].extensible.is_none()
        {
            push(
                Rule::UnsizedPointerArg,
                io.span,
                item.clone(),
                &[&io.allow],
                format!(
                    "`{}` {} but passes a pointer to {}, which has no size field",
                    io.c_name,
                    match io.number {
                        crate::ir::Number::Literal(_) => "is a literal number (no size encoded)",
                        crate::ir::Number::Ioc { .. } => "encodes size 0",
                        crate::ir::Number::Io { .. } => "is `_IO`",
                    },
                    m.types[*id].display_name(m)
                ),
                "use `dir: read`/`write`/`read-write`, or make the struct `extensible` with argsz"
                    .into(),
            );
        }
        let dup = model
            .layouts
            .iter()
            .zip(&first)
            .enumerate()
            .find_map(|(abi, (l, first))| {
                if !io.abis.contains(abi) {
                    return None;
                }
                let nr = *l.ioctls.get(i)?;
                let j = *first.get(&nr)?;
                Some((l, nr, m.ioctls.get(j).filter(|_| j < i)?))
            });
        if let Some((l, nr, other)) = dup {
            push(Rule::DuplicateIoctl, io.span, item.clone(), &[&io.allow],
                format!("`{}` has the number {nr:#x} of `{}` on {}", io.c_name, other.c_name, l.abi.name),
                "give it its own `nr`, or allow it where the ioctls go to different file descriptors".into());
        }
        if crate::names::is_rust_keyword(&io.c_name.to_lowercase()) {
            push(
                Rule::KeywordName,
                io.span,
                item.clone(),
                &[&io.allow],
                format!("`{}` is a keyword", io.c_name),
                "rename it".into(),
            );
        }
    }
    out.sort_by(|a, b| {
        (a.span.line, a.span.column, a.rule).cmp(&(b.span.line, b.span.column, b.rule))
    });
    Ok(out)
}

/// The layouts of the ABIs an item exists on.
fn layouts_on(model: &Model, abis: AbiSet) -> impl Iterator<Item = &crate::layout::Layout> {
    model
        .layouts
        .iter()
        .enumerate()
        .filter(move |(i, _)| abis.contains(*i))
        .map(|(_, l)| l)
}

type Push<'a> = dyn FnMut(Rule, Span, String, &[&Allow], String, String) + 'a;

/// The rules of one named struct or union `path` (`struct vfio_device_info`); `arches` is
/// ` (x86)` for a declaration of a type declared once per architecture, else empty.
fn struct_rules(model: &Model, id: TypeId, path: &str, arches: &str, push: &mut Push<'_>) {
    let m = &model.module;
    let t = &m.types[id];
    let item = &format!("{path}{arches}");
    // Padding, per ABI (named once, with the ABIs it happens on).
    let mut holes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for l in layouts_on(model, t.abis) {
        for h in &l.types[id].holes {
            let what = match h.before {
                Some(i) => format!(
                    "{} byte hole before `{}`",
                    h.size,
                    t.fields[i].c_name.as_deref().unwrap_or("<anonymous>")
                ),
                None => format!("{} bytes of tail padding", h.size),
            };
            holes.entry(what).or_default().push(l.abi.name);
        }
    }
    for (what, abis) in &holes {
        push(
            Rule::ImplicitPadding,
            t.span,
            item.to_owned(),
            &[&t.allow],
            format!("{item} has {what} on {}", abis.join(", ")),
            "add explicit padding fields (`reserved: true`) so that every byte is named".into(),
        );
    }
    // Layout differences between ABIs (compared with the first ABI the type exists on).
    // ABIs by the names messages use (`powerpc32`, `mips32`).
    let first_abi = t.abis.iter().next().unwrap_or(0);
    let host = &model.layouts[first_abi].types[id];
    let differs = t
        .abis
        .iter()
        .filter(|&i| {
            let l = &model.layouts[i].types[id];
            l.size != host.size || l.offsets != host.offsets
        })
        .fold(AbiSet::EMPTY, |s, i| s | AbiSet::one(i));
    if !differs.is_empty() {
        push(Rule::AbiLayoutDiffers, t.span, item.to_owned(), &[&t.allow],
            format!("{item} has another size or other field offsets on {} than on {} ({} bytes)", differs.describe(), AbiSet::one(first_abi).describe(), host.size),
            "use __aligned_u64 and explicit padding; or make the ioctl argsz-sized and translate in compat_ioctl".into());
    }
    let has64 = t.fields.iter().any(|f| matches!(f.ty.element(), Ty::Scalar(Scalar::Int(i) | Scalar::Aligned(i)) if i.bytes() == 8));
    if has64 && t.kind == Kind::Struct {
        let odd: Vec<String> = layouts_on(model, t.abis)
            .filter(|l| l.types[id].size % 8 != 0)
            .map(|l| format!("{} ({})", l.abi.name, l.types[id].size))
            .collect();
        if !odd.is_empty() {
            push(
                Rule::SizeNotMultipleOf8,
                t.span,
                item.to_owned(),
                &[&t.allow],
                format!(
                    "{item} has 64-bit members but its size is not a multiple of 8 on {}",
                    odd.join(", ")
                ),
                "add an explicit padding field at the end".into(),
            );
        }
    }
    let size_first = t
        .fields
        .first()
        .and_then(|f| f.c_name.as_deref())
        .is_some_and(|n| n == "argsz" || n == "size");
    if size_first && t.extensible.is_none() && t.kind == Kind::Struct {
        push(Rule::SizeFieldWithoutModel, t.span, item.to_owned(), &[&t.allow],
            format!("{item} starts with `{}` but has no `extensible`", t.fields[0].c_name.as_deref().unwrap_or("")),
            "add `extensible: { size-field: argsz, style: minsz }` (VFIO) or `{ size-field: size, style: copy-struct }` (IOMMUFD)".into());
    }
    // A union payload must be last.
    if let Some(p) = &t.payload
        && let PayloadKind::Union { data } = p.kind
        && data + 1 < t.fields.len()
    {
        let f = &t.fields[data + 1];
        push(
            Rule::FieldAfterVariableUnion,
            f.span,
            item.to_owned(),
            &[&t.allow],
            format!(
                "`{}` follows the payload union of {item}",
                f.c_name.as_deref().unwrap_or("<anonymous>")
            ),
            "move the union to the end of the struct".into(),
        );
    }
    fields(model, id, path, arches, push);
}

/// The rules of the fields of `id`, whose path is `path` (`struct s`, `struct s.u`).
fn fields(model: &Model, id: TypeId, path: &str, arches: &str, push: &mut Push<'_>) {
    let m = &model.module;
    let t = &m.types[id];
    let item = &format!("{path}{arches}");
    for (i, f) in t.fields.iter().enumerate() {
        let name = f.c_name.clone().unwrap_or_else(|| "<anonymous>".into());
        let fpath = format!("{path}.{name}");
        // `struct s.b`, and for a per-architecture declaration `struct s.b` (x86).
        let fitem = format!("`{fpath}`{arches}");
        let lower = name.to_ascii_lowercase();
        match f.ty.element() {
            Ty::Ptr(_) => push(
                Rule::ForbiddenType,
                f.span,
                item.to_owned(),
                &[&f.allow, &t.allow],
                format!("{fitem} is a pointer"),
                "carry user pointers as `__u64` (u64)".into(),
            ),
            Ty::Scalar(Scalar::CHAR) if !matches!(f.ty, Ty::Array(..) | Ty::Flex(_)) => push(
                Rule::ForbiddenType,
                f.span,
                item.to_owned(),
                &[&f.allow, &t.allow],
                format!("{fitem} is a plain char used as a number"),
                "use u8 or s8".into(),
            ),
            _ => {}
        }
        // 64-bit members off their natural alignment somewhere.
        if matches!(f.ty.element(), Ty::Scalar(Scalar::Int(t64)) if t64.bytes() == 8) {
            let abis: Vec<&str> = layouts_on(model, t.abis)
                .filter(|l| l.types[id].offsets.get(i).is_some_and(|o| o % 8 != 0))
                .map(|l| l.abi.name)
                .collect();
            if !abis.is_empty() {
                push(
                    Rule::Unaligned64,
                    f.span,
                    item.to_owned(),
                    &[&f.allow, &t.allow],
                    format!("{fitem} is not 8-byte aligned on {}", abis.join(", ")),
                    "make it aligned_u64, or add padding before it".into(),
                );
            }
        }
        // A 64-bit integer named like a user address, not marked as one.
        let addressy = (lower.contains("addr")
            || lower.contains("uptr")
            || lower.ends_with("_va")
            || lower.ends_with("_ptr")
            || lower == "vaddr")
            && !["iova", "guest", "phys", "gpa", "ipa"]
                .iter()
                .any(|w| lower.contains(w));
        if addressy
            && !f.user_address
            && matches!(&f.ty, Ty::Scalar(Scalar::Int(i) | Scalar::Aligned(i)) if i.bytes() == 8)
        {
            push(
                Rule::UnmarkedAddress,
                f.span,
                item.to_owned(),
                &[&f.allow, &t.allow],
                format!("{fitem} looks like a user address but is not marked `user-address`"),
                "mark it `user-address: true` (its ioctl's wrapper becomes `unsafe`), or allow L0114 with the reason it holds none".into(),
            );
        }
        let flagsy = lower == "flags" || lower.ends_with("_flags");
        if flagsy
            && f.flags.is_none()
            && matches!(f.ty, Ty::Scalar(Scalar::Int(_) | Scalar::Aligned(_)))
            && t.kind == Kind::Struct
        {
            push(
                Rule::FlagsWithoutSet,
                f.span,
                item.to_owned(),
                &[&f.allow, &t.allow],
                format!("{fitem} has no flag set"),
                "declare the known bits under `flags:` and attach them with `flags:`".into(),
            );
        }
        let reservedy = ["reserved", "pad", "padding", "resv"].iter().any(|w| {
            let l = lower.trim_start_matches('_');
            l.strip_prefix(w)
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '_'))
        });
        if reservedy && !f.reserved && t.kind == Kind::Struct {
            push(
                Rule::ReservedWithoutRule,
                f.span,
                item.to_owned(),
                &[&f.allow, &t.allow],
                format!("{fitem} looks reserved but is not `reserved: true`"),
                "add `reserved: true`".into(),
            );
        }
        // C++ keywords never get here: resolve rejects them as names (E0102).
        if f.c_name
            .as_deref()
            .is_some_and(crate::names::is_rust_keyword)
        {
            push(
                Rule::KeywordName,
                f.span,
                item.to_owned(),
                &[&f.allow, &t.allow],
                format!("{fitem} is a Rust or C++ keyword"),
                "prefer another name in new interfaces".into(),
            );
        }
        if let Ty::Named(inner) = f.ty
            && m.types[inner].parent.is_some()
        {
            fields(model, inner, &fpath, arches, push);
        }
    }
}

/// One line per finding: `file:line:col: warning[L0101] implicit-padding: ... (hint: ...)`.
pub fn render(model: &Model, findings: &[Finding]) -> String {
    let mut s = String::new();
    let path = model.module.spec_label();
    for f in findings {
        let kind = if f.allowed.is_some() {
            "allowed"
        } else {
            "warning"
        };
        let _ = write!(
            s,
            "{path}:{}:{}: {kind}[{}] {}: {}",
            f.span.line,
            f.span.column,
            f.rule.id(),
            f.rule.name(),
            f.message
        );
        match &f.allowed {
            Some(r) => {
                let _ = writeln!(s, " (reason: {r})");
            }
            None => {
                let _ = writeln!(s, " (hint: {})", f.hint);
            }
        }
    }
    s
}

/// One finding on one line for build output (`Builder::lint`):
/// `file:line:col: L0101 implicit-padding: message (hint: ...)`, the file as the spec was
/// given (as in spec errors); an allowed finding ends in `(allowed: reason)` instead.
pub fn line(model: &Model, f: &Finding) -> String {
    let mut s = format!(
        "{}:{}:{}: {} {}: {}",
        model.module.file.path.display(),
        f.span.line,
        f.span.column,
        f.rule.id(),
        f.rule.name(),
        f.message
    );
    let _ = match &f.allowed {
        Some(r) => write!(s, " (allowed: {r})"),
        None => write!(s, " (hint: {})", f.hint),
    };
    // One line, whatever a name or reason holds (cargo reads `cargo:` lines).
    s.replace(['\n', '\r'], " ")
}

/// Findings as JSON.
pub fn json(model: &Model, findings: &[Finding]) -> serde_json::Value {
    serde_json::json!({
        "spec": model.module.spec_label(),
        "findings": findings.iter().map(|f| serde_json::json!({
            "rule": f.rule.id(),
            "name": f.rule.name(),
            "line": f.span.line,
            "column": f.span.column,
            "item": f.item,
            "message": f.message,
            "hint": f.hint,
            "allowed": f.allowed,
        })).collect::<Vec<_>>(),
    })
}
