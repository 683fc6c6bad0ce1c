//! Issue 16, scope 4: value groups are Rust enums, and a field with `values: GROUP` has a
//! typed accessor (`op()` returns `Result<Group, raw>`, `set_op(Group)`) while the raw
//! value stays the public field. On real specs: VFIO nesting's `op`, VFIO's
//! `link_state`, userfaultfd's `event` (of the packed `uffd_msg`) and KVM's `exit_reason`
//! and `io.direction` (a `u8` group).

use linux_uapi::{kvm, userfaultfd, vfio, vfio_nesting};

#[test]
fn every_value_round_trips_and_unknown_values_stay_raw() {
    use vfio_nesting::IommuNestingOpType as Op;
    for (op, raw) in [
        (Op::BindPgtbl, vfio_nesting::IOMMU_NESTING_OP_BIND_PGTBL),
        (Op::UnbindPgtbl, vfio_nesting::IOMMU_NESTING_OP_UNBIND_PGTBL),
        (Op::CacheInvld, vfio_nesting::IOMMU_NESTING_OP_CACHE_INVLD),
    ] {
        assert_eq!(op.raw(), raw);
        assert_eq!(u32::from(op), raw);
        assert_eq!(Op::from_raw(raw), Ok(op));
        assert_eq!(Op::try_from(raw), Ok(op));
    }
    // A value a newer kernel may define: kept, not mapped to a known one.
    assert_eq!(Op::from_raw(3), Err(3));
    assert_eq!(Op::try_from(u32::MAX), Err(u32::MAX));
}

#[test]
fn field_accessors_read_and_write_the_raw_field() {
    let mut op = vfio_nesting::IommuType1NestingOp::default();
    assert_eq!(op.op(), Ok(vfio_nesting::IommuNestingOpType::BindPgtbl));
    op.set_op(vfio_nesting::IommuNestingOpType::CacheInvld);
    assert_eq!(op.op, vfio_nesting::IOMMU_NESTING_OP_CACHE_INVLD);
    op.op = 7;
    assert_eq!(op.op(), Err(7));

    let mut edid = vfio::RegionGfxEdid::default();
    assert_eq!(edid.link_state(), Err(0), "0 is no link state");
    edid.set_link_state(vfio::GfxLinkState::Down);
    assert_eq!(edid.link_state, vfio::DEVICE_GFX_LINK_STATE_DOWN);
    assert_eq!(edid.link_state(), Ok(vfio::GfxLinkState::Down));
}

#[test]
fn packed_and_u8_groups() {
    // uffd_msg is packed: the accessor reads the field by copy.
    let mut msg = userfaultfd::UffdMsg::default();
    msg.set_event(userfaultfd::UffdEvent::Remove);
    assert_eq!({ msg.event }, userfaultfd::UFFD_EVENT_REMOVE);
    assert_eq!(msg.event(), Ok(userfaultfd::UffdEvent::Remove));
    msg.event = 0xee;
    assert_eq!(msg.event(), Err(0xee_u8));
}

#[cfg(target_arch = "x86_64")]
#[test]
fn kvm_exit_reason_matches_exhaustively() {
    let mut run = kvm::Run {
        exit_reason: kvm::EXIT_HLT,
        ..Default::default()
    };
    // Every known reason is a variant: a match without `_` names them all (the compiler
    // checks that this match is exhaustive); unknown ones are the `Err` side.
    let name = match run.exit_reason() {
        Ok(kvm::ExitReason::Hlt) => "hlt",
        Ok(kvm::ExitReason::Io) => "io",
        Ok(other) => {
            assert_ne!(other.raw(), kvm::EXIT_HLT);
            "other"
        }
        Err(raw) => panic!("unknown exit reason {raw}"),
    };
    assert_eq!(name, "hlt");
    run.set_exit_reason(kvm::ExitReason::Io);
    assert_eq!(run.exit_reason, kvm::EXIT_IO);
    assert_eq!(
        kvm::ExitIoDirection::from_raw(kvm::EXIT_IO_OUT),
        Ok(kvm::ExitIoDirection::Out)
    );
    assert_eq!(kvm::ExitIoDirection::from_raw(9), Err(9u8));
    assert_eq!(core::mem::size_of::<kvm::ExitIoDirection>(), 1);
}
