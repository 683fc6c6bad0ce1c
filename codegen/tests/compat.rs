//! `uapigen compat`: a mutation corpus made from spec/vfio.yaml, one mutation per kind of
//! change, each with the class (and kind) the IOMMU uapi rules and check-uapi.sh give it;
//! the real growth of VFIO structs; and the seed's two placements of `pasid`.

use std::path::{Path, PathBuf};
use std::process::Command;

use uapigen::compat::{Class, compare, render};

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn vfio() -> String {
    std::fs::read_to_string(spec_dir().join("vfio.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

fn compile(text: &str) -> uapigen::Model {
    uapigen::compile_str(spec_dir().join("vfio.yaml"), text)
        .unwrap_or_else(|d| panic!("{}", d.plain()))
}

/// Replace exactly one occurrence.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the mutation's anchor must occur once: {from}"
    );
    text.replacen(from, to, 1)
}

struct Mutation {
    name: &'static str,
    apply: fn(&str) -> String,
    class: Class,
    kind: &'static str,
}

fn corpus() -> Vec<Mutation> {
    use Class::{Breaking as B, Compatible as C};
    vec![
        Mutation {
            name: "swap two fields",
            class: B,
            kind: "field-moved",
            apply: |t| {
                edit(
                    t,
                    "      - { name: vaddr, user-address: true, type: u64, doc: Process virtual address of the memory. }\n      - { name: iova, type: u64, doc: IO virtual address to map at. }",
                    "      - { name: iova, type: u64, doc: IO virtual address to map at. }\n      - { name: vaddr, user-address: true, type: u64, doc: Process virtual address of the memory. }",
                )
            },
        },
        Mutation {
            name: "resize a field",
            class: B,
            kind: "field-resized",
            apply: |t| {
                edit(
                    t,
                    "{ name: count, type: u32, data: out, doc: Number of IRQs at this index; 0 when unimplemented. }",
                    "{ name: count, type: u64, data: out, doc: Number of IRQs at this index; 0 when unimplemented. }",
                )
            },
        },
        Mutation {
            name: "retype a field",
            class: B,
            kind: "field-retyped",
            apply: |t| {
                edit(
                    t,
                    // Not `start`: the rule `sum: [start, count]` needs it unsigned.
                    "{ name: index, type: u32, doc: IRQ index to change. }",
                    "{ name: index, type: s32, doc: IRQ index to change. }",
                )
            },
        },
        Mutation {
            name: "remove a field",
            class: B,
            kind: "field-removed",
            apply: |t| {
                edit(
                    t,
                    "      - { name: offset, type: u64, data: out, doc: Offset of the region within the device fd (for read/write/mmap). }\n",
                    "",
                )
            },
        },
        Mutation {
            name: "shrink a struct",
            class: B,
            kind: "struct-shrunk",
            apply: |t| {
                edit(
                    t,
                    "      - { name: link_state, type: u32, values: vfio_gfx_link_state, doc: Display link state (read/write). }\n",
                    "",
                )
            },
        },
        Mutation {
            name: "renumber an ioctl",
            class: B,
            kind: "ioctl-renumbered",
            apply: |t| edit(t, "    nr: VFIO_BASE + 11\n", "    nr: VFIO_BASE + 31\n"),
        },
        Mutation {
            name: "change an ioctl's direction",
            class: B,
            kind: "ioctl-direction-changed",
            apply: |t| {
                edit(
                    t,
                    "  - name: VFIO_DEVICE_GET_INFO\n    fd: [device]\n    dir: none\n",
                    "  - name: VFIO_DEVICE_GET_INFO\n    fd: [device]\n    dir: read-write\n",
                )
            },
        },
        Mutation {
            name: "change an ioctl's data direction",
            class: B,
            kind: "ioctl-data-direction-changed",
            apply: |t| {
                edit(
                    t,
                    "  - name: VFIO_DEVICE_GET_INFO\n    fd: [device]\n    dir: none\n",
                    "  - name: VFIO_DEVICE_GET_INFO\n    fd: [device]\n    dir: none\n    data: in\n",
                )
            },
        },
        Mutation {
            name: "give a flag another bit",
            class: B,
            kind: "value-changed",
            apply: |t| {
                edit(
                    t,
                    "{ name: VFIO_DMA_MAP_FLAG_WRITE, bit: 1,",
                    "{ name: VFIO_DMA_MAP_FLAG_WRITE, bit: 3,",
                )
            },
        },
        Mutation {
            name: "remove a flag",
            class: B,
            kind: "value-removed",
            apply: |t| {
                // Not VFIO_DMA_MAP_FLAG_VADDR: the MAP_DMA rules name it.
                edit(
                    t,
                    "      - { name: VFIO_MIGRATION_P2P, bit: 1, doc: RUNNING_P2P is supported as well. }\n",
                    "",
                )
            },
        },
        Mutation {
            name: "change an op value",
            class: B,
            kind: "value-changed",
            apply: |t| {
                edit(
                    t,
                    "{ name: VFIO_EEH_PE_ENABLE, value: 1,",
                    "{ name: VFIO_EEH_PE_ENABLE, value: 10,",
                )
            },
        },
        Mutation {
            name: "change a constant",
            class: B,
            kind: "value-changed",
            apply: |t| {
                edit(
                    t,
                    "{ name: VFIO_API_VERSION, value: 0,",
                    "{ name: VFIO_API_VERSION, value: 1,",
                )
            },
        },
        Mutation {
            name: "change a payload type",
            class: B,
            kind: "payload-type-changed",
            apply: |t| {
                edit(
                    t,
                    "{ tag: VFIO_IRQ_SET_DATA_EVENTFD, type: s32,",
                    "{ tag: VFIO_IRQ_SET_DATA_EVENTFD, type: u64,",
                )
            },
        },
        Mutation {
            name: "reuse a flag bit for a new flag",
            class: B,
            kind: "flag-reused",
            apply: |t| {
                edit(
                    t,
                    "      - { name: VFIO_GROUP_FLAGS_CONTAINER_SET, bit: 1, doc: The group is attached to a container. }\n",
                    "      - { name: VFIO_GROUP_FLAGS_CONTAINER_SET, bit: 1, doc: The group is attached to a container. }\n      - { name: VFIO_GROUP_FLAGS_NEW, bit: 1, doc: A new flag on an old bit. }\n",
                )
            },
        },
        Mutation {
            name: "append a field to an argsz struct under a new flag",
            class: C,
            kind: "field-appended",
            apply: |t| {
                let t = edit(
                    t,
                    "      - { name: count, type: u32, data: out, doc: Number of IRQs at this index; 0 when unimplemented. }\n",
                    "      - { name: count, type: u32, data: out, doc: Number of IRQs at this index; 0 when unimplemented. }\n      - { name: extra, type: u32, since: 2, flag: VFIO_GROUP_FLAGS_NEW, doc: New in revision 2. }\n",
                );
                edit(
                    &t,
                    "      - { name: VFIO_GROUP_FLAGS_CONTAINER_SET, bit: 1, doc: The group is attached to a container. }\n",
                    "      - { name: VFIO_GROUP_FLAGS_CONTAINER_SET, bit: 1, doc: The group is attached to a container. }\n      - { name: VFIO_GROUP_FLAGS_NEW, bit: 2, doc: A new flag. }\n",
                )
            },
        },
        Mutation {
            name: "re-purpose a reserved field",
            class: C,
            kind: "reserved-repurposed",
            apply: |t| {
                edit(
                    t,
                    "      - { name: __reserved, type: u32, reserved: true, doc: Unused. }\n      - { name: ranges,",
                    "      - { name: num_new, type: u32, doc: Re-purposed. }\n      - { name: ranges,",
                )
            },
        },
        Mutation {
            name: "add an op value",
            class: C,
            kind: "value-added",
            apply: |t| {
                edit(
                    t,
                    "      - { name: VFIO_EEH_PE_ENABLE, value: 1, doc: Turn EEH on. }\n",
                    "      - { name: VFIO_EEH_PE_ENABLE, value: 1, doc: Turn EEH on. }\n      - { name: VFIO_EEH_PE_NEW_OP, value: 42, doc: A new op. }\n",
                )
            },
        },
        Mutation {
            name: "add a flag",
            class: C,
            kind: "value-added",
            apply: |t| {
                edit(
                    t,
                    "      - { name: VFIO_GROUP_FLAGS_CONTAINER_SET, bit: 1, doc: The group is attached to a container. }\n",
                    "      - { name: VFIO_GROUP_FLAGS_CONTAINER_SET, bit: 1, doc: The group is attached to a container. }\n      - { name: VFIO_GROUP_FLAGS_NEW, bit: 5, doc: A new flag. }\n",
                )
            },
        },
        Mutation {
            name: "add a constant",
            class: C,
            kind: "value-added",
            apply: |t| {
                edit(
                    t,
                    "  - { name: VFIO_API_VERSION, value: 0,",
                    "  - { name: VFIO_NEW_CONSTANT, value: 7, doc: New. }\n  - { name: VFIO_API_VERSION, value: 0,",
                )
            },
        },
        Mutation {
            name: "add an ioctl",
            class: C,
            kind: "ioctl-added",
            apply: |t| {
                format!(
                    "{t}  - {{ name: VFIO_NEW_IOCTL, dir: none, type: VFIO_TYPE, nr: VFIO_BASE + 40, doc: New. }}\n"
                )
            },
        },
        Mutation {
            name: "add a union member at the end",
            class: C,
            kind: "union-member-added",
            apply: |t| {
                edit(
                    t,
                    "          - { name: dmabuf_id, type: u32, doc: Token for VFIO_DEVICE_GET_GFX_DMABUF (VFIO_GFX_PLANE_TYPE_DMABUF). }\n",
                    "          - { name: dmabuf_id, type: u32, doc: Token for VFIO_DEVICE_GET_GFX_DMABUF (VFIO_GFX_PLANE_TYPE_DMABUF). }\n          - { name: other_id, type: u32, doc: New member. }\n",
                )
            },
        },
        Mutation {
            name: "add a payload variant",
            class: C,
            kind: "payload-variant-added",
            apply: |t| {
                edit(
                    t,
                    "        - { tag: VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, type: struct vfio_device_feature_dma_logging_report, ops: VFIO_DEVICE_FEATURE_GET }\n",
                    "        - { tag: VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, type: struct vfio_device_feature_dma_logging_report, ops: VFIO_DEVICE_FEATURE_GET }\n        - { tag: 9, type: u32 }\n",
                )
            },
        },
        Mutation {
            name: "add a function-like macro",
            class: C,
            kind: "macro-added",
            apply: |t| {
                edit(
                    t,
                    "macros:\n",
                    "macros:\n  - { name: VFIO_DEVICE_STATE_RUNS, params: [state], body: (state & VFIO_DEVICE_STATE_V1_RUNNING) != 0 }\n",
                )
            },
        },
        Mutation {
            name: "a macro computes something else",
            class: B,
            kind: "macro-changed",
            apply: |t| {
                edit(
                    t,
                    "    body: (state & VFIO_DEVICE_STATE_MASK) == (VFIO_DEVICE_STATE_V1_SAVING | VFIO_DEVICE_STATE_V1_RESUMING)\n",
                    "    body: (state & VFIO_DEVICE_STATE_MASK) == VFIO_DEVICE_STATE_V1_SAVING\n",
                )
            },
        },
        Mutation {
            name: "a macro takes another type",
            class: B,
            kind: "macro-changed",
            apply: |t| {
                edit(
                    t,
                    "  - name: VFIO_DEVICE_STATE_SET_ERROR\n    params: [state]\n",
                    "  - name: VFIO_DEVICE_STATE_SET_ERROR\n    params: [state]\n    type: u64\n",
                )
            },
        },
        Mutation {
            name: "the kernel drops a check",
            class: C,
            kind: "rule-removed",
            apply: |t| {
                edit(
                    t,
                    "      - { non-zero: size, kernel: vfio_iommu_type1.c vfio_dma_do_map }\n",
                    "",
                )
            },
        },
        Mutation {
            name: "the kernel adds a check",
            class: B,
            kind: "rule-added",
            apply: |t| {
                edit(
                    t,
                    "      - { non-zero: size, kernel: vfio_iommu_type1.c vfio_dma_do_map }\n",
                    "      - { non-zero: size, kernel: vfio_iommu_type1.c vfio_dma_do_map }\n      - { non-zero: iova, kernel: vfio_iommu_type1.c vfio_dma_do_map }\n",
                )
            },
        },
        Mutation {
            name: "a check gives another errno",
            class: B,
            kind: "rule-errno-changed",
            apply: |t| {
                edit(
                    t,
                    "      - { non-zero: size, kernel: vfio_iommu_type1.c vfio_dma_do_map }\n",
                    "      - { non-zero: size, errno: EOVERFLOW, kernel: vfio_iommu_type1.c vfio_dma_do_map }\n",
                )
            },
        },
        Mutation {
            name: "a run-time limit is dropped",
            class: B,
            kind: "runtime-limits-changed",
            apply: |t| {
                let t = edit(
                    t,
                    "      - { below: runtime num_irqs, field: start, kernel: vfio_main.c vfio_set_irqs_validate_and_prepare }\n",
                    "",
                );
                let t = edit(
                    &t,
                    "      - { sum: [start, count], max: runtime num_irqs, kernel: vfio_main.c vfio_set_irqs_validate_and_prepare }\n",
                    "",
                );
                cut_runtime(&t)
            },
        },
        Mutation {
            name: "a feature loses an operation",
            class: B,
            kind: "payload-ops-narrowed",
            apply: |t| {
                edit(
                    t,
                    "        - { tag: VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, type: struct vfio_device_feature_mig_state }",
                    "        - { tag: VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, type: struct vfio_device_feature_mig_state, ops: VFIO_DEVICE_FEATURE_SET }",
                )
            },
        },
        Mutation {
            name: "a feature gains an operation",
            class: C,
            kind: "payload-ops-widened",
            apply: |t| {
                edit(
                    t,
                    "type: struct vfio_device_feature_dma_logging_report, ops: VFIO_DEVICE_FEATURE_GET }",
                    "type: struct vfio_device_feature_dma_logging_report }",
                )
            },
        },
    ]
}

/// The `runtime:` list of vfio_irq_set, whatever its layout, cut out.
fn cut_runtime(t: &str) -> String {
    let start = t
        .find("    runtime:\n")
        .unwrap_or_else(|| panic!("vfio.yaml has no `runtime:` block"));
    let rest = &t[start + "    runtime:\n".len()..];
    let len = rest
        .lines()
        .take_while(|l| l.starts_with("      "))
        .map(|l| l.len() + 1)
        .sum::<usize>();
    format!("{}{}", &t[..start], &rest[len..])
}

#[test]
fn mutation_corpus_is_classified_as_expected() {
    let original = vfio();
    let base = compile(&original);
    let (mut right, mut breaking, mut compatible) = (0, 0, 0);
    let mut wrong = Vec::new();
    let corpus = corpus();
    for m in &corpus {
        let mutated = (m.apply)(&original);
        assert_ne!(
            mutated, original,
            "{}: the mutation changed nothing",
            m.name
        );
        let changes = compare(&base, &compile(&mutated));
        let class = if changes.iter().any(|c| c.class == Class::Breaking) {
            Class::Breaking
        } else {
            Class::Compatible
        };
        let has_kind = changes
            .iter()
            .any(|c| c.kind == m.kind && c.class == m.class);
        match m.class {
            Class::Breaking => breaking += 1,
            Class::Compatible => compatible += 1,
        }
        if class == m.class && has_kind {
            right += 1;
        } else {
            wrong.push(format!(
                "{}: expected {} ({}), got:\n{}",
                m.name,
                m.class.as_str(),
                m.kind,
                render(&base, &base, &changes)
            ));
        }
    }
    println!(
        "compat mutation corpus: {right}/{} classified as expected ({breaking} breaking, {compatible} compatible mutations)",
        corpus.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        compare(&base, &base).is_empty(),
        "a spec against itself has no changes"
    );
}

#[test]
fn vfio_structs_that_grew_are_compatible() {
    // Linux 5.0's vfio_device_info ended at num_irqs; cap_offset (with VFIO_DEVICE_FLAGS_CAPS)
    // came later, and Linux 7.x adds `pad` (vfio-bindings 0.7 is 24 bytes). Both steps keep
    // old binaries working: the struct is argsz-sized and grows at the end.
    let v61 = vfio();
    let v50 = edit(
        &v61,
        "      - { name: cap_offset, type: u32, data: out, since: 2, flag: VFIO_DEVICE_FLAGS_CAPS, doc: Buffer offset where the capability chain starts; valid with VFIO_DEVICE_FLAGS_CAPS. }\n",
        "",
    );
    let v50 = edit(
        &v50,
        "      - { name: VFIO_DEVICE_FLAGS_CAPS, bit: 7, doc: The reply has a capability chain; cap_offset is valid. }\n",
        "",
    );
    let v72 = edit(
        &v61,
        "doc: Buffer offset where the capability chain starts; valid with VFIO_DEVICE_FLAGS_CAPS. }\n",
        "doc: Buffer offset where the capability chain starts; valid with VFIO_DEVICE_FLAGS_CAPS. }\n      - { name: pad, type: u32, since: 3, reserved: true, doc: Padding added later. }\n",
    );
    let (m50, m61, m72) = (compile(&v50), compile(&v61), compile(&v72));
    for (from, to, label) in [(&m50, &m61, "5.0 -> 6.1"), (&m61, &m72, "6.1 -> 7.2")] {
        let ch = compare(from, to);
        println!("{label}:\n{}", render(from, to, &ch));
        assert!(
            ch.iter().all(|c| c.class == Class::Compatible),
            "{label}: {}",
            render(from, to, &ch)
        );
        assert!(ch.iter().any(|c| c.kind == "field-appended"), "{label}");
    }
    // The other way round, a struct that loses a field breaks old user space.
    assert!(
        compare(&m61, &m50)
            .iter()
            .any(|c| c.class == Class::Breaking)
    );
}

/// The seed's two placements of `pasid`: in the nesting-op header (Kevin Tian) or inside
/// each data[] payload (Eric Auger).
#[test]
fn the_two_pasid_placements() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for f in ["vfio.yaml", "iommu.yaml", "vfio_nesting.yaml"] {
        std::fs::copy(spec_dir().join(f), dir.path().join(f)).unwrap_or_else(|e| panic!("{e}"));
    }
    let in_data = std::fs::read_to_string(dir.path().join("vfio_nesting.yaml")).unwrap_or_default();
    let in_header = edit(
        &in_data,
        "      - { name: op, type: u32, values: vfio_iommu_nesting_op_type, doc: The operation. }\n",
        "      - { name: op, type: u32, values: vfio_iommu_nesting_op_type, doc: The operation. }\n      - { name: pasid, type: u32, doc: The PASID every op acts on. }\n",
    );
    let path = dir.path().join("vfio_nesting.yaml");
    let a = uapigen::compile_str(&path, &in_data).unwrap_or_else(|d| panic!("{}", d.plain()));
    let b = uapigen::compile_str(&path, &in_header).unwrap_or_else(|d| panic!("{}", d.plain()));
    let op = |m: &uapigen::Model| {
        let (id, _) = m
            .module
            .named_types()
            .find(|(_, t)| t.c_name.as_deref() == Some("vfio_iommu_type1_nesting_op"))
            .unwrap_or_else(|| panic!("no nesting op"));
        (
            m.host().types[id].size,
            uapigen::layout::field_paths(&m.module, m.host(), id)
                .iter()
                .find(|p| p.path == "data")
                .map(|p| p.offset),
        )
    };
    // In the header, pasid becomes mandatory for every op (minsz 16 instead of 12), even for
    // ops without a PASID (SMMUv2 nesting), and data[] moves from 12 to 16.
    assert_eq!(op(&a), (12, Some(12)));
    assert_eq!(op(&b), (16, Some(16)));
    // Choosing one and switching later breaks user space either way...
    let to_header = compare(&a, &b);
    let to_data = compare(&b, &a);
    println!(
        "pasid in data[] -> in the header:\n{}",
        render(&a, &b, &to_header)
    );
    println!(
        "pasid in the header -> in data[]:\n{}",
        render(&b, &a, &to_data)
    );
    assert!(
        to_header
            .iter()
            .any(|c| c.class == Class::Breaking && c.kind == "field-moved"),
        "data[] moves"
    );
    assert!(
        to_data
            .iter()
            .any(|c| c.class == Class::Breaking && c.kind == "field-removed")
    );
    // ...while in data[], a PASID-free format later is just a new op: compatible.
    let with_new_op = edit(
        &in_data,
        "      - { name: VFIO_IOMMU_NESTING_OP_CACHE_INVLD, value: 2, doc: Invalidate first-stage IOMMU caches. }\n",
        "      - { name: VFIO_IOMMU_NESTING_OP_CACHE_INVLD, value: 2, doc: Invalidate first-stage IOMMU caches. }\n      - { name: VFIO_IOMMU_NESTING_OP_SMMU_INVLD, value: 3, doc: A PASID-free format. }\n",
    );
    let with_new_op = edit(
        &with_new_op,
        "        - { tag: VFIO_IOMMU_NESTING_OP_CACHE_INVLD, type: struct iommu_cache_invalidate_info }\n",
        "        - { tag: VFIO_IOMMU_NESTING_OP_CACHE_INVLD, type: struct iommu_cache_invalidate_info }\n        - { tag: VFIO_IOMMU_NESTING_OP_SMMU_INVLD, type: struct iommu_inv_addr_info }\n",
    );
    let c = uapigen::compile_str(&path, &with_new_op).unwrap_or_else(|d| panic!("{}", d.plain()));
    assert!(compare(&a, &c).iter().all(|x| x.class == Class::Compatible));
}

#[test]
fn cli_exit_statuses_and_git_revisions() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    let text = vfio();
    std::fs::write(&old, &text).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &new,
        edit(&text, "nr: VFIO_BASE + 11\n", "nr: VFIO_BASE + 31\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = |a: &Path, b: &Path, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_uapigen"))
            .arg("compat")
            .arg(a)
            .arg(b)
            .args(extra)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(run(&old, &old, &[]).status.code(), Some(0));
    let o = run(&old, &new, &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("breaking[ioctl-renumbered]")
            && out.contains("old.yaml:")
            && out.contains("new.yaml:"),
        "{out}"
    );
    let o = run(&old, &new, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["breaking"], true);
    assert_eq!(
        run(&old, Path::new("/nonexistent.yaml"), &[]).status.code(),
        Some(2)
    );
    // A spec at a git revision.
    let o = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .args(["compat", "HEAD:spec/nsfs.yaml", "spec/nsfs.yaml"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Architecture-dependent items (spec/kvm.yaml) are compared per ABI: a declaration per
/// architecture is matched with the new one of the same ABIs, and an item that no longer
/// exists on some ABIs is removed there (breaking) while one that exists on more ABIs is
/// added there (compatible). The expected classes follow the kernel's rule that what an
/// old binary uses must stay.
#[test]
fn architecture_changes_are_classified_per_abi() {
    let text =
        std::fs::read_to_string(spec_dir().join("kvm.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let kvm = |t: &str| {
        uapigen::compile_str(spec_dir().join("kvm.yaml"), t)
            .unwrap_or_else(|d| panic!("{}", d.plain()))
    };
    let base = kvm(&text);
    assert!(compare(&base, &base).is_empty(), "kvm against itself");
    let kinds = |t: &str| -> Vec<(Class, &'static str, String)> {
        compare(&base, &kvm(t))
            .into_iter()
            .map(|c| (c.class, c.kind, c.message))
            .collect()
    };

    // KVM_SET_TSS_ADDR narrowed from every KVM architecture to x86: gone on the others.
    let narrowed = edit(
        &text,
        "  - name: KVM_SET_TSS_ADDR\n",
        "  - name: KVM_SET_TSS_ADDR\n    arch: [x86]\n",
    );
    let ch = kinds(&narrowed);
    assert_eq!(ch.len(), 1, "{ch:?}");
    assert_eq!(
        (ch[0].0, ch[0].1),
        (Class::Breaking, "ioctl-removed"),
        "{ch:?}"
    );
    assert!(ch[0].2.contains("on aarch64, powerpc"), "{ch:?}");

    // KVM_GET_REGS/SET_REGS for x86 only: arm64's numbers are gone, x86's are unchanged.
    let x86_regs = edit(
        &edit(
            &text,
            "  - name: KVM_GET_REGS\n    fd: [vcpu]\n    arch: [x86, arm64]\n",
            "  - name: KVM_GET_REGS\n    fd: [vcpu]\n    arch: [x86]\n",
        ),
        "  - name: KVM_SET_REGS\n    fd: [vcpu]\n    arch: [x86, arm64]\n",
        "  - name: KVM_SET_REGS\n    fd: [vcpu]\n    arch: [x86]\n",
    );
    let ch = kinds(&x86_regs);
    assert_eq!(ch.len(), 2, "{ch:?}");
    for c in &ch {
        assert_eq!((c.0, c.1), (Class::Breaking, "ioctl-removed"), "{ch:?}");
        assert!(c.2.ends_with("on aarch64"), "{ch:?}");
    }

    // A constant of arm64 made generic: added on the other ABIs, nothing removed.
    let widened = edit(
        &text,
        "  - { name: KVM_NR_SPSR, value: 5, arch: [arm64],",
        "  - { name: KVM_NR_SPSR, value: 5,",
    );
    let ch = kinds(&widened);
    assert!(ch.iter().all(|c| c.0 == Class::Compatible), "{ch:?}");

    // Arm64's kvm_vcpu_init grows by a field: a breaking change on aarch64 alone (it has no
    // size field), and x86's structs of the same file are untouched.
    let grown = edit(
        &text,
        "      - { name: features, type: \"u32[7]\",",
        "      - { name: extra, type: u32 }\n      - { name: features, type: \"u32[7]\",",
    );
    let ch = kinds(&grown);
    assert!(
        !ch.is_empty() && ch.iter().all(|c| c.0 == Class::Breaking),
        "{ch:?}"
    );
    assert!(ch.iter().any(|c| c.2.contains("kvm_vcpu_init")), "{ch:?}");
    assert!(ch.iter().all(|c| !c.2.contains("x86_64")), "{ch:?}");
}
