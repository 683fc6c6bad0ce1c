//! `uapigen import --update`: spec/vfio.yaml (Linux 6.1, Debian's `<linux/vfio.h>`) taken
//! to the hand-written newer header of `tests/import/fixtures/vfio-newer` (Debian's header
//! plus changes upstream made later: the iommufd binding of device cdevs, the hot reset
//! info of cdevs, `vfio_device_info` grown to 24 bytes, new device features, pre-copy
//! migration, the vfio-ap IRQs, the retired nesting IOMMU type). The update keeps every
//! annotation of the spec, records `since` on what it adds, reports the classification
//! written down below, generates (gcc and rustc), and changes nothing when run again.

use std::collections::BTreeSet;
use std::path::PathBuf;

use uapigen::compat::{Change, Class};
use uapigen::import::update::{Options, Updated, update};
use uapigen_tests::root;

fn fixture() -> PathBuf {
    root().join("tests/import/fixtures/vfio-newer/linux/vfio.h")
}

fn options(spec: PathBuf, header: PathBuf) -> Options {
    Options {
        spec,
        header: header.display().to_string(),
        include: Vec::new(),
        abis: uapigen::abi::ABIS.iter().collect(),
        since: None,
    }
}

fn run(opts: &Options) -> Updated {
    update(opts).unwrap_or_else(|e| panic!("--update failed: {e}"))
}

/// Every change of the fixture and whether it breaks old user space, by hand.
const EXPECTED: &[(Class, &str, &str)] = &[
    // Upstream renamed the nesting IOMMU type to __VFIO_RESERVED_TYPE1_NESTING_IOMMU: a
    // program that names VFIO_TYPE1_NESTING_IOMMU no longer builds.
    (Class::Breaking, "value-removed", "VFIO_TYPE1_NESTING_IOMMU"),
    (
        Class::Compatible,
        "value-added",
        "__VFIO_RESERVED_TYPE1_NESTING_IOMMU",
    ),
    // New flags and values: old programs never pass them.
    (Class::Compatible, "value-added", "VFIO_DEVICE_FLAGS_CDX"),
    (
        Class::Compatible,
        "value-added",
        "VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP",
    ),
    (Class::Compatible, "value-added", "VFIO_PCI_ATOMIC_COMP32"),
    (Class::Compatible, "value-added", "VFIO_PCI_ATOMIC_COMP64"),
    (Class::Compatible, "value-added", "VFIO_PCI_ATOMIC_COMP128"),
    (Class::Compatible, "value-added", "VFIO_PCI_DEVID_OWNED"),
    (Class::Compatible, "value-added", "VFIO_PCI_DEVID_NOT_OWNED"),
    (
        Class::Compatible,
        "value-added",
        "VFIO_PCI_HOT_RESET_FLAG_DEV_ID",
    ),
    (
        Class::Compatible,
        "value-added",
        "VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED",
    ),
    (
        Class::Compatible,
        "value-added",
        "VFIO_DEVICE_BIND_FLAG_TOKEN",
    ),
    (Class::Compatible, "value-added", "VFIO_DEVICE_ATTACH_PASID"),
    (Class::Compatible, "value-added", "VFIO_DEVICE_DETACH_PASID"),
    (Class::Compatible, "value-added", "VFIO_MIGRATION_PRE_COPY"),
    (
        Class::Compatible,
        "value-added",
        "VFIO_DEVICE_FEATURE_MIG_DATA_SIZE",
    ),
    (
        Class::Compatible,
        "value-added",
        "VFIO_DEVICE_FEATURE_BUS_MASTER",
    ),
    (
        Class::Compatible,
        "value-added",
        "VFIO_DEVICE_FEATURE_CLEAR_MASTER",
    ),
    (
        Class::Compatible,
        "value-added",
        "VFIO_DEVICE_FEATURE_SET_MASTER",
    ),
    (Class::Compatible, "value-added", "VFIO_AP_REQ_IRQ_INDEX"),
    (
        Class::Compatible,
        "value-added",
        "VFIO_AP_CFG_CHG_IRQ_INDEX",
    ),
    (Class::Compatible, "value-added", "VFIO_AP_NUM_IRQS"),
    // Enumerators after the old ones: the old ones keep their values.
    (
        Class::Compatible,
        "value-added",
        "VFIO_DEVICE_STATE_PRE_COPY",
    ),
    (
        Class::Compatible,
        "value-added",
        "VFIO_DEVICE_STATE_PRE_COPY_P2P",
    ),
    (Class::Compatible, "value-added", "VFIO_DEVICE_STATE_NR"),
    // vfio_device_info grows from 20 to 24 bytes at its end; it is argsz-sized, and the
    // kernel copies minsz (up to num_irqs), so an old program's 20 bytes still work.
    (Class::Compatible, "field-appended", "pad"),
    // group_id moves into a union with devid: same offset, size and type; the struct stays
    // 8 bytes.
    (Class::Compatible, "union-member-added", "devid"),
    (
        Class::Compatible,
        "struct-added",
        "vfio_device_info_cap_pci_atomic_comp",
    ),
    (
        Class::Compatible,
        "struct-added",
        "vfio_device_bind_iommufd",
    ),
    (
        Class::Compatible,
        "struct-added",
        "vfio_device_attach_iommufd_pt",
    ),
    (
        Class::Compatible,
        "struct-added",
        "vfio_device_detach_iommufd_pt",
    ),
    (
        Class::Compatible,
        "struct-added",
        "vfio_device_feature_mig_data_size",
    ),
    (
        Class::Compatible,
        "struct-added",
        "vfio_device_feature_bus_master",
    ),
    (Class::Compatible, "struct-added", "vfio_precopy_info"),
    // New ioctl numbers (VFIO_BASE + 18 to 21): no old number changes.
    (Class::Compatible, "ioctl-added", "VFIO_DEVICE_BIND_IOMMUFD"),
    (
        Class::Compatible,
        "ioctl-added",
        "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
    ),
    (
        Class::Compatible,
        "ioctl-added",
        "VFIO_DEVICE_DETACH_IOMMUFD_PT",
    ),
    (
        Class::Compatible,
        "ioctl-added",
        "VFIO_MIG_GET_PRECOPY_INFO",
    ),
];

fn tokens(s: &str) -> BTreeSet<&str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

fn check_classification(changes: &[Change]) {
    let mut unmatched: Vec<String> = Vec::new();
    let mut used = vec![false; changes.len()];
    for (class, kind, name) in EXPECTED {
        match changes.iter().enumerate().find(|(i, c)| {
            !used[*i] && c.class == *class && c.kind == *kind && tokens(&c.message).contains(name)
        }) {
            Some((i, _)) => used[i] = true,
            None => unmatched.push(format!("expected {} [{kind}] {name}", class.as_str())),
        }
    }
    for (i, c) in changes.iter().enumerate() {
        if !used[i] {
            unmatched.push(format!(
                "unexpected {}[{}] {}",
                c.class.as_str(),
                c.kind,
                c.message
            ));
        }
    }
    assert!(
        unmatched.is_empty(),
        "classification differs:\n{}",
        unmatched.join("\n")
    );
}

#[test]
fn update_to_a_newer_vfio_h_keeps_annotations_records_since_and_classifies() {
    let spec = root().join("spec/vfio.yaml");
    let old = std::fs::read_to_string(&spec).unwrap_or_else(|e| panic!("{e}"));
    let up = run(&options(spec.clone(), fixture()));
    assert_eq!(
        up.version, "6.18",
        "the version comes from the fixture tree's linux/version.h"
    );

    // 1. What a person wrote stays: every line of the old spec is in the new one (docs,
    // allow, extensible, payload, caps, rules, groups and flag sets, comments), but for the
    // value the header dropped and the source line, which names the new version.
    let new_lines: BTreeSet<&str> = up.yaml.lines().map(str::trim).collect();
    let gone: Vec<&str> = old
        .lines()
        .map(str::trim)
        .filter(|l| !new_lines.contains(l))
        .collect();
    assert_eq!(
        gone,
        [
            "source: Linux 6.1 include/uapi/linux/vfio.h",
            "- { name: VFIO_TYPE1_NESTING_IOMMU, value: 6, doc: Two-stage (nested) Type1 IOMMU; implies version 2. }",
        ],
        "lines of the old spec lost by the update"
    );
    assert!(
        up.yaml
            .contains("source: Linux 6.18 include/uapi/linux/vfio.h")
    );
    // New values joined their groups and flag sets; the dependent device's group_id kept
    // its doc inside the new union.
    assert!(
        up.yaml
            .contains("      - { name: VFIO_DEVICE_FLAGS_CDX, bit: 8, since: \"6.18\" }")
    );
    assert!(up.yaml.contains(
        "      - { name: VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, value: 9, since: \"6.18\" }"
    ));
    assert!(
        up.yaml
            .contains("          - { name: group_id, type: u32, doc: IOMMU group of the device. }")
    );
    assert!(
        up.yaml
            .contains("      - { name: pad, type: u32, since: 3 }  # Linux 6.18")
    );

    // 2. `since` on everything that is new, in the model and in the generated docs.
    let since = &up.new.module.since;
    for name in [
        "__VFIO_RESERVED_TYPE1_NESTING_IOMMU",
        "VFIO_DEVICE_FLAGS_CDX",
        "VFIO_AP_NUM_IRQS",
        "VFIO_DEVICE_STATE_PRE_COPY",
        "vfio_device_bind_iommufd",
        "vfio_precopy_info",
        "VFIO_DEVICE_BIND_IOMMUFD",
        "VFIO_MIG_GET_PRECOPY_INFO",
    ] {
        assert_eq!(
            since.get(name).map(String::as_str),
            Some("6.18"),
            "since of {name}"
        );
    }
    let old_names: BTreeSet<String> = uapigen_tests::model("vfio")
        .module
        .constants
        .iter()
        .map(|c| c.c_name.clone())
        .collect();
    assert!(
        old_names.iter().all(|n| !since.contains_key(n)),
        "an old item got `since`"
    );
    let rust = uapigen::emit::rust::module(&up.new, uapigen::emit::Mode::Build)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        rust.contains("/// Since Linux 6.18."),
        "the Rust docs show `since`"
    );
    let c = uapigen::emit::c::header(&up.new);
    assert!(
        c.contains("/* Since Linux 6.18. */\n#define VFIO_DEVICE_BIND_IOMMUFD"),
        "the C header shows `since`"
    );

    // 3. The classification of the change.
    check_classification(&uapigen::compat::compare(&up.old, &up.new));

    // 4. The updated spec generates: its C with gcc and its Rust with rustc.
    let accepted = [uapigen_tests::accepted::Accepted {
        label: "vfio updated to vfio-newer".into(),
        text: up.yaml.clone(),
        model: up.new.clone(),
    }];
    if let Err(report) = uapigen_tests::accepted::compile(&accepted, "import-update") {
        panic!("the updated spec does not compile:\n{report}");
    }

    // 5. Again with the same header: nothing changes.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let updated = dir.path().join("vfio.yaml");
    std::fs::write(&updated, &up.yaml).unwrap_or_else(|e| panic!("{e}"));
    let again = run(&options(updated, fixture()));
    assert_eq!(again.yaml, up.yaml, "a second --update changed the spec");
    assert!(uapigen::compat::compare(&again.old, &again.new).is_empty());
}

#[test]
fn update_with_the_header_the_spec_models_changes_nothing() {
    let spec = root().join("spec/vfio.yaml");
    let old = std::fs::read_to_string(&spec).unwrap_or_else(|e| panic!("{e}"));
    let up = run(&options(spec, PathBuf::from("/usr/include/linux/vfio.h")));
    assert_eq!(up.version, "6.1");
    assert_eq!(
        up.yaml, old,
        "--update with Debian's own vfio.h changed spec/vfio.yaml"
    );
    // The importer reads every item of the header the spec models (VFIO_DEVICE_STATE_VALID's
    // `?:` included), so nothing is kept only because the header could not say it, and
    // nothing is added or changed.
    assert!(up.report.is_empty(), "{:?}", up.report);
}

#[test]
fn since_comes_from_the_option_or_is_asked_for() {
    let spec = root().join("spec/vfio.yaml");
    let mut opts = options(spec.clone(), fixture());
    opts.since = Some("6.2".into());
    let up = run(&opts);
    assert_eq!(
        up.new
            .module
            .since
            .get("VFIO_DEVICE_BIND_IOMMUFD")
            .map(String::as_str),
        Some("6.2")
    );
    assert!(
        up.yaml
            .contains("source: Linux 6.2 include/uapi/linux/vfio.h")
    );

    opts.since = Some("6.x".into());
    let e = update(&opts).err().unwrap_or_default();
    assert!(e.contains("not a kernel version"), "{e}");

    // A header outside a tree with <linux/version.h>: the version must be given.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("linux")).unwrap_or_else(|e| panic!("{e}"));
    let h = dir.path().join("linux/vfio.h");
    std::fs::copy(fixture(), &h).unwrap_or_else(|e| panic!("{e}"));
    let e = update(&options(spec, h)).err().unwrap_or_default();
    assert!(e.contains("--since"), "{e}");
}

/// A header that turns `typedef int NAME;` into `#define NAME int` (and back): `--update`
/// sets (removes) `macro: true` on the typedef, keeps its doc, and says so.
#[test]
fn a_typedef_that_becomes_a_macro_gets_the_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run_with = |spec_text: &str, definition: &str| -> Updated {
        let spec = dir.path().join("mdemo.yaml");
        std::fs::write(&spec, spec_text).unwrap_or_else(|e| panic!("{e}"));
        let header = dir.path().join("mdemo.h");
        std::fs::write(
            &header,
            format!(
                "#ifndef _MDEMO_H\n#define _MDEMO_H\n#include <linux/types.h>\n{definition}\nstruct mdemo_s {{ mdemo_t a; }};\n#endif\n"
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut opts = options(spec, header);
        opts.since = Some("6.2".into());
        run(&opts)
    };
    let spec = |key: &str| {
        format!(
            "name: mdemo\nheader: mdemo.h\nguard: _MDEMO_H\ntypedefs:\n  - {{ name: mdemo_t, type: int{key}, doc: Kept. }}\nstructs:\n  - name: mdemo_s\n    fields:\n      - {{ name: a, type: int }}\n"
        )
    };
    let up = run_with(&spec(""), "#define mdemo_t int");
    assert!(
        up.yaml
            .contains("{ name: mdemo_t, type: int, macro: true, doc: Kept. }"),
        "{}",
        up.yaml
    );
    assert!(
        up.report
            .iter()
            .any(|r| r == "typedef mdemo_t is now a macro"),
        "{:?}",
        up.report
    );
    let up = run_with(&spec(", macro: true"), "typedef int mdemo_t;");
    assert!(
        up.yaml.contains("{ name: mdemo_t, type: int, doc: Kept. }"),
        "{}",
        up.yaml
    );
    assert!(
        up.report
            .iter()
            .any(|r| r == "typedef mdemo_t is now a typedef"),
        "{:?}",
        up.report
    );
}
