//! What `uapigen import` writes for the forms of real headers the format said only lately,
//! each checked against the header's text as read here by hand (Debian's 6.1 headers):
//! `void *` members (`linux/blkpg.h`), `typedef enum { ... } NAME;` (`linux/dvb/audio.h`),
//! `typedef struct { ... } NAME;` (`linux/toshiba.h`), a member Rust cannot name (`_` of
//! `linux/atmapi.h`), a name a header uses without including the header that defines it
//! (`MD_MAJOR` in `linux/raid/md_u.h`, defined in `linux/major.h`), and an include that an include guard hides from clang when another
//! header of the same run included it first (`linux/atm_he.h` and `linux/atm_eni.h` both
//! include `linux/atmioc.h`). That the generated headers then equal the real ones on every
//! ABI is the corpus test's (`import_corpus.rs`).

/// The draft's YAML holds `text`.
#[track_caller]
fn has(d: &uapigen::import::Imported, text: &str) {
    assert!(
        d.yaml.contains(text),
        "no `{text}` in the draft of {}:\n{}",
        d.header,
        d.yaml
    );
}

/// Import `headers` with the headers they include (`--deps`); each must import.
fn import_all(headers: &[&str]) -> Vec<uapigen::import::Imported> {
    let mut opts = uapigen::import::Options::new("");
    opts.headers = headers.iter().map(|h| (*h).to_owned()).collect();
    opts.deps = true;
    uapigen::import::import(&opts)
        .unwrap_or_else(|e| panic!("import failed: {e}"))
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("import failed: {e}")))
        .collect()
}

fn draft<'a>(all: &'a [uapigen::import::Imported], header: &str) -> &'a uapigen::import::Imported {
    all.iter()
        .find(|im| im.header == header)
        .unwrap_or_else(|| panic!("no draft of {header}"))
}

#[test]
fn drafts_say_pointers_typedefs_and_headers_used_without_include() {
    let all = import_all(&[
        "linux/blkpg.h",
        "linux/dvb/audio.h",
        "linux/toshiba.h",
        "linux/raid/md_u.h",
        "linux/atm_eni.h",
        "linux/atm_he.h",
        "linux/atm_tcp.h",
        "linux/gpio.h",
        "linux/omapfb.h",
        "linux/lirc.h",
    ]);

    // `struct blkpg_ioctl_arg { int op; int flags; int datalen; void *data; };`
    let blkpg = draft(&all, "linux/blkpg.h");
    has(blkpg, "type: void *");
    has(blkpg, "name: blkpg_ioctl_arg");

    // `typedef enum { AUDIO_STOPPED, AUDIO_PLAYING, AUDIO_PAUSED } audio_play_state_t;`,
    // a member of `struct audio_status`.
    let audio = draft(&all, "linux/dvb/audio.h");
    has(audio, "typedef: audio_play_state_t");
    has(audio, "type: audio_play_state_t");
    has(audio, "name: AUDIO_GET_STATUS");

    // `typedef struct { unsigned int eax; ... } SMMRegisters;`, the argument of `TOSH_SMM`.
    let tosh = draft(&all, "linux/toshiba.h");
    has(tosh, "name: SMMRegisters\n    tagless: true");
    has(tosh, "arg: SMMRegisters");

    // `#define RAID_VERSION _IOR (MD_MAJOR, 0x10, mdu_version_t)`; md_u.h includes only
    // <linux/types.h> and <linux/raid/md_p.h>.
    let md = draft(&all, "linux/raid/md_u.h");
    has(md, "uses:\n- major");
    has(md, "name: RAID_VERSION");
    assert!(
        md.notes
            .iter()
            .any(|n| n.message.contains("`MD_MAJOR`") && n.message.contains("linux/major.h")),
        "{:?}",
        md.notes
    );
    assert!(draft(&all, "linux/major.h").dependency);

    // <linux/atmapi.h>: `typedef struct { unsigned char _[8]; } __ATM_API_ALIGN atm_kptr_t;`
    // (aligned(8) on sparc): Rust cannot name the member `_`.
    let atmapi = draft(&all, "linux/atmapi.h");
    has(
        atmapi,
        "- name: _\n      type: unsigned char[8]\n      rust-name: \"_0\"",
    );
    has(atmapi, "tagless: true");

    // <linux/gpio.h>: `union { __aligned_u64 flags; ... }` inside `struct
    // gpio_v2_line_attribute` (the macro is `__u64 ... __attribute__((aligned(8)))`, which
    // a union's member cannot say as `aligned`), and `GPIO_V2_LINE_FLAG_USED = _BITULL(0)`.
    let gpio = draft(&all, "linux/gpio.h");
    assert!(gpio.notes.is_empty(), "{:?}", gpio.notes);
    assert!(
        gpio.yaml.contains(
            "- type: union\n      fields:\n      - name: flags\n        type: __aligned_u64"
        ),
        "{}",
        gpio.yaml
    );
    has(
        gpio,
        "- name: GPIO_V2_LINE_FLAG_USED\n      value: (1ULL << (0))",
    );

    // <linux/omapfb.h> uses `size_t` (`struct omapfb_memory_read`) and includes no header
    // that defines it (it counts on libc): the import reads it after the compiler's own
    // <stddef.h>, and the draft includes that.
    let omapfb = draft(&all, "linux/omapfb.h");
    has(omapfb, "includes:\n- stddef.h");
    has(omapfb, "type: size_t");

    // <linux/lirc.h>: `#define lirc_t int`, a macro that names a type.
    let lirc = draft(&all, "linux/lirc.h");
    has(lirc, "- name: lirc_t\n    type: int\n    macro: true");

    // Both include <linux/atmioc.h>; the second one's include is skipped by clang.
    for h in ["linux/atm_eni.h", "linux/atm_he.h"] {
        let d = draft(&all, h);
        has(d, "- atmioc");
    }
}

/// `asm/NAME.h` sets some values for its architecture (`#define HZ 1024` on alpha,
/// `EXEC_PAGESIZE` on mips, sparc and alpha) and then includes `asm-generic/NAME.h`, which
/// defines the rest under `#ifndef`: only the two together say an ABI's values. The import
/// reads them as one header (no draft of the generic one), with one declaration per
/// architecture where they differ, and a header that names them through another
/// (`IN_CLOEXEC` is `O_CLOEXEC`, from `<asm/fcntl.h>` through `<linux/fcntl.h>`) uses that
/// header. The generated `<asm/param.h>` gives each ABI's compiler the values of the real
/// one, which were read here by hand too.
#[test]
fn an_asm_header_and_the_generic_header_it_completes_are_one_draft() {
    use uapigen::abi::ABIS;
    let all = import_all(&["asm/param.h", "linux/inotify.h"]);
    for generic in ["asm-generic/param.h", "asm-generic/fcntl.h"] {
        assert!(
            all.iter().all(|im| im.header != generic),
            "{generic} has a draft of its own"
        );
    }
    let param = draft(&all, "asm/param.h");
    assert!(param.notes.is_empty(), "{:?}", param.notes);
    let inotify = draft(&all, "linux/inotify.h");
    has(inotify, "- asm_fcntl");
    has(inotify, "name: IN_CLOEXEC");

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec = dir.path().join("asm_param.yaml");
    std::fs::write(&spec, &param.yaml).unwrap_or_else(|e| panic!("{e}"));
    let model = uapigen::compile_file(&spec).unwrap_or_else(|d| panic!("{}", d.plain()));
    // By hand from Debian's 6.1 headers: alpha's asm/param.h sets HZ 1024 and
    // EXEC_PAGESIZE 8192, sparc's and m68k's (without __uClinux__) EXEC_PAGESIZE 8192,
    // arm64's and mips's 65536; the generic header gives HZ 100 and EXEC_PAGESIZE 4096
    // where they are not set.
    let by_hand = |abi: &str| -> (u64, u64) {
        match uapigen_tests::arch_of(ABIS.iter().find(|a| a.name == abi).unwrap_or(&ABIS[0])) {
            "alpha" => (1024, 8192),
            "sparc" | "m68k" => (100, 8192),
            "arm64" | "mips" => (100, 65536),
            _ => (100, 4096),
        }
    };
    for (i, abi) in ABIS.iter().enumerate() {
        let tc = uapigen_tests::abi_toolchain(abi).unwrap_or_else(|e| panic!("{e}"));
        let (src, facts) = uapigen::emit::c::probe::probe(&model, i);
        let src = format!("#include <linux/types.h>\n{src}");
        let real =
            uapigen_tests::probe_values(&tc.cc.with_freestanding_headers(), &src, &[], facts.len())
                .unwrap_or_else(|e| panic!("{}: {e}", abi.name));
        let wrong = uapigen_tests::mismatches(&facts, &real);
        assert!(
            wrong.is_empty(),
            "{}: model and real header differ: {wrong:?}",
            abi.name
        );
        let value = |name: &str| {
            facts
                .iter()
                .zip(&real)
                .find(|(f, _)| f.key == format!("const:{name}"))
                .map(|(_, v)| *v)
                .unwrap_or_else(|| panic!("{}: no fact of {name}", abi.name))
        };
        assert_eq!(
            (value("HZ"), value("EXEC_PAGESIZE")),
            by_hand(abi.name),
            "{}",
            abi.name
        );
    }
}
