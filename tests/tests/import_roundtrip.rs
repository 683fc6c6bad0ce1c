//! `uapigen import` proven by the round trip: Debian's headers are imported (one clang run
//! per ABI for all of them), the draft specs compile and so does what they generate (gcc,
//! rustc), the C headers generated from them
//! give exactly the real headers' values on every ABI each header exists on (every macro's
//! value and C type, enumerator, size, alignment, offset: the conformance probe, compiled
//! against the real header and against the generated one), every name the real header
//! defines (read from its text, not through uapigen) is imported or listed with its reason
//! in `tests/import/limits.txt`, and every fact of the hand-written spec of the same header
//! is a fact of the imported one, with the same value on every ABI.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use uapigen::abi::ABIS;
use uapigen::emit::c::probe::probe;
use uapigen_tests::{
    abi_toolchain, covered_names, defined_names, mismatches, model, par_map, probe_values, root,
};

/// Headers imported, with the hand-written spec of each.
const HEADERS: &[(&str, &str)] = &[
    ("linux/nsfs.h", "nsfs"),
    ("linux/userfaultfd.h", "userfaultfd"),
    ("linux/loop.h", "loop"),
    ("linux/vfio.h", "vfio"),
    ("linux/seccomp.h", "seccomp"),
    ("linux/vhost_types.h", "vhost_types"),
];

fn limits() -> BTreeMap<(String, String), String> {
    let path = root().join("tests/import/limits.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut it = l.splitn(3, ' ');
            let h = it.next().unwrap_or("").to_owned();
            let n = it.next().unwrap_or("").to_owned();
            ((h, n), it.next().unwrap_or("").to_owned())
        })
        .collect()
}

#[test]
fn imported_headers_equal_the_real_ones_on_every_abi() {
    let mut opts = uapigen::import::Options::new("");
    opts.headers = HEADERS.iter().map(|(h, _)| (*h).to_owned()).collect();
    let imported: Vec<uapigen::import::Imported> = uapigen::import::import(&opts)
        .unwrap_or_else(|e| panic!("import failed: {e}"))
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("import failed: {e}")))
        .collect();
    assert_eq!(imported.len(), HEADERS.len());
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = tmp.path().join("include");
    let limits = limits();
    let mut errors = Vec::new();
    let mut models = Vec::new();
    for (im, (header, _)) in imported.iter().zip(HEADERS) {
        let m = uapigen::compile_str(format!("{}.yaml", header.replace('/', "_")), &im.yaml)
            .unwrap_or_else(|d| {
                panic!(
                    "the draft of {header} does not compile:\n{}\n{}",
                    d.plain(),
                    im.yaml
                )
            });
        let out = inc.join(header);
        std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&out, uapigen::emit::c::header(&m)).unwrap_or_else(|e| panic!("{e}"));
        println!(
            "{header}: {} items imported, {} notes",
            im.items,
            im.notes.len()
        );
        for n in &im.notes {
            println!("  note: {n}");
        }
        models.push(m);
    }

    // 0. What import writes, `generate` takes: the drafts' C (gcc, -Wall -Werror, header
    // twice, assertion file) and their Rust (one crate, rustc with -D warnings).
    let drafts: Vec<uapigen_tests::accepted::Accepted> = imported
        .iter()
        .zip(&models)
        .map(|(im, m)| uapigen_tests::accepted::Accepted {
            label: im.header.clone(),
            text: im.yaml.clone(),
            model: m.clone(),
        })
        .collect();
    if let Err(report) = uapigen_tests::accepted::compile(&drafts, "import-roundtrip") {
        panic!("the drafts do not compile:\n{report}");
    }

    // 1. Real and generated headers give the model's values on every ABI.
    let tcs: Vec<_> = ABIS
        .iter()
        .map(|a| abi_toolchain(a).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let mut jobs = Vec::new();
    for (h, m) in models.iter().enumerate() {
        for i in (0..tcs.len()).filter(|&i| m.module.abis.contains(i)) {
            jobs.push((h, i, false));
            jobs.push((h, i, true));
        }
    }
    let results = par_map(&jobs, |&(h, i, generated)| {
        let (src, facts) = probe(&models[h], i);
        let src = format!("#include <linux/types.h>\n#include <linux/ioctl.h>\n{src}");
        let includes: Vec<&Path> = if generated {
            vec![inc.as_path()]
        } else {
            vec![]
        };
        let cc = tcs[i].cc.with_freestanding_headers();
        (
            facts.len(),
            probe_values(&cc, &src, &includes, facts.len()).map(|v| mismatches(&facts, &v)),
        )
    });
    let mut checked = 0;
    for (&(h, i, generated), (n, r)) in jobs.iter().zip(&results) {
        let what = format!(
            "{} {} ({})",
            HEADERS[h].0,
            tcs[i].abi.name,
            if generated { "generated" } else { "real" }
        );
        match r {
            Ok(bad) if bad.is_empty() => checked += n,
            Ok(bad) => errors.push(format!(
                "{what}: {} values differ from the model: {bad:?}",
                bad.len()
            )),
            Err(e) => errors.push(format!("{what}: the probe does not compile:\n{e}")),
        }
    }
    println!("{checked} values compared on {} compiles", jobs.len());
    assert!(checked > 5000, "only {checked} values compared");

    // 2. Every name of the real header is imported or listed; 3. every fact of the
    // hand-written spec is one of the imported spec, with the same value, on every ABI.
    let mut used_limits = BTreeSet::new();
    for ((header, spec), m) in HEADERS.iter().zip(&models) {
        let path = format!("/usr/include/{header}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let covered = covered_names(m, 0);
        let names = defined_names(&text, &m.module.guard);
        let mut left_out = 0;
        for name in &names {
            let key = ((*header).to_owned(), name.clone());
            match (covered.contains(name), limits.contains_key(&key)) {
                (true, false) | (false, true) => {}
                (true, true) => errors.push(format!(
                    "{header}: {name} is imported now: remove it from tests/import/limits.txt"
                )),
                (false, false) => errors.push(format!("{header}: {name} is not imported")),
            }
            if !covered.contains(name) {
                left_out += 1;
                used_limits.insert(key);
            }
        }
        println!(
            "{header}: {} names defined, {} imported",
            names.len(),
            names.len() - left_out
        );
        let hand = model(spec);
        for (i, abi) in ABIS.iter().enumerate() {
            if !hand.module.abis.contains(i) {
                continue;
            }
            // A literal-number ioctl (`LOOP_SET_FD 0x4C00`) is a constant in a draft: the
            // same macro, value and C type.
            let norm = |k: String| k.replacen("ioctl:", "const:", 1);
            let ours: BTreeMap<String, u64> = uapigen::emit::c::facts(m, i)
                .into_iter()
                .map(|f| (norm(f.key), f.value))
                .collect();
            for mut f in uapigen::emit::c::facts(&hand, i) {
                f.key = norm(f.key);
                let name = f
                    .key
                    .split_once(':')
                    .map_or("", |(_, n)| n.split(['(', '.']).next().unwrap_or(n));
                if limits.contains_key(&((*header).to_owned(), name.to_owned())) {
                    continue;
                }
                // A macro's value is compared in its C type's width: the probe reads an
                // `int` INT_MIN as 0xffffffff80000000 where a typed constant's fact is the
                // u32 0x80000000, the same 32 bits.
                let width = f
                    .key
                    .strip_prefix("const:")
                    .and_then(|n| ours.get(&format!("ctype:{n}")))
                    .map_or(8, |t| t / 10);
                let mask = if width >= 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * width)) - 1
                };
                match ours.get(&f.key) {
                    Some(v) if v & mask == f.value & mask => {}
                    Some(v) => errors.push(format!(
                        "{header} {}: {} is {} in spec/{spec}.yaml, {v} imported",
                        abi.name, f.key, f.value
                    )),
                    None => errors.push(format!(
                        "{header} {}: {} of spec/{spec}.yaml is not imported",
                        abi.name, f.key
                    )),
                }
            }
        }
    }
    for key in limits
        .keys()
        .filter(|k| HEADERS.iter().any(|(h, _)| *h == k.0))
    {
        if !used_limits.contains(key) {
            errors.push(format!(
                "{} {}: listed in tests/import/limits.txt but the header does not define it",
                key.0, key.1
            ));
        }
    }
    errors.truncate(60);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
