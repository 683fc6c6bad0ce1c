//! Running clang on a header for one ABI: the preprocessor's macro list (`-E -dD`) and
//! clang's AST as JSON (`-ast-dump=json`).
//!
//! clang has a backend for 14 of the 18 ABIs and is run with `--target` there. For the
//! others (alpha, hppa, sh4, m68k, whose headers Debian's cross gcc compiles), clang runs
//! without its own predefined macros (`-undef`) and with gcc's instead (`gcc -dM -E`), on a
//! stand-in target of the same pointer width: the importer reads declarations and macros
//! as written, never clang's layout, so the stand-in's type sizes do not matter.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::abi::Abi;

/// The clang the importer runs (`UAPIGEN_CLANG` overrides it).
pub fn clang() -> String {
    std::env::var("UAPIGEN_CLANG").unwrap_or_else(|_| "clang-19".to_owned())
}

/// How to run clang for one ABI.
#[derive(Clone, Debug)]
pub struct Frontend {
    pub abi: &'static Abi,
    /// The ABI's kernel headers (`/usr/<triplet>/include`).
    pub include: PathBuf,
    args: Vec<String>,
    /// Text put before the includes: gcc's predefined macros where clang stands in.
    prelude: String,
}

/// What went wrong running clang.
#[derive(Debug)]
pub struct FrontendError(pub String);

impl Frontend {
    /// The front end for `abi`, with `extra` include folders (searched before the ABI's
    /// kernel headers); the error says what to install.
    pub fn new(abi: &'static Abi, extra: &[PathBuf]) -> Result<Self, FrontendError> {
        let include = Path::new("/usr").join(abi.triplet).join("include");
        if !include.join("linux/types.h").exists() {
            return Err(FrontendError(format!(
                "{}: the kernel headers {} are missing: install Debian's linux-libc-dev-{}-cross (scripts/install-deps.sh)",
                abi.name,
                include.display(),
                abi.debian
            )));
        }
        let clang = clang();
        let resource =
            run(Command::new(&clang).arg("-print-file-name=include"), "").map_err(|e| {
                FrontendError(format!("{e}: install {clang} (scripts/install-deps.sh)"))
            })?;
        let resource = resource.trim().to_owned();
        let mut args: Vec<String> = Vec::new();
        let mut prelude = String::new();
        match abi.clang {
            Some(t) => args.push(format!("--target={t}")),
            None => {
                let gcc = format!("{}-gcc", abi.triplet);
                prelude = run(Command::new(&gcc).args(["-dM", "-E", "-x", "c", "-"]), "").map_err(
                    |e| {
                        FrontendError(format!(
                            "{}: {e}: install Debian's gcc-{} (scripts/install-deps.sh)",
                            abi.name, abi.triplet
                        ))
                    },
                )?;
                let stand_in = match (abi.pointer, big_endian(&prelude)) {
                    (8, false) => "x86_64-linux-gnu",
                    (8, true) => "powerpc64-linux-gnu",
                    (_, false) => "i386-linux-gnu",
                    (_, true) => "powerpc-linux-gnu",
                };
                args.extend([format!("--target={stand_in}"), "-undef".to_owned()]);
            }
        }
        args.extend(["-nostdinc".to_owned(), "-ffreestanding".to_owned()]);
        for dir in extra {
            args.extend(["-I".to_owned(), dir.display().to_string()]);
        }
        args.extend(["-isystem".to_owned(), include.display().to_string()]);
        args.extend(["-idirafter".to_owned(), resource]);
        // Every error, so that one run names every header that fails.
        args.extend(["-Wno-everything".to_owned(), "-ferror-limit=0".to_owned()]);
        Ok(Frontend {
            abi,
            include,
            args,
            prelude,
        })
    }

    /// The line (1-based) of the translation unit that includes header `k` (0-based).
    pub fn line_of(&self, k: usize) -> usize {
        self.prelude.lines().count() + 5 + k
    }

    /// The translation unit: the prelude and an include of each header. The compiler's
    /// freestanding `<stddef.h>` and `<stdint.h>` come first (no libc): some headers use
    /// `size_t` or `int64_t` and count on their includer for them (`<linux/coda.h>`); a
    /// draft that uses them includes those headers itself.
    fn unit(&self, headers: &[String]) -> String {
        let mut s = self.prelude.clone();
        s.push_str("#include <stddef.h>\n#include <stdint.h>\n");
        s.push_str("#include <linux/types.h>\n#include <linux/ioctl.h>\n");
        for h in headers {
            if Path::new(h).is_absolute() {
                s.push_str(&format!("#include \"{h}\"\n"));
            } else {
                s.push_str(&format!("#include <{h}>\n"));
            }
        }
        s
    }

    /// `clang -E -dD -dI` of the headers: every macro definition in place, with line
    /// markers, and every `#include` directive (also those an include guard makes clang
    /// skip, which have no line marker: a header read after another that included the
    /// same file still shows that it includes it).
    pub fn macros(&self, headers: &[String]) -> Result<String, FrontendError> {
        let mut c = Command::new(clang());
        c.args(&self.args)
            .args(["-E", "-dD", "-dI", "-x", "c", "-"]);
        run(&mut c, &self.unit(headers))
            .map_err(|e| FrontendError(format!("{}: {e}", self.abi.name)))
    }

    /// clang's AST of the headers, as JSON.
    pub fn ast(&self, headers: &[String]) -> Result<String, FrontendError> {
        let mut c = Command::new(clang());
        c.args(&self.args)
            .args(["-fsyntax-only", "-Xclang", "-ast-dump=json", "-x", "c", "-"]);
        run(&mut c, &self.unit(headers))
            .map_err(|e| FrontendError(format!("{}: {e}", self.abi.name)))
    }
}

fn big_endian(predefs: &str) -> bool {
    predefs.contains("#define __BYTE_ORDER__ __ORDER_BIG_ENDIAN__")
}

/// Run `c` with `input` on stdin; its stdout, or its stderr as the error.
fn run(c: &mut Command, input: &str) -> Result<String, String> {
    use std::io::Write;
    let program = c.get_program().to_string_lossy().into_owned();
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let stdin = child.stdin.take();
    let text = input.to_owned();
    // Write stdin from another thread: clang's output may fill its pipe first.
    let writer = std::thread::spawn(move || {
        if let Some(mut s) = stdin {
            let _ = s.write_all(text.as_bytes());
        }
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("`{program}` failed: {e}"))?;
    let _ = writer.join();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`{program}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}
