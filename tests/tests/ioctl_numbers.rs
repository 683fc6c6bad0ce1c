//! Differential check of ioctl numbers against peer crates: the generated Rust constants for
//! the host against `rustix::ioctl::opcode`, and our per-ABI numbers against the per-arch
//! tables of `linux-raw-sys` (read from its source, so that every architecture it ships is
//! compared, not only the host's).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use rustix::ioctl::{Direction, opcode};
use uapigen::ir::Number;
use uapigen::spec::Dir;
use uapigen_tests::{model, root};

#[test]
fn host_ioctl_numbers_match_rustix() {
    let m = model("vfio");
    let rust: BTreeMap<&str, u64> = linux_uapi::layout_probe::vfio::VALUES
        .iter()
        .copied()
        .collect();
    let host = m.host();
    let mut n = 0;
    for io in &m.module.ioctls {
        let dir = match io.dir {
            Dir::None => Direction::None,
            Dir::Read => Direction::Read,
            Dir::Write => Direction::Write,
            Dir::ReadWrite => Direction::ReadWrite,
        };
        let size = io.encoded_size(|t| uapigen::layout::type_size(host, t)) as usize;
        let (ty, nr) = match &io.number {
            Number::Io { ty, nr } | Number::Ioc { ty, nr, .. } => (ty.value as u8, nr.value as u8),
            Number::Literal(_) => panic!("{}: vfio has no literal ioctl numbers", io.c_name),
        };
        let expected = opcode::from_components(dir, ty, nr, size);
        let generated = rust.get(format!("ioctl:{}", io.c_name).as_str()).copied();
        assert_eq!(
            generated,
            Some(u64::from(expected)),
            "{}: generated Rust vs rustix",
            io.c_name
        );
        n += 1;
    }
    println!("{n} ioctl numbers equal rustix::ioctl::opcode on the host");
    assert_eq!(n, 30);
}

/// The source directory of the linux-raw-sys crate cargo resolved for this workspace.
fn linux_raw_sys_src() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cargo metadata: {e}"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("cargo metadata output: {e}"));
    let pkg = v["packages"]
        .as_array()
        .and_then(|ps| {
            ps.iter().find(|p| {
                p["name"] == "linux-raw-sys"
                    && p["version"].as_str().is_some_and(|s| s.starts_with("0.12"))
            })
        })
        .unwrap_or_else(|| panic!("linux-raw-sys 0.12 is not in the dependency graph"));
    let manifest = PathBuf::from(pkg["manifest_path"].as_str().unwrap_or_default());
    manifest.parent().map(|p| p.join("src")).unwrap_or_default()
}

fn parse_consts(text: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("pub const ") else {
            continue;
        };
        let Some((name, rest)) = rest.split_once(':') else {
            continue;
        };
        let Some((_, value)) = rest.split_once('=') else {
            continue;
        };
        if let Ok(v) = value.trim().trim_end_matches(';').parse::<u64>() {
            out.insert(name.trim().to_owned(), v);
        }
    }
    out
}

#[test]
fn per_abi_ioctl_numbers_match_linux_raw_sys() {
    let m = model("vfio");
    let src = linux_raw_sys_src();
    // linux-raw-sys directory -> our ABI.
    let map = [
        ("x86_64", "x86_64"),
        ("x86", "i386"),
        ("x32", "x32"),
        ("aarch64", "aarch64"),
        ("arm", "arm"),
        ("powerpc", "powerpc"),
        ("powerpc64", "ppc64"),
        ("powerpc64", "ppc64le"),
        ("mips", "mips"),
        ("mips64", "mips64"),
        ("s390x", "s390x"),
        ("riscv64", "riscv64"),
        ("sparc64", "sparc64"),
        ("m68k", "m68k"),
    ];
    let mut total = 0;
    let mut bad = Vec::new();
    let mut without = Vec::new();
    for (dir, abi) in map {
        let path = src.join(dir).join("ioctl.rs");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let theirs = parse_consts(&text);
        let layout = m.layout(abi).unwrap_or_else(|| panic!("no ABI {abi}"));
        let mut compared = 0;
        for (i, io) in m.module.ioctls.iter().enumerate() {
            if let Some(&v) = theirs.get(&io.c_name) {
                compared += 1;
                if u64::from(layout.ioctls[i]) != v {
                    bad.push(format!(
                        "{abi}: {} ours {:#x}, linux-raw-sys {v:#x}",
                        io.c_name, layout.ioctls[i]
                    ));
                }
            }
        }
        if compared == 0 {
            // linux-raw-sys ships no VFIO numbers for this arch (sparc64 today); the C
            // conformance test covers it against the real cross header instead.
            println!(
                "{abi}: linux-raw-sys/{dir} has no VFIO ioctls; covered by conformance_abis only"
            );
            without.push(abi);
        } else {
            println!("{abi}: {compared} VFIO ioctl numbers compared with linux-raw-sys/{dir}");
        }
        total += compared;
    }
    assert_eq!(
        without,
        ["sparc64"],
        "ABIs for which linux-raw-sys lacks VFIO numbers changed"
    );
    assert!(bad.is_empty(), "ioctl numbers differ:\n{}", bad.join("\n"));
    println!(
        "{total} ioctl numbers agree with linux-raw-sys across {} ABIs",
        map.len()
    );
}
