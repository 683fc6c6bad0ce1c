//! Rust output: the module of a spec, assembled from its items (`items`: constants, types,
//! bitflags; `checks`, `payload`, `caps`: what the extensibility model adds to a struct;
//! `wrappers`: one function per ioctl; `probe`: the conformance probe table), formatted by
//! prettyplease in chunks ([`module_with`]) or handed over as tokens ([`module_tokens`],
//! for `include_spec!`). Every value comes from the model; nothing is computed here.

mod bitfields;
mod byte_traits;
mod caps;
mod cfg;
mod checks;
mod fds;
mod items;
mod links;
mod macro_fn;
mod payload;
mod probe;
mod serde_attrs;
pub(crate) mod tokens;
mod values;
mod wrappers;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{EmitError, Mode};
use crate::ir::{Module, Scalar, Ty, TypeId};
use crate::model::Model;
use items::{Bitflags, c_name_aliases, head_tokens, type_item};
use tokens::{alias_for, docs, ident, int_lit};

pub use cfg::{CNames, Gate, RustOptions, cfg_groups, cfg_pred_groups};
pub use probe::probe_module;

/// The wrapper of ioctl `i` as tokens: empty when it has none; `unsafe fn` when the
/// caller must vouch for something (for the reference page).
pub(crate) fn wrapper_tokens(model: &Model, i: usize) -> TokenStream {
    wrappers::wrappers(model, model.module.ioctls.get(i).into_iter())
}

/// The Rust module for a model, without C-name aliases or serde.
pub fn module(model: &Model, mode: Mode) -> Result<String, EmitError> {
    module_with(model, &RustOptions::default(), mode)
}

/// The Rust module for a model, formatted: the text `uapigen generate` writes. In
/// [`Mode::Build`] it is formatted on every core.
pub fn module_with(model: &Model, opts: &RustOptions, mode: Mode) -> Result<String, EmitError> {
    module_in_chunks(model, opts, mode, CHUNKS, MAX_CHUNK)
}

/// The items of [`module_with`]'s text, in the same order, as tokens: what `include_spec!`
/// expands to. Nothing is formatted or parsed. It runs on the caller's thread in either
/// [`Mode`] (token streams cannot cross threads), so a proc macro may call it.
pub fn module_tokens(model: &Model, opts: &RustOptions) -> TokenStream {
    let parts = Parts::new(&model.module);
    parts
        .jobs(1, usize::MAX)
        .iter()
        .map(|job| job.tokens(model, opts))
        .collect()
}

/// [`module_with`], the items of each kind split into `chunks` chunks of at most
/// `max_chunk` items.
fn module_in_chunks(
    model: &Model,
    opts: &RustOptions,
    mode: Mode,
    chunks: usize,
    max_chunk: usize,
) -> Result<String, EmitError> {
    let m = &model.module;
    // Formatted in chunks, on every core: prettyplease prints each item on its own lines,
    // so the chunks' texts put end to end are the text of the whole.
    let parts = Parts::new(m);
    let jobs = parts.jobs(chunks, max_chunk);
    let texts = par_map(&jobs, mode, |job| job.text(model, opts))?;
    let mut out = banner(m);
    for text in texts {
        out.push_str(&text);
    }
    Ok(out)
}

/// Chunks per kind of item in a small module, so that the cores share the work evenly.
const CHUNKS: usize = 8;

/// Items per chunk at most, so that the token trees of one chunk stay small.
const MAX_CHUNK: usize = 256;

/// The items of a module that come in chunks: the types it defines (not those of the specs
/// it uses) and its ioctls.
struct Parts {
    types: Vec<TypeId>,
    ioctls: Vec<usize>,
}

impl Parts {
    fn new(m: &Module) -> Self {
        Parts {
            types: (0..m.types.len())
                .filter(|&id| m.origin(id).is_none())
                .collect(),
            ioctls: (0..m.ioctls.len()).collect(),
        }
    }

    /// Every item of the module, in the module's order: the head, the bitflags blocks,
    /// the types, the ioctl numbers, the wrappers, the C-name aliases; the types and the
    /// ioctls in `chunks` chunks of at most `max_chunk` items.
    fn jobs(&self, chunks: usize, max_chunk: usize) -> Vec<Chunk<'_>> {
        let per = |n: usize| n.div_ceil(chunks).clamp(1, max_chunk);
        let mut jobs = vec![Chunk::Head, Chunk::Flags];
        jobs.extend(self.types.chunks(per(self.types.len())).map(Chunk::Types));
        let per_ioctl = per(self.ioctls.len());
        // The numbers are one module of their own (`ioctl_numbers`), so one chunk.
        if !self.ioctls.is_empty() {
            jobs.push(Chunk::Ioctls(&self.ioctls));
        }
        jobs.push(Chunk::Macros);
        jobs.extend(self.ioctls.chunks(per_ioctl).map(Chunk::Wrappers));
        jobs.push(Chunk::Fds);
        jobs.push(Chunk::Aliases);
        jobs
    }
}

/// A slice of a module's items, turned into tokens and formatted on its own.
enum Chunk<'a> {
    Head,
    /// Every bitflags block.
    Flags,
    Types(&'a [TypeId]),
    Ioctls(&'a [usize]),
    /// Every function-like macro's `const fn`.
    Macros,
    Wrappers(&'a [usize]),
    /// The typed fds and their methods.
    Fds,
    Aliases,
}

impl Chunk<'_> {
    fn tokens(&self, model: &Model, opts: &RustOptions) -> TokenStream {
        let m = &model.module;
        match self {
            Chunk::Head => {
                let head = head_tokens(m);
                let aliases = kernel_type_aliases(m);
                quote!(#head #aliases)
            }
            Chunk::Flags => m
                .flag_sets
                .iter()
                .map(|f| Bitflags::new(f).tokens())
                .collect(),
            Chunk::Types(ids) => {
                let items = ids
                    .iter()
                    .map(|&id| cfg::behind(m.types[id].abis, type_item(model, id, opts)));
                quote!(#(#items)*)
            }
            Chunk::Ioctls([]) => TokenStream::new(),
            Chunk::Ioctls(ioctls) => {
                let mut items = Vec::new();
                for &i in *ioctls {
                    let io = &m.ioctls[i];
                    let name = ident(&io.rust_name);
                    let a = alias_for(&io.c_name, &io.rust_name);
                    let mut d = docs(&io.doc);
                    // A link to the argument's type where it is this module's and exists
                    // wherever the ioctl does.
                    if let Some(Ty::Named(t)) = &io.arg
                        && m.origin(*t).is_none()
                        && m.types[*t].parent.is_none()
                        && io.abis.within(m.types[*t].abis)
                    {
                        let line =
                            format!(" The argument: [`{0}`](super::{0}).", m.types[*t].rust_name);
                        d = quote!(#d #[doc = ""] #[doc = #line]);
                    }
                    let arch = cfg::arch_attr(io.abis);
                    for (cfg, value) in cfg_groups(io.abis, |abi| model.layouts[abi].ioctls[i]) {
                        let lit = int_lit(i128::from(value), true);
                        items.push(quote!(#d #a #arch #cfg pub const #name: u32 = #lit;));
                    }
                }
                // Apart from the values on the module's page, re-exported where they were.
                quote! {
                    /// The ioctl numbers of this header, on this architecture (each ioctl's
                    /// function and its fd type's method call it).
                    pub mod ioctl_numbers {
                        #(#items)*
                    }
                    #[doc(no_inline)]
                    pub use ioctl_numbers::*;
                }
            }
            Chunk::Macros => m
                .macros
                .iter()
                .map(|x| cfg::behind(m.abis, macro_fn::macro_fn(x)))
                .collect(),
            Chunk::Wrappers(ioctls) => ioctls
                .iter()
                .map(|&i| {
                    let io = &m.ioctls[i];
                    cfg::behind(io.abis, wrappers::wrappers(model, std::iter::once(io)))
                })
                .collect(),
            Chunk::Fds => fds::fd_types(model),
            Chunk::Aliases => c_name_aliases(model, &opts.c_names),
        }
    }

    /// The chunk's formatted text.
    fn text(&self, model: &Model, opts: &RustOptions) -> Result<String, EmitError> {
        match self {
            // prettyplease cannot lay out the bitflags! DSL, so those blocks are printed as
            // text, each after an empty line, with an empty line after the last.
            Chunk::Flags => {
                let mut s = String::new();
                for f in &model.module.flag_sets {
                    s.push('\n');
                    s.push_str(&Bitflags::new(f).text());
                }
                s.push('\n');
                Ok(s)
            }
            _ => format_items(self.tokens(model, opts)),
        }
    }
}

/// `f` over every job, on every core, results in the jobs' order; the first error wins.
/// In [`Mode::Macro`], on the caller's thread alone.
fn par_map<J: Sync, T: Send>(
    jobs: &[J],
    mode: Mode,
    f: impl Fn(&J) -> Result<T, EmitError> + Sync,
) -> Result<Vec<T>, EmitError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    if threads <= 1 || !mode.threads() {
        return jobs.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<Vec<(usize, Result<T, EmitError>)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        mine.push((i, f(job)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    vec![(0, Err(EmitError("a formatting thread panicked".into())))]
                })
            })
            .collect()
    });
    let mut all: Vec<(usize, Result<T, EmitError>)> = done.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

pub(crate) fn banner(m: &Module) -> String {
    let mut s = format!(
        "// @generated by uapigen from {}. Do not edit.\n",
        m.spec_label()
    );
    if let Some(src) = &m.source {
        // Every line of a multi-line `source` stays inside the comment.
        let mut lines = src.lines();
        s.push_str(&format!(
            "// Facts from: {}\n",
            lines.next().unwrap_or("").trim_end()
        ));
        for line in lines {
            let line = line.trim_end();
            if line.is_empty() {
                s.push_str("//\n");
            } else {
                s.push_str(&format!("//   {line}\n"));
            }
        }
    }
    s.push('\n');
    s
}

fn format_items(tokens: TokenStream) -> Result<String, EmitError> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| EmitError(e.to_string()))?;
    Ok(prettyplease::unparse(&file))
}

/// The kernel typedefs (`__kernel_old_dev_t`) that the module's own types use, each a type
/// alias of the C type it is on the target: one alias per group of ABIs where it is the
/// same, as the kernel's `asm/posix_types.h` of each architecture defines it.
fn kernel_type_aliases(m: &Module) -> TokenStream {
    let mut used: Vec<crate::ctypes::KernelTypeId> = Vec::new();
    for (id, t) in m.types.iter().enumerate() {
        if m.origin(id).is_some() {
            continue;
        }
        for f in &t.fields {
            if let Ty::Scalar(Scalar::Kernel(k)) = f.ty.element()
                && !used.contains(k)
            {
                used.push(*k);
            }
        }
    }
    // And those an ioctl's argument names (`_IOR('i', 0x84, size_t)`).
    for io in &m.ioctls {
        if let Some(ty) = &io.arg
            && let Ty::Scalar(Scalar::Kernel(k)) = ty.element()
            && !used.contains(k)
        {
            used.push(*k);
        }
    }
    // And those the spec's typedefs name.
    for t in &m.typedefs {
        if let crate::ir::TypedefTy::Int(Scalar::Kernel(k)) = t.ty
            && !used.contains(&k)
        {
            used.push(k);
        }
    }
    used.sort_unstable();
    let items = used.into_iter().map(|k| {
        let kt = &crate::ctypes::KERNEL_TYPES[usize::from(k)];
        let name = ident(kt.name);
        let doc = format!(
            " The kernel's `{}`: C's type of that name on the target.",
            kt.name
        );
        let per = cfg_groups(crate::abi::AbiSet::ALL, |abi| {
            kt.base(&crate::abi::ABIS[abi])
        });
        let defs = per.into_iter().map(|(cfg, base)| {
            let ty: TokenStream = base.rust_path().parse().unwrap_or_default();
            quote! {
                #[doc = #doc]
                #cfg
                #[allow(non_camel_case_types)]
                pub type #name = #ty;
            }
        });
        quote!(#(#defs)*)
    });
    quote!(#(#items)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The models of every spec of the repository.
    fn spec_models() -> Vec<(std::path::PathBuf, Model)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let model = crate::compile_file(&path).unwrap();
            out.push((path, model));
        }
        assert!(out.len() >= 6, "only {} specs in {dir}", out.len());
        out
    }

    /// Formatting in chunks on several threads gives the text of formatting everything at
    /// once, on every spec of the repository, and so does formatting on one thread.
    #[test]
    fn chunks_put_together_are_the_whole() {
        for (path, model) in spec_models() {
            let all = &RustOptions {
                c_names: Gate::Always,
                serde: Gate::Feature("serde".into()),
                zerocopy: Gate::Feature("zerocopy".into()),
            };
            let whole = module_in_chunks(&model, all, Mode::Build, 1, usize::MAX).unwrap();
            // Everything after the head and the bitflags, formatted by prettyplease in one go.
            let m = &model.module;
            let types: Vec<TypeId> = (0..m.types.len())
                .filter(|&id| m.origin(id).is_none())
                .collect();
            let ioctls: Vec<usize> = (0..m.ioctls.len()).collect();
            let rest: TokenStream = [
                Chunk::Types(&types),
                Chunk::Ioctls(&ioctls),
                Chunk::Macros,
                Chunk::Wrappers(&ioctls),
                Chunk::Fds,
                Chunk::Aliases,
            ]
            .iter()
            .map(|c| c.tokens(&model, all))
            .collect();
            let rest = format_items(rest).unwrap();
            assert!(
                rest.len() > 1000 && whole.ends_with(&rest),
                "{}: the module does not end with its items formatted in one go",
                path.display()
            );
            for mode in [Mode::Build, Mode::Macro] {
                for (chunks, max) in [(CHUNKS, MAX_CHUNK), (usize::MAX, 1), (3, 2)] {
                    let split = module_in_chunks(&model, all, mode, chunks, max).unwrap();
                    assert!(
                        split == whole,
                        "{}: {chunks} chunks of at most {max} items ({mode:?}) differ from one chunk",
                        path.display()
                    );
                }
            }
        }
    }

    /// The tokens `include_spec!` expands to are the items of the formatted text, in the
    /// same order (the bitflags blocks too), on every spec of the repository.
    #[test]
    fn tokens_are_the_formatted_items() {
        let mut flag_sets = 0;
        for (path, model) in spec_models() {
            flag_sets += model.module.flag_sets.len();
            let on = RustOptions {
                c_names: Gate::Always,
                serde: Gate::Always,
                zerocopy: Gate::Always,
            };
            for c_names in [RustOptions::default(), on] {
                let text = module_with(&model, &c_names, Mode::Build).unwrap();
                let from_text = syn::parse_file(&text).unwrap();
                let from_tokens: syn::File = syn::parse2(module_tokens(&model, &c_names)).unwrap();
                assert_eq!(
                    from_text.items.len(),
                    from_tokens.items.len(),
                    "{}: {c_names:?}: not the same number of items",
                    path.display()
                );
                // Each item printed by prettyplease, which also evens out what the text's
                // layout adds to the syntax tree (a trailing comma after the last parameter).
                let print =
                    |item: &syn::Item| prettyplease::unparse(&syn::parse2(quote!(#item)).unwrap());
                for (i, (a, b)) in from_text.items.iter().zip(&from_tokens.items).enumerate() {
                    let (a, b) = (print(a), print(b));
                    assert!(
                        a == b,
                        "{}: {c_names:?}: item {i} differs:\n{a}\nfrom the tokens:\n{b}",
                        path.display()
                    );
                }
            }
        }
        assert!(flag_sets > 0, "no spec has a bitflags block to compare");
    }
}
