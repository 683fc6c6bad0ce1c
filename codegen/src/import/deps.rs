//! The kernel headers a header includes, as drafts it uses (`Options::deps`): which
//! includes uapigen models itself, unique spec names, and the order (used before users).

use std::collections::BTreeSet;

use super::draft::{Head, Item};
use super::fold::{AbiItems, Placed};

/// Rounds of following includes (each finds the includes of the last round's headers).
pub const MAX_ROUNDS: usize = 8;

/// Headers whose names the format has built in (`__u32`, `__kernel_*`, `_IO*`), or that
/// only set up the compiler: never imported as a dependency.
pub fn modelled(header: &str) -> bool {
    let file = header.rsplit('/').next().unwrap_or(header);
    let dir = header.split('/').next().unwrap_or("");
    matches!(
        header,
        "linux/types.h"
            | "linux/posix_types.h"
            | "linux/ioctl.h"
            | "linux/stddef.h"
            | "linux/const.h"
    ) || (matches!(dir, "asm" | "asm-generic")
        && (file == "types.h"
            || file.starts_with("posix_types")
            || file == "ioctl.h"
            || file == "bitsperlong.h"
            || file.starts_with("int-l")
            || file == "sgidefs.h"))
}

/// A spec name per header, unique: the file name, or with its folders where two share it.
pub fn unique_names(headers: &[String]) -> Vec<String> {
    let short: Vec<String> = headers.iter().map(|h| super::fold::spec_name(h)).collect();
    headers
        .iter()
        .zip(&short)
        .map(|(h, s)| {
            if short.iter().filter(|x| *x == s).count() > 1 {
                super::fold::spec_name(&h.trim_end_matches(".h").replace('/', "_"))
            } else {
                s.clone()
            }
        })
        .collect()
}

/// Every header after the headers it includes (a cycle of includes is cut where found).
pub fn order(headers: &[String], views: &[Vec<Option<Result<AbiItems, String>>>]) -> Vec<usize> {
    let includes = |h: usize| direct(h, headers, views);
    let mut out = Vec::new();
    let mut state = vec![0u8; headers.len()];
    for root in 0..headers.len() {
        // Depth-first, with an explicit stack: (header, its includes left to visit).
        let mut stack: Vec<(usize, Vec<usize>)> = Vec::new();
        if state[root] == 0 {
            state[root] = 1;
            stack.push((root, includes(root).into_iter().collect()));
        }
        while let Some((h, left)) = stack.last_mut() {
            match left.pop() {
                Some(d) if state[d] == 0 => {
                    state[d] = 1;
                    let next = includes(d).into_iter().collect();
                    stack.push((d, next));
                }
                Some(_) => {}
                None => {
                    state[*h] = 2;
                    out.push(*h);
                    stack.pop();
                }
            }
        }
    }
    out
}

/// A header that uses C99's `uint32_t` or `size_t` without including `<stdint.h>` or
/// `<stddef.h>` (it counts on its includer): the spec must include them.
pub fn c99_includes(head: &mut Head, items: &[Placed]) {
    let list: Vec<Item> = items.iter().map(|p| p.item.clone()).collect();
    let Ok((yaml, _)) = super::draft::to_yaml(&Head::default(), &list) else {
        return;
    };
    let words: BTreeSet<&str> = yaml
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let stdint = [
        "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
    ];
    for (header, used) in [
        ("stdint.h", stdint.iter().any(|t| words.contains(t))),
        ("stddef.h", words.contains("size_t")),
    ] {
        if used && !head.includes.iter().any(|i| i == header) {
            head.includes.push(header.to_owned());
        }
    }
}

/// An ioctl whose argument is a typedef of a struct (`agp_info` of `<linux/agpgart.h>`)
/// takes the struct itself: the same size, so the same number.
pub fn typedef_args(items: &mut [Placed]) {
    let records: Vec<(String, String)> = items
        .iter()
        .filter_map(|p| match &p.item {
            Item::Typedef(t) if t.ty.starts_with("struct ") || t.ty.starts_with("union ") => {
                Some((t.name.clone(), t.ty.clone()))
            }
            _ => None,
        })
        .collect();
    for p in items.iter_mut() {
        if let Item::Ioctl(io) = &mut p.item
            && let Some(arg) = &io.arg
            && let Some((_, ty)) = records.iter().find(|(n, _)| n == arg)
        {
            io.arg = Some(ty.clone());
        }
    }
}

/// The ABIs of each declaration of each constant and struct of a header's folded items
/// (`present`: the ABIs the header exists on).
pub type Decls = std::collections::BTreeMap<String, Vec<Vec<&'static crate::abi::Abi>>>;

/// [`Decls`] of a header's folded items.
pub fn declarations(items: &[Placed], present: &[&'static crate::abi::Abi]) -> Decls {
    use crate::abi::{ABIS, AbiSet};
    let mut out = Decls::new();
    for p in items {
        let (name, arch) = match &p.item {
            Item::Constant(c) => (&c.name, &c.arch),
            Item::Struct(s) => (&s.name, &s.arch),
            _ => continue,
        };
        let on: Vec<&'static crate::abi::Abi> = match arch {
            None => present.to_vec(),
            Some(names) => {
                let set = names
                    .iter()
                    .filter_map(|n| AbiSet::named(n))
                    .fold(AbiSet::EMPTY, |a, b| a | b);
                present
                    .iter()
                    .copied()
                    .filter(|a| {
                        ABIS.iter()
                            .position(|x| x.name == a.name)
                            .is_some_and(|i| set.contains(i))
                    })
                    .collect()
            }
        };
        out.entry(name.clone()).or_default().push(on);
    }
    out
}

/// The headers `h` includes on some ABI (indices into `names`).
fn direct(
    h: usize,
    names: &[String],
    views: &[Vec<Option<Result<AbiItems, String>>>],
) -> BTreeSet<usize> {
    views
        .iter()
        .filter_map(|v| {
            v.get(h)
                .and_then(Option::as_ref)
                .and_then(|r| r.as_ref().ok())
        })
        .flat_map(|a| a.includes.iter())
        .filter_map(|i| names.iter().position(|n| n == i))
        .collect()
}

/// The headers `h` includes, transitively (indices into `names`).
pub fn closure(
    h: usize,
    names: &[String],
    views: &[Vec<Option<Result<AbiItems, String>>>],
) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = direct(h, names, views).into_iter().collect();
    while let Some(x) = stack.pop() {
        if x != h && seen.insert(x) {
            stack.extend(direct(x, names, views));
        }
    }
    seen
}

/// The names declared more than once (per architecture) across the headers `among`, with
/// every declaration: an item of the including header that names one is declared per
/// architecture too (`IN_CLOEXEC` is `O_CLOEXEC`, which `asm/fcntl.h` declares on alpha,
/// mips, parisc and sparc, and `asm-generic/fcntl.h` elsewhere).
pub fn external(among: &BTreeSet<usize>, decls: &[Decls]) -> Decls {
    let mut all = Decls::new();
    for &d in among {
        for (name, list) in decls.get(d).into_iter().flatten() {
            all.entry(name.clone())
                .or_default()
                .extend(list.iter().cloned());
        }
    }
    all.retain(|_, list| list.len() > 1);
    all
}
