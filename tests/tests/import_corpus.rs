//! The import corpus: every header of Debian's kernel headers that defines ioctl numbers
//! with `_IO*(...)` (found by reading the headers' text, not through uapigen) is imported
//! by `uapigen import` (one clang run per ABI for all of them), its draft compiled, its C
//! header generated, and compared with the real header on every ABI it exists on: the
//! conformance probe (every macro's value and C type, enumerator, size, alignment, offset)
//! compiled against the real headers and against the generated ones, each in one
//! translation unit per ABI (a unit that fails is split until the failing header is
//! found). Every name the real header defines (from its text) that the draft does not
//! cover counts as unequal, but a macro whose expansion names what no kernel header defines
//! (x86_64's compiler calls it undeclared, and no header of any ABI defines it: `SZ_1M` in
//! `<misc/habanalabs.h>`), which has no value from the kernel's headers; the table lists
//! those. The table says how many headers were imported, generated and are fully equal,
//! the values equal per ABI, and for each header that is not fully equal the reason by
//! category. `tests/import/corpus-limits.txt` lists the headers known not to
//! be fully equal, with the reason: the test fails when a listed header becomes fully
//! equal (shorten the list) or an unlisted one is not. The generated Rust of a fixed sample
//! of 20 drafts is compiled as one crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use uapigen::abi::ABIS;
use uapigen::emit::c::probe::{SYMBOL, probe};
use uapigen_tests::{
    AbiToolchain, Compiler, abi_toolchain, covered_names, defined_names, par_map, read_array, root,
};

/// Every header under `dir` whose text uses `_IO`, `_IOR`, `_IOW` or `_IOWR`, but the
/// headers that define them.
fn corpus(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "h")
                && let Ok(text) = std::fs::read_to_string(&p)
                && uses_io_macros(&text)
                && let Ok(rel) = p.strip_prefix(base)
            {
                out.push(rel.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.retain(|h| !h.ends_with("/ioctl.h") && !h.starts_with("drm/"));
    out.sort();
    out
}

fn uses_io_macros(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("_IO") {
        let s = i + at;
        i = s + 3;
        if s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_') {
            continue;
        }
        let rest = &text[s + 3..];
        let rest = rest
            .strip_prefix("WR")
            .or_else(|| rest.strip_prefix('R'))
            .or_else(|| rest.strip_prefix('W'))
            .unwrap_or(rest);
        if rest.trim_start_matches([' ', '\t']).starts_with('(') {
            return true;
        }
    }
    false
}

/// Compile the units together (each defines its own array); where that fails, each half,
/// down to the units that fail alone. Per unit: its values, or the compiler's error.
fn batch(cc: &Compiler, inc: &[&Path], units: &[(String, usize)]) -> Vec<Result<Vec<u64>, String>> {
    if units.is_empty() {
        return Vec::new();
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let c = dir.path().join("batch.c");
    let o = dir.path().join("batch.o");
    let src: String = units.iter().map(|(s, _)| s.as_str()).collect();
    std::fs::write(&c, src).unwrap_or_else(|e| panic!("{e}"));
    let mut args: Vec<String> = inc.iter().map(|i| format!("-I{}", i.display())).collect();
    args.extend(["-std=gnu11", "-O0", "-w", "-c"].map(String::from));
    args.extend([
        c.display().to_string(),
        "-o".into(),
        o.display().to_string(),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    match cc.run(&refs) {
        Ok(()) => {
            let bytes = std::fs::read(&o).unwrap_or_else(|e| panic!("{e}"));
            units
                .iter()
                .enumerate()
                .map(|(n, (_, count))| read_array(&bytes, &format!("{SYMBOL}_{n}"), *count))
                .collect()
        }
        Err(e) if units.len() == 1 => vec![Err(e)],
        Err(_) => {
            let (a, b) = units.split_at(units.len() / 2);
            // The halves are numbered from 0 again.
            let renumber = |part: &[(String, usize)], from: usize| -> Vec<(String, usize)> {
                part.iter()
                    .enumerate()
                    .map(|(n, (s, c))| {
                        (
                            s.replace(
                                &format!("{SYMBOL}_{}[", n + from),
                                &format!("{SYMBOL}_{n}["),
                            ),
                            *c,
                        )
                    })
                    .collect()
            };
            let mut out = batch(cc, inc, &renumber(a, 0));
            out.extend(batch(cc, inc, &renumber(b, a.len())));
            out
        }
    }
}

/// Every name some header under `trees` defines, read from the text: `#define NAME`, a
/// `struct`, `union` or `enum` tag, a name before `;` (a typedef or declaration) or `(` on a
/// line that declares (a function), and an enumerator (a line that starts with the name
/// and then `=`, `,` or nothing).
fn names_defined_in_headers(trees: &[PathBuf]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut stack = trees.to_vec();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let words: Vec<&str> = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            for pair in words.windows(2) {
                if matches!(pair[0], "define" | "struct" | "union" | "enum") {
                    out.insert(pair[1].to_owned());
                }
            }
            for line in text.lines() {
                let t = line.trim();
                let first = ident(t);
                let rest = t[first.len()..].trim_start();
                if !first.is_empty()
                    && (rest.is_empty() || rest.starts_with('=') || rest.starts_with(','))
                {
                    out.insert(first);
                }
                // `typedef ... NAME;`, `extern int NAME;`, `int NAME(...);`
                if let Some(before) = t.strip_suffix(';') {
                    let before = before.trim_end().trim_end_matches([')', ']']);
                    let head = before.split(['(', '[']).next().unwrap_or(before).trim_end();
                    let mut head_words = head
                        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .filter(|w| !w.is_empty());
                    // A type, then the name (`X;` or `X(a);` alone is a statement).
                    if let (Some(last), Some(_)) = (head_words.next(), head_words.next()) {
                        out.insert(last.to_owned());
                    }
                }
            }
        }
    }
    out
}

/// The names a compiler's errors call undeclared (gcc: `'X' undeclared`, `implicit
/// declaration of function 'X'`; clang: `use of undeclared identifier 'X'`, `call to
/// undeclared function 'X'`).
fn undeclared_names(errors: &str) -> BTreeSet<String> {
    errors
        .lines()
        .filter(|l| l.contains(" error: "))
        .filter_map(|l| {
            let quoted = |s: &str| {
                let s = s.trim_start_matches(['\'', '‘']);
                let end = s.find(['\'', '’'])?;
                Some(s[..end].to_owned())
            };
            if let Some(i) = l.find("undeclared identifier ") {
                quoted(&l[i + "undeclared identifier ".len()..])
            } else if let Some(i) = l.find("undeclared function ") {
                quoted(&l[i + "undeclared function ".len()..])
            } else if let Some(i) = l.find("implicit declaration of function ") {
                quoted(&l[i + "implicit declaration of function ".len()..])
            } else {
                let i = l.find(" undeclared")?;
                let before = &l[..i];
                let start = before.rfind(['\'', '‘', '’'])?;
                let inner = &before[..start];
                let open = inner.rfind(['\'', '‘'])?;
                Some(inner[open..].trim_start_matches(['\'', '‘']).to_owned())
            }
        })
        .collect()
}

/// The category of a note, for the table.
fn category(message: &str) -> &'static str {
    let m = message;
    // The importer's notes and uapigen's refusals say "bit-field".
    if m.contains("bitfield") || m.contains("bit-field") {
        "bitfield"
    } else if m.contains("does not compile") {
        "does not compile"
    } else if m.contains("differs between ABIs") {
        "differs between ABIs"
    } else if m.contains("already defined by the used spec") {
        "a name a header it uses defines too"
    } else if m.contains("unknown type")
        || m.contains("unknown enum")
        || m.contains("which this spec does not define")
        || m.contains("does not exist on")
    {
        "needs items of another header"
    } else if m.contains("defined empty") {
        "empty macro"
    } else if m.contains("defined as itself") {
        "macro defined as its enumerator"
    } else if m.contains("function-like") || m.contains("E0201") || m.contains("E0204") {
        "expression the format cannot say"
    } else if m.contains("type the format does not know")
        || m.contains("enum type")
        || m.contains("qualifier")
        || m.contains("unnamed type")
        || m.contains("is not an integer type")
        || m.contains("typedef")
    {
        "type the format cannot say"
    } else {
        "other"
    }
}

#[test]
fn every_ioctl_header_imports_and_round_trips() {
    let start = Instant::now();
    let tcs: Vec<AbiToolchain> = ABIS
        .iter()
        .map(|a| abi_toolchain(a).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let headers = corpus(&tcs[0].include);
    assert!(
        headers.len() >= 195,
        "only {} ioctl headers found under {}",
        headers.len(),
        tcs[0].include.display()
    );
    let mut opts = uapigen::import::Options::new("");
    opts.headers = headers.clone();
    // The kernel headers they include come in as drafts they use (`import --deps`).
    opts.deps = true;
    let mut results = uapigen::import::import(&opts).unwrap_or_else(|e| panic!("{e}"));
    let t_import = start.elapsed();

    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let gen_inc = tmp.path().join("include");
    // Every draft as a file, so that `uses` finds the drafts it names next to it; the
    // included headers' drafts get their C headers too (they are not counted).
    let spec_dir = tmp.path().join("spec");
    std::fs::create_dir_all(&spec_dir).unwrap_or_else(|e| panic!("{e}"));
    for im in results.iter().flatten() {
        std::fs::write(spec_dir.join(format!("{}.yaml", im.name)), &im.yaml)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut deps = 0;
    for im in results.iter().skip(headers.len()).flatten() {
        let m =
            uapigen::compile_file(spec_dir.join(format!("{}.yaml", im.name))).unwrap_or_else(|d| {
                panic!(
                    "the draft of {} does not compile:\n{}",
                    im.header,
                    d.plain()
                )
            });
        let out = gen_inc.join(&im.header);
        std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&out, uapigen::emit::c::header(&m)).unwrap_or_else(|e| panic!("{e}"));
        deps += 1;
    }
    results.truncate(headers.len());
    // Per header: the model, or why there is none; the reasons it is not fully equal.
    let mut models: Vec<Option<uapigen::Model>> = Vec::new();
    let mut reasons: Vec<BTreeSet<String>> = vec![BTreeSet::new(); headers.len()];
    let mut notes: Vec<Vec<uapigen::import::Note>> = vec![Vec::new(); headers.len()];
    let mut drafts = Vec::new();
    for (h, r) in results.into_iter().enumerate() {
        match r {
            Ok(im) => match uapigen::compile_file(spec_dir.join(format!("{}.yaml", im.name))) {
                Ok(m) => {
                    let out = gen_inc.join(&headers[h]);
                    std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))
                        .unwrap_or_else(|e| panic!("{e}"));
                    std::fs::write(&out, uapigen::emit::c::header(&m))
                        .unwrap_or_else(|e| panic!("{e}"));
                    notes[h] = im.notes.clone();
                    drafts.push((
                        h,
                        im.yaml.clone(),
                        im.name.clone(),
                        m.module.uses.is_empty(),
                    ));
                    models.push(Some(m));
                }
                Err(d) => panic!(
                    "the draft of {} does not compile (import must prevent that):\n{}",
                    headers[h],
                    d.plain()
                ),
            },
            Err(e) => {
                let first = e
                    .lines()
                    .find(|l| l.contains(" error: "))
                    .unwrap_or("")
                    .to_owned();
                // A uapi header that includes a libc header (or uses its types) compiles
                // only where a libc is installed: Debian ships one for the host alone.
                let cat = if first.contains("file not found")
                    || first.contains("unknown type name")
                    || first.contains("incomplete type 'struct sockaddr'")
                {
                    "needs libc headers"
                } else {
                    "does not compile"
                };
                reasons[h].insert(format!("{cat}: {first}"));
                models.push(None);
            }
        }
    }

    // The probes, one unit per ABI for the real headers and one for the generated ones.
    let mut compiled = 0;
    let mut equal_per_abi = vec![0usize; tcs.len()];
    let mut total_per_abi = vec![0usize; tcs.len()];
    let jobs: Vec<(usize, bool)> = (0..tcs.len())
        .flat_map(|i| [(i, false), (i, true)])
        .collect();
    let per_job = par_map(&jobs, |&(i, generated)| {
        let mut units = Vec::new();
        let mut which = Vec::new();
        for (h, m) in models.iter().enumerate() {
            let Some(m) = m else { continue };
            if !m.module.abis.contains(i) {
                continue;
            }
            let (src, facts) = probe(m, i);
            let n = units.len();
            let src = src.replace(&format!("{SYMBOL}["), &format!("{SYMBOL}_{n}["));
            // The headers the draft uses come first, on both sides: a header may name
            // what one defines without including it (`struct atmif_sioc` in
            // `linux/atm_he.h`), and its macros mean something only after that header.
            let uses: String = m
                .module
                .uses
                .iter()
                .map(|(_, h)| format!("#include <{h}>\n"))
                .collect();
            units.push((
                format!(
                    "#include <linux/types.h>\n#include <linux/ioctl.h>\n#include <stddef.h>\n#include <stdint.h>\n{uses}{src}"
                ),
                facts.len(),
            ));
            which.push((h, facts));
        }
        let cc = tcs[i].cc.with_freestanding_headers();
        let inc: Vec<&Path> = if generated {
            vec![gen_inc.as_path()]
        } else {
            vec![]
        };
        let values = batch(&cc, &inc, &units);
        (which, values)
    });
    for (&(i, generated), (which, values)) in jobs.iter().zip(&per_job) {
        for ((h, facts), v) in which.iter().zip(values) {
            match v {
                Ok(v) => {
                    compiled += 1;
                    let equal = facts.iter().zip(v).filter(|(f, v)| f.value == **v).count();
                    if !generated {
                        equal_per_abi[i] += equal;
                        total_per_abi[i] += facts.len();
                    }
                    if equal != facts.len() {
                        let bad: Vec<String> = facts
                            .iter()
                            .zip(v)
                            .filter(|(f, v)| f.value != **v)
                            .take(3)
                            .map(|(f, v)| format!("{} model {} compiler {v}", f.key, f.value))
                            .collect();
                        reasons[*h].insert(format!(
                            "values differ: on {} ({}): {}",
                            tcs[i].abi.name,
                            if generated { "generated" } else { "real" },
                            bad.join(", ")
                        ));
                    }
                }
                Err(e) => {
                    let first = e
                        .lines()
                        .find(|l| l.contains("error"))
                        .unwrap_or("")
                        .to_owned();
                    reasons[*h].insert(format!(
                        "probe does not compile: the {} header's on {}: {first}",
                        if generated { "generated" } else { "real" },
                        tcs[i].abi.name
                    ));
                }
            }
        }
    }
    let t_probe = start.elapsed();

    // Names of the real header the draft does not cover, and where the model and the
    // real header disagree on which ABIs the header exists. A macro counts when the
    // header's text defines it and the preprocessor still has it after the header on
    // x86_64 (not one the header undefines again or defines only under `#ifdef __KERNEL__`).
    let x86 = tcs[0].cc.with_freestanding_headers();
    let defined_after: Vec<Option<BTreeSet<String>>> = par_map(&headers, |h| {
        let dir = tempfile::tempdir().ok()?;
        let c = dir.path().join("m.c");
        let unit = format!("#include <linux/types.h>\n#include <linux/ioctl.h>\n#include <{h}>\n");
        std::fs::write(&c, unit).ok()?;
        let out = std::process::Command::new(&x86.program)
            .args(&x86.args)
            .args(["-dM", "-E"])
            .arg(&c)
            .output()
            .ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.strip_prefix("#define "))
                .filter_map(|l| {
                    l.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .next()
                })
                .map(str::to_owned)
                .collect()
        })
    });
    // Per header, the names the draft does not cover (and for a macro, a call of it).
    let mut uncovered: Vec<Vec<(String, Option<String>)>> = vec![Vec::new(); headers.len()];
    for (h, m) in models.iter().enumerate() {
        let Some(m) = m else { continue };
        let path = tcs[0].include.join(&headers[h]);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let covered = covered_names(m, 0);
        let after = defined_after[h].as_ref();
        let flat = text.replace('\t', " ");
        for name in defined_names(&text, &m.module.guard) {
            if covered.contains(&name) {
                continue;
            }
            let is_macro = flat.contains(&format!("define {name}"));
            if is_macro && after.is_some_and(|d| !d.contains(&name)) {
                continue;
            }
            // A macro's call as the check below writes it: `NAME`, or `NAME(0, 0)` with as
            // many zeros as it has parameters; none for a macro that pastes or quotes its
            // parameters (`PERF_MEM_S(a, s)` makes `PERF_MEM_##a##_##s`: it takes names).
            let definition: String = {
                let lines: Vec<&str> = text.lines().collect();
                let start = lines.iter().position(|l| {
                    let l = l.replace('\t', " ");
                    l.contains(&format!("define {name}(")) || l.contains(&format!("define {name} "))
                });
                let mut d = String::new();
                for l in start.map_or(&[][..], |i| &lines[i..]) {
                    d.push_str(l);
                    if !l.trim_end().ends_with('\\') {
                        break;
                    }
                }
                d
            };
            let pastes = definition.matches('#').count() > 1;
            let call = flat.find(&format!("define {name}(")).map_or_else(
                || name.clone(),
                |at| {
                    let params = &flat[at + "define (".len() + name.len()..];
                    let params = params.split(')').next().unwrap_or("");
                    let n = params.split(',').filter(|p| !p.trim().is_empty()).count();
                    format!("{name}({})", vec!["0"; n].join(", "))
                },
            );
            uncovered[h].push((name, (is_macro && !pastes).then_some(call)));
        }
    }
    // A macro whose expansion names what no header defines (`<video/sisfb.h>`'s
    // `VB_DISPLAY_MODE` is `(SINGLE_MODE | MIRROR_MODE | DUALVIEW_MODE)`, `<linux/msdos_fs.h>`'s
    // `CF_LE_W(v)` calls the kernel's own `le16_to_cpu`) has no value from the kernel's
    // headers (only from what a user defines first): x86_64's compiler says the name is
    // undeclared (after the compiler's
    // own <stddef.h>, <stdint.h> and <stdbool.h>; the header alone compiles), and no kernel
    // header of any ABI defines it (as a macro, tag, typedef, enumerator or declaration). It
    // is not counted.
    // x86_64's headers and every ABI's `asm/` (the only headers that differ between ABIs).
    let trees: Vec<PathBuf> = tcs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i == 0 {
                t.include.clone()
            } else {
                t.include.join("asm")
            }
        })
        .collect();
    let defined_anywhere = names_defined_in_headers(&trees);
    let no_value: Vec<BTreeSet<String>> = par_map(&(0..headers.len()).collect::<Vec<_>>(), |&h| {
        let calls: Vec<(&str, &str)> = uncovered[h]
            .iter()
            .filter_map(|(n, c)| c.as_deref().map(|c| (n.as_str(), c)))
            .collect();
        let Some(m) = &models[h] else {
            return BTreeSet::new();
        };
        let uses: String = m
            .module
            .uses
            .iter()
            .map(|(_, u)| format!("#include <{u}>\n"))
            .collect();
        let undeclared = |list: &[(&str, &str)]| -> Option<String> {
            let dir = tempfile::tempdir().ok()?;
            let c = dir.path().join("v.c");
            let checks: String = list
                .iter()
                .map(|(n, call)| format!("_Static_assert((({call})) == (({call})), \"{n}\");\n"))
                .collect();
            let unit = format!(
                "#include <linux/types.h>\n#include <linux/ioctl.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdbool.h>\n{uses}#include <{}>\n{checks}",
                headers[h]
            );
            std::fs::write(&c, unit).ok()?;
            let path = c.display().to_string();
            x86.run(&["-fsyntax-only", "-w", &path]).err()
        };
        // Nothing when the header alone does not compile here (its own errors would name
        // what it lacks), or when every check compiles.
        if calls.is_empty() || undeclared(&[]).is_some() || undeclared(&calls).is_none() {
            return BTreeSet::new();
        }
        calls
            .into_iter()
            .filter(|one| {
                undeclared(&[*one]).is_some_and(|e| {
                    let missing = undeclared_names(&e);
                    !missing.is_empty() && missing.iter().all(|w| !defined_anywhere.contains(w))
                })
            })
            .map(|(n, _)| n.to_owned())
            .collect()
    });
    let not_counted: Vec<String> = no_value.iter().flatten().cloned().collect();
    for (h, m) in models.iter().enumerate() {
        let Some(m) = m else { continue };
        for (name, _) in std::mem::take(&mut uncovered[h]) {
            if no_value[h].contains(&name) {
                continue;
            }
            // A name the draft declares for some ABIs and a draft it uses for the others
            // (`KVM_DIRTY_LOG_PAGE_OFFSET`: `asm/kvm.h` on x86, `linux/kvm.h`'s default
            // elsewhere) is not among this draft's probed facts on x86_64.
            let imported = m.module.imported.iter().any(|(n, _)| *n == name);
            let why = notes[h]
                .iter()
                .find(|n| n.message.contains(&format!("`{name}`")))
                .map_or(
                    if imported {
                        "defined on x86_64 by a draft it uses (not probed with this one)"
                    } else {
                        "left out without a note"
                    },
                    |n| category(&n.message),
                );
            reasons[h].insert(format!("{why}: {name}"));
        }
        for (i, tc) in tcs.iter().enumerate() {
            if m.module.abis.contains(i) != tc.include.join(&headers[h]).exists() {
                reasons[h].insert(format!(
                    "ABIs differ: the header exists on {} in one of the model and Debian only",
                    tc.abi.name
                ));
            }
        }
    }

    // The table.
    let imported = models.iter().filter(|m| m.is_some()).count();
    let fully = reasons.iter().filter(|r| r.is_empty()).count();
    println!(
        "import corpus: {} headers with _IO* ioctls (and {deps} kernel headers they include, imported as drafts they use)",
        headers.len()
    );
    println!("  imported (draft compiles):        {imported}");
    println!(
        "  generated and probed (C compiles): {compiled} probe compiles (real and generated, every ABI)"
    );
    println!("  fully equal on every ABI:          {fully}");
    println!(
        "  not counted: {} macros whose expansion names what no header defines (the compiler: undeclared): {}",
        not_counted.len(),
        not_counted.join(", ")
    );
    println!("  values equal per ABI (real headers vs the drafts' model):");
    for (i, tc) in tcs.iter().enumerate() {
        println!(
            "    {:<8} {:>6} of {:>6}",
            tc.abi.name, equal_per_abi[i], total_per_abi[i]
        );
    }
    let mut by_category: BTreeMap<String, usize> = BTreeMap::new();
    let mut actual: BTreeMap<String, String> = BTreeMap::new();
    for (h, r) in reasons.iter().enumerate() {
        if r.is_empty() {
            continue;
        }
        let cats: BTreeSet<String> = r
            .iter()
            .map(|x| x.split(':').next().unwrap_or("").to_owned())
            .collect();
        for c in &cats {
            *by_category.entry(c.clone()).or_default() += 1;
        }
        let shown: Vec<&String> = r.iter().take(4).collect();
        println!(
            "  not fully equal: {}: {}{}",
            headers[h],
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            if r.len() > 4 {
                format!("; and {} more", r.len() - 4)
            } else {
                String::new()
            }
        );
        actual.insert(
            headers[h].clone(),
            cats.into_iter().collect::<Vec<_>>().join(", "),
        );
    }
    println!("  headers not fully equal, by reason:");
    for (c, n) in &by_category {
        println!("    {n:>4}  {c}");
    }
    println!(
        "  time: import {:.1?}, probes {:.1?}",
        t_import,
        t_probe - t_import
    );

    // The generated Rust of a fixed sample of 20 drafts (every tenth), as one crate.
    // (Drafts that use no other draft: each module of the sample crate stands alone.)
    let pool: Vec<_> = drafts.iter().filter(|d| d.3).collect();
    let sample: Vec<uapigen_tests::accepted::Accepted> = pool
        .iter()
        .step_by((pool.len() / 20).max(1))
        .take(20)
        .enumerate()
        .map(|(n, &&(h, ref yaml, ref name, _))| {
            // Unique module names in the one crate.
            let new = format!("corpus{n}");
            let yaml = yaml.replacen(&format!("\nname: {name}\n"), &format!("\nname: {new}\n"), 1);
            let model = uapigen::compile_str(format!("{new}.yaml"), &yaml)
                .unwrap_or_else(|d| panic!("{}: {}", headers[h], d.plain()));
            uapigen_tests::accepted::Accepted {
                label: headers[h].clone(),
                text: yaml,
                model,
            }
        })
        .collect();
    assert_eq!(sample.len(), 20);
    if let Err(report) = uapigen_tests::accepted::compile(&sample, "import-corpus") {
        panic!("the sample's generated code does not compile:\n{report}");
    }
    println!("  the generated C and Rust of a sample of 20 compile (gcc, one rustc run)");

    // The known limits.
    let path: PathBuf = root().join("tests/import/corpus-limits.txt");
    let listed: BTreeMap<String, String> = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(' ')
                .map(|(h, r)| (h.to_owned(), r.trim().to_owned()))
        })
        .collect();
    let mut errors = Vec::new();
    for (h, why) in &actual {
        if !listed.contains_key(h) {
            errors.push(format!(
                "{h} is not fully equal and not listed in {}: {why}",
                path.display()
            ));
        }
    }
    for h in listed.keys() {
        if !actual.contains_key(h) {
            errors.push(format!(
                "{h} is fully equal now: remove it from {}",
                path.display()
            ));
        }
    }
    if std::env::var_os("UAPIGEN_UPDATE_CORPUS_LIMITS").is_some() {
        let mut text = String::from(
            "# Headers of the import corpus (tests/tests/import_corpus.rs) that are not fully equal\n# on every ABI yet, each with the categories of its reasons (the test prints the details).\n# Written with UAPIGEN_UPDATE_CORPUS_LIMITS=1; the test fails when a listed header becomes\n# fully equal or an unlisted one is not.\n",
        );
        for (h, why) in &actual {
            text.push_str(&format!("{h} {why}\n"));
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
