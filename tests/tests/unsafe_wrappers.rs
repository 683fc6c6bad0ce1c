//! Sound wrappers: an ioctl whose argument hands the kernel a user address the caller
//! provides has an `unsafe fn` wrapper in the checked-in crate. The list below is written
//! by hand from the kernel's use of each field (the address is mapped for a guest or a
//! device, tracked after the call, or written through); the second test walks every spec's
//! model on its own and holds every wrapper to the rule.

use std::collections::BTreeSet;

use uapigen::ir::{Module, PayloadKind, Ty, TypeId};
use uapigen_tests::{model, root};

/// The generated module text of a spec.
fn module_text(spec: &str) -> String {
    let p = root().join("generated/src").join(format!("{spec}.rs"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn is_unsafe(text: &str, wrapper: &str) -> Option<bool> {
    if text.contains(&format!("pub unsafe fn {wrapper}(")) {
        Some(true)
    } else if text.contains(&format!("pub fn {wrapper}(")) {
        Some(false)
    } else {
        None
    }
}

#[test]
fn wrappers_that_hand_the_kernel_user_memory_are_unsafe() {
    // (spec, struct, field that carries the address, wrapper of an ioctl on it)
    let cases = [
        // KVM keeps the slot's memory as guest RAM (kvm_set_memory_region).
        (
            "kvm",
            "kvm_userspace_memory_region",
            "userspace_addr",
            "set_user_memory_region",
        ),
        // The IOMMU maps the pages for DMA until unmapped (vfio_dma_do_map).
        ("vfio", "vfio_iommu_type1_dma_map", "vaddr", "iommu_map_dma"),
        (
            "vfio",
            "vfio_iommu_spapr_register_memory",
            "vaddr",
            "iommu_spapr_register_memory",
        ),
        // iommufd_ioas_map pins user_va for the IOAS.
        ("iommufd", "iommu_ioas_map", "user_va", "ioas_map"),
        // The kernel writes the hardware info to data_uptr (iommufd_get_hw_info).
        ("iommufd", "iommu_hw_info", "data_uptr", "get_hw_info"),
        // userfaultfd tracks the range (userfaultfd_register) and copies into dst from src.
        ("userfaultfd", "uffdio_range", "start", "uffdio_register"),
        ("userfaultfd", "uffdio_copy", "src", "uffdio_copy"),
        ("userfaultfd", "uffdio_copy", "dst", "uffdio_copy"),
        // vhost reads and writes the rings and the guest memory table (vhost_vring_set_addr,
        // vhost_set_memory).
        (
            "vhost_types",
            "vhost_vring_addr",
            "desc_user_addr",
            "set_vring_addr",
        ),
        (
            "vhost_types",
            "vhost_vring_addr",
            "used_user_addr",
            "set_vring_addr",
        ),
        (
            "vhost_types",
            "vhost_vring_addr",
            "avail_user_addr",
            "set_vring_addr",
        ),
        (
            "vhost_types",
            "vhost_memory_region",
            "userspace_addr",
            "set_mem_table",
        ),
    ];
    for (spec, st, field, wrapper) in cases {
        let m = model(spec);
        let t = m
            .module
            .named_types()
            .find(|(_, t)| t.c_name.as_deref() == Some(st))
            .map(|(_, t)| t)
            .unwrap_or_else(|| panic!("{spec}: no struct {st}"));
        let f = t
            .fields
            .iter()
            .find(|f| f.c_name.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("{spec}: no field {st}.{field}"));
        assert!(
            f.user_address,
            "{spec}: {st}.{field} is not marked `user-address`"
        );
        // vhost's ioctls are in the vhost module, which uses vhost_types.
        let text = module_text(if spec == "vhost_types" { "vhost" } else { spec });
        assert_eq!(
            is_unsafe(&text, wrapper),
            Some(true),
            "{spec}: the wrapper `{wrapper}` (argument with {st}.{field}) is not `pub unsafe fn`"
        );
    }
    // Guest and IO addresses are not user addresses: these stay safe.
    let kvm = module_text("kvm");
    assert_eq!(is_unsafe(&kvm, "create_vm"), Some(false));
    let vfio = module_text("vfio");
    assert_eq!(
        is_unsafe(&vfio, "iommu_unmap_dma"),
        Some(false),
        "unmapping passes an iova"
    );
    // A payload whose pointer the wrapper fills from a borrow stays safe.
    let iommufd = module_text("iommufd");
    assert_eq!(is_unsafe(&iommufd, "hwpt_alloc"), Some(false));
}

/// The user-address members reachable from a type (through embedded structs and unions,
/// arrays of them, and payload variants), by field index of the type itself or `None`
/// for a deeper one.
fn addresses(m: &Module, id: TypeId, seen: &mut BTreeSet<TypeId>, top: bool) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    if !seen.insert(id) {
        return out;
    }
    for (i, f) in m.types[id].fields.iter().enumerate() {
        if f.user_address || matches!(f.ty.element(), Ty::Ptr(_)) {
            out.push(top.then_some(i));
        }
        if let Ty::Named(inner) = f.ty.element() {
            out.extend(addresses(m, *inner, seen, false).into_iter().map(|_| None));
        }
    }
    if let Some(p) = &m.types[id].payload {
        for v in &p.variants {
            if let Some(Ty::Named(vid)) = v.ty.as_ref().map(Ty::element) {
                out.extend(addresses(m, *vid, seen, false).into_iter().map(|_| None));
            }
        }
    }
    out
}

#[test]
fn no_user_address_reaches_a_safe_wrapper_but_through_a_borrow() {
    let specs = [
        "vfio",
        "iommu",
        "iommufd",
        "vfio_nesting",
        "kvm",
        "nsfs",
        "userfaultfd",
        "loop",
        "vhost",
        "seccomp",
    ];
    let mut unsafe_count = 0;
    for spec in specs {
        let m = model(spec);
        let text = module_text(spec);
        for io in &m.module.ioctls {
            let Some(Ty::Named(id)) = io.arg.as_ref().map(Ty::element) else {
                continue;
            };
            let wrapper = uapigen::names::wrapper_name(&io.rust_name);
            let found = addresses(&m.module, *id, &mut BTreeSet::new(), true);
            match is_unsafe(&text, &wrapper) {
                Some(true) => {
                    unsafe_count += 1;
                    assert!(
                        !found.is_empty(),
                        "{spec}: `{wrapper}` is unsafe without a user address"
                    );
                }
                Some(false) => {
                    // Only a payload pointer, which the wrapper points at the borrowed payload.
                    let filled = match m.module.types[*id].payload.as_ref().map(|p| &p.kind) {
                        Some(
                            PayloadKind::Pointer { pointer, .. }
                            | PayloadKind::Entries { pointer, .. },
                        ) => Some(*pointer),
                        _ => None,
                    };
                    // Its parameters: the header and the typed payload it borrows.
                    let params = text
                        .split(&format!("pub fn {wrapper}("))
                        .nth(1)
                        .and_then(|rest| rest.split(") ->").next())
                        .unwrap_or("");
                    let takes_payload =
                        params.contains("header: &") && params.contains("payload: &");
                    assert!(
                        found.iter().all(|f| f.is_some() && *f == filled)
                            && (found.is_empty() || takes_payload),
                        "{spec}: the safe `{wrapper}` takes a user address from its caller"
                    );
                }
                None => panic!("{spec}: no wrapper `{wrapper}` for {}", io.c_name),
            }
        }
    }
    assert!(unsafe_count >= 16, "only {unsafe_count} unsafe wrappers");
}

/// The crate docs say which wrappers are `unsafe` and why: `generated/src/lib.rs` explains
/// the rule and lists every `pub unsafe fn` of every module (and no other wrapper).
#[test]
fn the_crate_docs_list_every_unsafe_wrapper() {
    let lib = std::fs::read_to_string(root().join("generated/src/lib.rs"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        lib.contains("//! # Safe and `unsafe` wrappers"),
        "no section in the crate docs"
    );
    assert!(
        lib.contains("user address"),
        "the crate docs do not say why"
    );
    let listed: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//! - `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect();
    let mut found = BTreeSet::new();
    let dir = root().join("generated/src");
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if stem == "lib" || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        for rest in text.split("pub unsafe fn ").skip(1) {
            let name: String = rest
                .chars()
                .take_while(|c| *c == '_' || c.is_alphanumeric())
                .collect();
            found.insert(format!("{stem}::{name}"));
        }
    }
    assert!(!found.is_empty());
    assert_eq!(
        listed, found,
        "the crate docs' list and the unsafe wrappers differ"
    );
}
