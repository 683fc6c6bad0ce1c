//! Shared helpers of the integration tests: compile C probes with a real compiler and read
//! the values back out of the object file.

pub mod accepted;
pub mod kernel_cases;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use object::{Object, ObjectSection, ObjectSymbol};
use uapigen::Model;
use uapigen::emit::c::Fact;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Compile a spec of `spec/` once per test process (panics with the rendered diagnostics on
/// error: test code).
pub fn model(name: &str) -> std::sync::Arc<Model> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Model>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(m) = cache.lock().ok().and_then(|c| c.get(name).cloned()) {
        return m;
    }
    let path = root().join("spec").join(format!("{name}.yaml"));
    let m = match uapigen::compile_file(&path) {
        Ok(m) => Arc::new(m),
        Err(d) => panic!("{} does not compile:\n{}", path.display(), d.plain()),
    };
    if let Ok(mut c) = cache.lock() {
        c.insert(name.to_owned(), m.clone());
    }
    m
}

/// A compiler invocation: program and leading arguments (e.g. target flags).
#[derive(Clone, Debug)]
pub struct Compiler {
    pub program: String,
    pub args: Vec<String>,
}

impl Compiler {
    pub fn new(program: &str, args: &[&str]) -> Self {
        Compiler {
            program: program.into(),
            args: args.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Fail with a clear message when the compiler is not installed.
    pub fn require(&self) {
        let ok = Command::new(&self.program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "`{}` is missing: install it (the README's test command does: see .ci/run)",
            self.program
        );
    }

    /// Whether the compiler runs (`--version` succeeds).
    pub fn installed(&self) -> bool {
        Command::new(&self.program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// This compiler with its own freestanding headers (`<stdint.h>` and the like, from
    /// `-print-file-name=include`, behind the kernel headers) and `-ffreestanding`, so that
    /// their `<stdint.h>` defines the types itself: for headers that include a system
    /// kernel header needing `<stdint.h>` (`<linux/virtio_ring.h>`, which
    /// `<linux/vhost_types.h>` includes), compiled without libc (`-nostdinc`).
    pub fn with_freestanding_headers(&self) -> Compiler {
        let out = Command::new(&self.program)
            .args(self.args.iter().filter(|a| a.starts_with("--target")))
            .arg("-print-file-name=include")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.program));
        let dir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(
            out.status.success() && Path::new(&dir).join("stdint.h").exists(),
            "{} -print-file-name=include gives no folder with stdint.h: {dir:?}",
            self.program
        );
        let mut c = self.clone();
        c.args
            .extend(["-ffreestanding".to_owned(), "-idirafter".to_owned(), dir]);
        c
    }

    /// Run the compiler on `args`; on failure, the message carries stderr.
    pub fn run(&self, extra: &[&str]) -> Result<(), String> {
        let out = Command::new(&self.program)
            .args(&self.args)
            .args(extra)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.program))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {} {} failed:\n{}",
                self.program,
                self.args.join(" "),
                extra.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

/// Whether the spec whose C header is `header` (`linux/vhost.h`; its validation header
/// `linux/vhost_validate.h` too) includes a system kernel header that is not a spec (its
/// `includes`), directly or through the specs it uses.
pub fn includes_system_headers(header: &str) -> bool {
    fn spec_needs(name: &str, depth: usize) -> bool {
        let m = model(name);
        !m.module.includes.is_empty()
            || (depth < 16 && m.module.uses.iter().any(|(u, _)| spec_needs(u, depth + 1)))
    }
    let dir = root().join("spec");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        panic!("{}: cannot read", dir.display())
    };
    rd.flatten()
        .filter_map(|e| {
            let p = e.path();
            (p.extension().is_some_and(|x| x == "yaml"))
                .then(|| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .flatten()
        })
        .any(|name| {
            let m = model(&name);
            let h = &m.module.header;
            let validate = h.strip_suffix(".h").map(|s| format!("{s}_validate.h"));
            (h == header || validate.as_deref() == Some(header)) && spec_needs(&name, 0)
        })
}

/// Compile a probe source to an object file and read the `count` values of the probe array.
pub fn probe_values(
    cc: &Compiler,
    source: &str,
    includes: &[&Path],
    count: usize,
) -> Result<Vec<u64>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let c = dir.path().join("probe.c");
    let o = dir.path().join("probe.o");
    std::fs::write(&c, source).map_err(|e| e.to_string())?;
    let mut args: Vec<String> = Vec::new();
    for i in includes {
        args.push(format!("-I{}", i.display()));
    }
    args.extend([
        "-std=gnu11".into(),
        "-O0".into(),
        "-fno-common".into(),
        "-c".into(),
    ]);
    args.push(c.display().to_string());
    args.push("-o".into());
    args.push(o.display().to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    cc.run(&refs)?;
    let bytes = std::fs::read(&o).map_err(|e| e.to_string())?;
    read_array(&bytes, uapigen::emit::c::probe::SYMBOL, count)
}

/// Read `count` 8-byte integers stored at symbol `name` of an object file.
pub fn read_array(obj: &[u8], name: &str, count: usize) -> Result<Vec<u64>, String> {
    let file = object::File::parse(obj).map_err(|e| format!("not an object file: {e}"))?;
    let sym = file
        .symbols()
        .find(|s| s.name() == Ok(name))
        .ok_or_else(|| format!("symbol {name} not found in the object file"))?;
    let section = sym
        .section_index()
        .and_then(|i| file.section_by_index(i).ok())
        .ok_or_else(|| format!("symbol {name} has no section"))?;
    let data = section.data().map_err(|e| e.to_string())?;
    let start = usize::try_from(sym.address() - section.address()).map_err(|e| e.to_string())?;
    let little = file.is_little_endian();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let b = data
            .get(start + 8 * i..start + 8 * i + 8)
            .ok_or_else(|| format!("the probe array is shorter than {count} values"))?;
        let a: [u8; 8] = b.try_into().map_err(|_| "short read".to_string())?;
        out.push(if little {
            u64::from_le_bytes(a)
        } else {
            u64::from_be_bytes(a)
        });
    }
    Ok(out)
}

/// Facts whose compiler value differs from the model: `(key, expected, actual)`.
pub fn mismatches(facts: &[Fact], values: &[u64]) -> Vec<(String, u64, u64)> {
    facts
        .iter()
        .zip(values)
        .filter(|(f, v)| f.value != **v)
        .map(|(f, v)| (f.key.clone(), f.value, *v))
        .collect()
}

/// How many facts of each kind (`const`, `size`, ...).
pub fn count_kinds(facts: &[Fact]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for f in facts {
        let kind = f.key.split(':').next().unwrap_or("").to_owned();
        *m.entry(kind).or_insert(0) += 1;
    }
    m
}

/// Include directory holding only the kernel's uapi headers (`linux/`, `asm/`,
/// `asm-generic/`) of a sysroot, so that a compile with `-nostdinc` proves a header needs no
/// libc header.
pub fn kernel_only_includes(
    sysroot_include: &Path,
    arch_include: &Path,
) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for (src, name) in [
        (sysroot_include.join("linux"), "linux"),
        (sysroot_include.join("asm-generic"), "asm-generic"),
        (arch_include.join("asm"), "asm"),
    ] {
        std::os::unix::fs::symlink(&src, dir.path().join(name))
            .map_err(|e| format!("{}: {e}", src.display()))?;
    }
    Ok(dir)
}

/// The clang that compiles for every ABI with an LLVM backend (Debian package `clang-19`).
pub const CLANG: &str = "clang-19";

/// A compiler for one ABI of [`uapigen::abi::ABIS`], set up for Debian's cross kernel
/// headers and nothing else: `clang-19 --target=<clang>` where clang has a backend, Debian's
/// `<triplet>-gcc` otherwise, both with `-nostdinc -isystem /usr/<triplet>/include` so that
/// no libc header and no host header can be found.
#[derive(Clone, Debug)]
pub struct AbiToolchain {
    pub abi: &'static uapigen::abi::Abi,
    pub cc: Compiler,
    /// `/usr/<triplet>/include`, from `linux-libc-dev-<debian>-cross`.
    pub include: PathBuf,
}

/// The toolchain of an ABI, or a message that says what to install when a compiler or the
/// cross headers are missing.
pub fn abi_toolchain(abi: &'static uapigen::abi::Abi) -> Result<AbiToolchain, String> {
    let include = Path::new("/usr").join(abi.triplet).join("include");
    let mut missing = Vec::new();
    if !include.join("linux/types.h").exists() || !include.join("asm/types.h").exists() {
        missing.push(format!(
            "the {} kernel headers {} (Debian package linux-libc-dev-{}-cross)",
            abi.name,
            include.display(),
            abi.debian
        ));
    }
    let isystem = format!("{}", include.display());
    let cc = match abi.clang {
        Some(target) => {
            let t = format!("--target={target}");
            let cc = Compiler::new(CLANG, &[&t, "-nostdinc", "-isystem", &isystem]);
            if !cc.installed() {
                missing.push(format!("`{CLANG}` (Debian package {CLANG})"));
            }
            cc
        }
        None => {
            let prog = format!("{}-gcc", abi.triplet);
            let cc = Compiler::new(&prog, &["-nostdinc", "-isystem", &isystem]);
            if !cc.installed() {
                missing.push(format!("`{prog}` (Debian package gcc-{})", abi.triplet));
            }
            cc
        }
    };
    if missing.is_empty() {
        Ok(AbiToolchain { abi, cc, include })
    } else {
        Err(format!(
            "{}: missing {}: run scripts/install-deps.sh",
            abi.name,
            missing.join(" and ")
        ))
    }
}

/// The `src/` directory of a crate in this workspace's dependency graph (found through
/// `cargo metadata`), to read a peer crate's generated tables as data.
pub fn package_src(name: &str, version_prefix: &str) -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cargo metadata: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    // Find `"name":"<name>","version":"<v>"` ... `"manifest_path":"..."` of the package.
    let key = format!("\"name\":\"{name}\",\"version\":\"{version_prefix}");
    let Some(at) = text.find(&key) else {
        panic!("{name} {version_prefix}* is not in the dependency graph");
    };
    let rest = &text[at..];
    let mp = "\"manifest_path\":\"";
    let Some(i) = rest.find(mp) else {
        panic!("no manifest_path for {name}")
    };
    let path = &rest[i + mp.len()..];
    let end = path.find('"').unwrap_or(path.len());
    PathBuf::from(&path[..end])
        .parent()
        .map(|p| p.join("src"))
        .unwrap_or_default()
}

/// bindgen's `["Size of X"][size_of::<X>() - N]` style assertions: key -> value.
pub fn bindgen_layout(text: &str) -> BTreeMap<String, u64> {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = BTreeMap::new();
    for (label, kind) in [
        ("[\"Size of ", "size"),
        ("[\"Alignment of ", "align"),
        ("[\"Offset of field: ", "offset"),
    ] {
        let mut rest = flat.as_str();
        while let Some(i) = rest.find(label) {
            rest = &rest[i + label.len()..];
            let Some(end) = rest.find("\"]") else { break };
            let item = rest[..end].replace("::", ".");
            let tail = &rest[end..];
            let Some(u) = tail.find("usize]") else { break };
            let num: String = tail[..u]
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if let Ok(v) = num.parse::<u64>() {
                out.insert(format!("{kind}:{item}"), v);
            }
        }
    }
    out
}

/// `f` over `items` on a few threads (each job runs a compiler), results in item order.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8)
        .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("a compile thread panicked"))
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Check with every ABI's compiler (`-std=gnu11 -Werror -fsyntax-only` and `extra`,
/// `include` on the include path) the C files `files` writes for that ABI: each failure as
/// `ABI: the compiler's message` (empty when every file compiles on every ABI).
pub fn syntax_check_every_abi(
    include: &Path,
    extra: &[&str],
    files: impl Fn(&'static uapigen::abi::Abi) -> Vec<PathBuf> + Sync,
) -> Vec<String> {
    let abis: Vec<&'static uapigen::abi::Abi> = uapigen::abi::ABIS.iter().collect();
    let inc = format!("-I{}", include.display());
    par_map(&abis, |&abi| {
        let tc = abi_toolchain(abi).unwrap_or_else(|e| panic!("{e}"));
        let mut errors = Vec::new();
        for f in files(abi) {
            let f = f.display().to_string();
            let mut args = vec![inc.as_str(), "-std=gnu11", "-Werror", "-fsyntax-only"];
            args.extend_from_slice(extra);
            args.push(f.as_str());
            if let Err(e) = tc.cc.run(&args) {
                errors.push(format!("{}: {e}", abi.name));
            }
        }
        errors
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The kernel's name of the architecture of `abi` (`x86`, `mips`, ...).
pub fn arch_of(abi: &uapigen::abi::Abi) -> &'static str {
    uapigen::abi::ARCHES
        .iter()
        .find(|a| a.abis.contains(&abi.name))
        .map_or("", |a| a.name)
}

/// C text without `/* ... */` comments; newlines inside comments are kept, so line numbers
/// stay.
pub fn strip_c_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        match rest[i..].find("*/") {
            Some(j) => {
                out.extend(rest[i..i + j].chars().filter(|c| *c == '\n'));
                rest = &rest[i + j + 2..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// xorshift64, seeded through splitmix64 so that neighbouring seeds give unrelated streams.
pub struct Rng(u64);

// `next` is this generator's step, not an iterator's (it never ends).
#[allow(clippy::should_implement_trait)]
impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(z | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// The names a real uapi header defines, read from its text (not through uapigen): every
/// `#define` (but `guard`) and every struct and union defined at the top level, in order.
pub fn defined_names(text: &str, guard: &str) -> Vec<String> {
    let text = strip_c_comments(text).replace("\\\n", " ");
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim_start();
        let name = if let Some(rest) = l.strip_prefix('#') {
            let rest = rest.trim_start();
            let Some(d) = rest.strip_prefix("define") else {
                continue;
            };
            d.trim_start()
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
        } else if let Some(rest) = line
            .strip_prefix("struct ")
            .or_else(|| line.strip_prefix("union "))
            && rest.trim_end().ends_with('{')
        {
            rest.trim_end().trim_end_matches('{').trim()
        } else {
            continue;
        };
        if !name.is_empty() && name != guard {
            out.push(name.to_owned());
        }
    }
    out
}

/// The names that the facts of `model` on ABI `abi` cover (a function-like macro's
/// `call:NAME(...)` counts for NAME, a string's `strsize:NAME` for NAME).
pub fn covered_names(model: &uapigen::Model, abi: usize) -> std::collections::BTreeSet<String> {
    uapigen::emit::c::facts(model, abi)
        .into_iter()
        .filter_map(|f| {
            f.key
                .split_once(':')
                .map(|(_, n)| n.split(['(', '.', '[']).next().unwrap_or(n).to_owned())
        })
        .collect()
}

/// Build the C program `source` with the host's gcc (`flags`, headers under `include`)
/// into `dir`, run it, and return what it printed; the error says which step failed.
pub fn run_c_program(
    dir: &Path,
    source: &str,
    include: &Path,
    flags: &[&str],
) -> Result<String, String> {
    let src = dir.join("program.c");
    let bin = dir.join("program_c");
    std::fs::write(&src, source).map_err(|e| e.to_string())?;
    let out = Command::new("gcc")
        .args(flags)
        .arg(format!("-I{}", include.display()))
        .arg(&src)
        .arg("-o")
        .arg(&bin)
        .output()
        .map_err(|e| format!("gcc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "gcc {}: {}",
            flags.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    run_program(&bin)
}

/// Build the Rust program `source` with rustc (edition 2024, `-D warnings`, debug
/// assertions on) into `dir`, run it, and return what it printed.
pub fn run_rust_program(dir: &Path, source: &str) -> Result<String, String> {
    let src = dir.join("program.rs");
    let bin = dir.join("program_rs");
    std::fs::write(&src, source).map_err(|e| e.to_string())?;
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .args([
            "--edition",
            "2024",
            "-D",
            "warnings",
            "-C",
            "debug-assertions=on",
        ])
        .arg(&src)
        .arg("-o")
        .arg(&bin)
        .output()
        .map_err(|e| format!("rustc: {e}"))?;
    if !out.status.success() {
        return Err(format!("rustc: {}", String::from_utf8_lossy(&out.stderr)));
    }
    run_program(&bin)
}

fn run_program(bin: &Path) -> Result<String, String> {
    let out = Command::new(bin)
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            bin.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
