//! Hand-written == generated: the same bytes out of encode, the same values and the same
//! accept/reject decisions out of decode (on the sample and on corrupted copies of it).

fn set32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

fn get32(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

/// Apply `f` to a copy of `good`.
fn with(good: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = good.to_vec();
    f(&mut v);
    v
}

mod vfio_tests {
    use super::*;
    use crate::vfio::*;
    use linux_uapi::vfio::{DeviceFeature, DeviceFeaturePayload, IrqSet, IrqSetPayload};

    fn irq_bytes() -> Vec<u8> {
        let (h, p, _) = irq_set_sample();
        let mut buf = [0u8; IRQ_SET_BUF];
        let n = p.encode_into(&h, &mut buf).unwrap();
        buf[..n].to_vec()
    }

    /// Decode with both; panic unless they agree. True when accepted.
    fn irq_same(bytes: &[u8]) -> bool {
        let g = IrqSetPayload::decode(bytes);
        let h = hand_decode_irq_set(bytes);
        match (&g, &h) {
            (Ok((gh, gp)), Ok((hh, hp))) => {
                assert_eq!(gh, hh);
                assert_eq!(irq_set_as_hand(gp), *hp);
                true
            }
            (Err(_), Err(())) => false,
            _ => panic!("decisions differ on {bytes:?}: generated {g:?}, hand {h:?}"),
        }
    }

    #[test]
    fn irq_set_constants() {
        assert_eq!(IrqSet::MIN_SIZE, 20);
        assert_eq!(IrqSet::KNOWN_FLAGS, 0x3f);
        assert_eq!(IrqSet::TAG_MASK, 0x7);
    }

    #[test]
    fn irq_set_encode_same_bytes() {
        let (h, p, hp) = irq_set_sample();
        let mut a = [0u8; IRQ_SET_BUF];
        let mut b = [0xaau8; IRQ_SET_BUF];
        let na = p.encode_into(&h, &mut a).unwrap();
        let nb = hand_encode_irq_set(&h, &hp, &mut b).unwrap();
        assert_eq!(na, 36);
        assert_eq!(a[..na], b[..nb]);
        assert_eq!(p.encode::<IRQ_SET_BUF>(&h).unwrap().as_bytes(), &b[..nb]);
        // Other variants too.
        for (gp, hp) in [
            (IrqSetPayload::None, HandIrqSet::None),
            (
                IrqSetPayload::Bool(uapigen_runtime::ElemSlice::new(&[1u8, 0, 1][..])),
                HandIrqSet::Bool(&[1, 0, 1]),
            ),
        ] {
            let na = gp.encode_into(&h, &mut a).unwrap();
            let nb = hand_encode_irq_set(&h, &hp, &mut b).unwrap();
            assert_eq!(a[..na], b[..nb]);
        }
        // Too small an output buffer: both refuse.
        assert!(p.encode_into(&h, &mut a[..35]).is_err());
        assert!(hand_encode_irq_set(&h, &hp, &mut b[..35]).is_err());
    }

    #[test]
    fn irq_set_decode_same() {
        let good = irq_bytes();
        assert!(irq_same(&good));
        let (_, HandIrqSetData::Eventfd(_)) = hand_decode_irq_set(&good).unwrap() else {
            panic!("not eventfds")
        };
        assert_eq!(hand_decode_irq_set(&good).unwrap().1.eventfd(3), Some(13));
        // Accepted by both: trailing bytes past argsz, argsz covering them, DATA_NONE with a count.
        assert!(irq_same(&with(&good, |v| v.extend_from_slice(&[0xff; 8]))));
        assert!(irq_same(&with(&good, |v| {
            v.extend_from_slice(&[0xff; 8]);
            set32(v, 0, 44);
        })));
        assert!(irq_same(&with(&good, |v| set32(v, 4, 0x20 | 1))));
        // Rejected by both.
        let bad: Vec<Vec<u8>> = vec![
            with(&good, |v| set32(v, 4, 0x20 | 3)), // bad tag (two DATA bits)
            with(&good, |v| set32(v, 4, 0x20)),     // no DATA bit
            with(&good, |v| set32(v, 4, 0x24 | 1 << 6)), // unknown flag bit
            with(&good, |v| v.truncate(35)),        // short buffer
            with(&good, |v| v.truncate(3)),         // no size field
            with(&good, |v| set32(v, 0, 16)),       // argsz < minsz
            with(&good, |v| set32(v, 0, 32)),       // argsz cuts the data
            with(&good, |v| set32(v, 16, 5)),       // count past the data
        ];
        for b in &bad {
            assert!(!irq_same(b), "accepted {b:?}");
        }
    }

    fn feature_bytes() -> Vec<u8> {
        let (h, p, _) = device_feature_sample();
        p.encode(&h).as_bytes().to_vec()
    }

    fn feature_same(bytes: &[u8]) -> bool {
        let g = DeviceFeaturePayload::decode(bytes);
        let h = hand_decode_device_feature(bytes);
        match (&g, &h) {
            (Ok((gh, gp)), Ok((hh, hp))) => {
                assert_eq!(gh, hh);
                assert_eq!(device_feature_as_hand(gp), *hp);
                true
            }
            (Err(_), Err(())) => false,
            _ => panic!("decisions differ on {bytes:?}: generated {g:?}, hand {h:?}"),
        }
    }

    #[test]
    fn device_feature_encode_same_bytes() {
        assert_eq!(DeviceFeature::MIN_SIZE, 8);
        assert_eq!(DeviceFeature::KNOWN_FLAGS, 0x7_ffff);
        let (h, p, hp) = device_feature_sample();
        let mut a = [0u8; 64];
        let mut b = [0x55u8; 64];
        let na = p.encode_into(&h, &mut a).unwrap();
        let nb = hand_encode_device_feature(&h, &hp, &mut b).unwrap();
        assert_eq!(na, 32);
        assert_eq!(a[..na], b[..nb]);
        assert_eq!(p.encode(&h).as_bytes(), &b[..nb]);
        let na = DeviceFeaturePayload::DmaLoggingStop
            .encode_into(&h, &mut a)
            .unwrap();
        let nb = hand_encode_device_feature(&h, &HandDeviceFeature::NoData(7), &mut b).unwrap();
        assert_eq!(a[..na], b[..nb]);
        assert!(p.encode_into(&h, &mut a[..31]).is_err());
        assert!(hand_encode_device_feature(&h, &hp, &mut b[..31]).is_err());
    }

    #[test]
    fn device_feature_decode_same() {
        let good = feature_bytes();
        assert!(feature_same(&good));
        assert!(feature_same(&with(&good, |v| v.extend_from_slice(&[1; 4]))));
        assert!(feature_same(&with(&good, |v| set32(v, 4, 1 << 18 | 6)))); // PROBE|DMA_LOGGING_START
        assert!(feature_same(&with(&good, |v| {
            set32(v, 4, 1 << 17 | 3); // LOW_POWER_ENTRY, no data needed
            set32(v, 0, 8);
        })));
        let bad: Vec<Vec<u8>> = vec![
            with(&good, |v| set32(v, 4, 1 << 17 | 9)),      // bad tag
            with(&good, |v| set32(v, 4, 1 << 17 | 0xffff)), // bad tag
            with(&good, |v| set32(v, 4, 1 << 19 | 6)),      // unknown flag bit
            with(&good, |v| v.truncate(31)),                // short buffer
            with(&good, |v| set32(v, 0, 7)),                // argsz < minsz
            with(&good, |v| set32(v, 0, 31)),               // argsz cuts the payload
            with(&good, |v| set32(v, 20, 1)),               // control.__reserved
            with(&good, |v| set32(v, 4, 1 << 16 | 8)),      // REPORT needs 32 bytes, has 24
            with(&good, |v| set32(v, 4, 1 << 16 | 6)),      // GET of a SET-only feature
            with(&good, |v| set32(v, 4, 3 << 16 | 6)),      // GET and SET without PROBE
            with(&good, |v| set32(v, 4, 6)),                // neither GET nor SET
        ];
        // vfio_pci_core_pm_entry_with_wakeup reads wakeup_eventfd only: `reserved` is not
        // checked.
        assert!(feature_same(&with(&good, |v| {
            set32(v, 4, 1 << 17 | 4);
            set32(v, 12, 1);
        })));
        for b in &bad {
            assert!(!feature_same(b), "accepted {b:?}");
        }
    }
}

mod iommu_tests {
    use super::*;
    use crate::iommu::*;
    use linux_uapi::iommu::{
        CacheInvalidateInfo, CacheInvalidateInfoPayload, GpasidBindData, GpasidBindDataPayload,
        InvPasidInfo,
    };

    fn cache_same(bytes: &[u8]) -> bool {
        let g = CacheInvalidateInfoPayload::decode(bytes);
        let h = hand_decode_cache_invalidate(bytes);
        match (&g, &h) {
            (Ok((gh, gp)), Ok((hh, hp))) => {
                assert_eq!(gh, hh);
                assert_eq!(cache_invalidate_as_hand(gp), *hp);
                true
            }
            (Err(_), Err(())) => false,
            _ => panic!("decisions differ on {bytes:?}: generated {g:?}, hand {h:?}"),
        }
    }

    #[test]
    fn cache_invalidate_encode_same_bytes() {
        // iommu_uapi_cache_invalidate: minsz = offsetof(granu).
        assert_eq!(CacheInvalidateInfo::MIN_SIZE, 16);
        let (h, p, hp) = cache_invalidate_sample();
        let mut a = [0u8; 64];
        let mut b = [0x77u8; 64];
        let na = p.encode_into(&h, &mut a).unwrap();
        let nb = hand_encode_cache_invalidate(&h, &hp, &mut b).unwrap();
        assert_eq!(a[..na], b[..nb]);
        assert_eq!(p.encode(&h).as_bytes(), &b[..nb]);
        let pasid = InvPasidInfo {
            flags: 1,
            archid: 0,
            pasid: 3,
        };
        let na = CacheInvalidateInfoPayload::Pasid(pasid)
            .encode_into(&h, &mut a)
            .unwrap();
        let nb =
            hand_encode_cache_invalidate(&h, &HandCacheInvalidate::Pasid(pasid), &mut b).unwrap();
        assert_eq!(a[..na], b[..nb]);
        assert!(p.encode_into(&h, &mut a[..55]).is_err());
        assert!(hand_encode_cache_invalidate(&h, &hp, &mut b[..55]).is_err());
    }

    #[test]
    fn cache_invalidate_decode_same() {
        let (h, p, _) = cache_invalidate_sample();
        let good = p.encode(&h).as_bytes().to_vec();
        assert!(cache_same(&good));
        assert!(cache_same(&with(&good, |v| v[9] = 0))); // DOMAIN
        assert!(cache_same(&with(&good, |v| v[9] = 1))); // PASID
        let bad: Vec<Vec<u8>> = vec![
            with(&good, |v| set32(v, 4, 99)), // version: only 1 (iommu_check_cache_invl_data)
            with(&good, |v| v[9] = 3),        // bad tag
            with(&good, |v| v[8] = 0x8),      // unknown cache bit
            with(&good, |v| v[12] = 1),       // padding
            with(&good, |v| v.truncate(55)),  // short buffer
            with(&good, |v| set32(v, 0, 48)), // argsz < sizeof
        ];
        for b in &bad {
            assert!(!cache_same(b), "accepted {b:?}");
        }
    }

    fn bind_same(bytes: &[u8]) -> bool {
        let g = GpasidBindDataPayload::decode(bytes);
        let h = hand_decode_gpasid_bind(bytes);
        match (&g, &h) {
            (Ok((gh, gp)), Ok((hh, hp))) => {
                assert_eq!(gh, hh);
                assert_eq!(gpasid_bind_as_hand(gp), *hp);
                true
            }
            (Err(_), Err(())) => false,
            _ => panic!("decisions differ on {bytes:?}: generated {g:?}, hand {h:?}"),
        }
    }

    #[test]
    fn gpasid_bind_encode_same_bytes() {
        // iommu_uapi_sva_bind_gpasid: minsz = offsetof(vendor).
        assert_eq!(GpasidBindData::MIN_SIZE, 56);
        let (h, p, hp) = gpasid_bind_sample();
        let mut a = [0u8; 80];
        let mut b = [0x11u8; 80];
        let na = p.encode_into(&h, &mut a).unwrap();
        let nb = hand_encode_gpasid_bind(&h, &hp, &mut b).unwrap();
        assert_eq!(a[..na], b[..nb]);
        assert_eq!(p.encode(&h).as_bytes(), &b[..nb]);
        assert!(p.encode_into(&h, &mut a[..71]).is_err());
        assert!(hand_encode_gpasid_bind(&h, &hp, &mut b[..71]).is_err());
    }

    #[test]
    fn gpasid_bind_decode_same() {
        let (h, p, _) = gpasid_bind_sample();
        let good = p.encode(&h).as_bytes().to_vec();
        assert!(bind_same(&good));
        assert!(bind_same(&with(&good, |v| v[56] = 0xff))); // any vendor flags (see report)
        let bad: Vec<Vec<u8>> = vec![
            with(&good, |v| set32(v, 8, 2)),  // bad tag (format)
            with(&good, |v| v[16] = 0x3),     // unknown flag bit
            with(&good, |v| v[50] = 1),       // padding
            with(&good, |v| v.truncate(71)),  // short buffer
            with(&good, |v| set32(v, 0, 64)), // argsz < sizeof
        ];
        for b in &bad {
            assert!(!bind_same(b), "accepted {b:?}");
        }
    }
}

mod iommufd_tests {
    use super::*;
    use crate::iommufd::*;
    use linux_uapi::iommufd::{HwptAlloc, HwptAllocPayload, HwptInvalidate, HwptInvalidatePayload};
    use uapigen_runtime::AsBytes;

    fn alloc_same(hdr: &[u8], data: &[u8]) -> bool {
        let g =
            HwptAlloc::check(hdr).and_then(|h| HwptAllocPayload::decode(&h, data).map(|p| (h, p)));
        let h = hand_decode_hwpt_alloc(hdr, data);
        match (&g, &h) {
            (Ok((gh, gp)), Ok((hh, hp))) => {
                assert_eq!(gh, hh);
                assert_eq!(hwpt_alloc_as_hand(gp), *hp);
                true
            }
            (Err(_), Err(())) => false,
            _ => panic!("decisions differ on {hdr:?} {data:?}: generated {g:?}, hand {h:?}"),
        }
    }

    fn alloc_good() -> (Vec<u8>, Vec<u8>) {
        let (mut h, p, _) = hwpt_alloc_sample();
        let data = p.encode_data();
        p.fill(&mut h, 0x7000_1000).unwrap();
        (h.as_bytes().to_vec(), data.as_bytes().to_vec())
    }

    #[test]
    fn hwpt_alloc_encode_same() {
        // IOCTL_OP(IOMMU_HWPT_ALLOC, ..., __reserved): offsetofend(__reserved).
        assert_eq!(HwptAlloc::MIN_SIZE, 24);
        let (h0, p, hp) = hwpt_alloc_sample();
        let mut gh = h0;
        let data = p.encode_data();
        p.fill(&mut gh, 0xdead_b000).unwrap();
        let mut hh = h0;
        let mut out = [0xeeu8; 64];
        let n = hand_encode_hwpt_alloc(&mut hh, &hp, 0xdead_b000, &mut out).unwrap();
        assert_eq!(gh, hh);
        assert_eq!(data.as_bytes(), &out[..n]);
        assert!(hand_encode_hwpt_alloc(&mut hh, &hp, 0, &mut out[..23]).is_err());
    }

    #[test]
    fn hwpt_alloc_decode_same() {
        let (hdr, data) = alloc_good();
        assert!(alloc_same(&hdr, &data));
        // An older, shorter struct (size = 40) is zero-extended.
        assert!(alloc_same(&with(&hdr, |v| set32(v, 0, 40)), &data));
        // A newer, longer one with zero tail bytes is fine.
        let longer = with(&hdr, |v| {
            v.extend_from_slice(&[0; 8]);
            set32(v, 0, 56);
        });
        assert!(alloc_same(&longer, &data));
        // NONE with no data.
        assert!(alloc_same(
            &with(&hdr, |v| {
                set32(v, 24, 0);
                set32(v, 28, 0)
            }),
            &[]
        ));
        // Longer data than the type is accepted by the generated decode (see report).
        let mut long_data = data.clone();
        long_data.extend_from_slice(&[0xff; 8]);
        assert!(alloc_same(&with(&hdr, |v| set32(v, 28, 32)), &long_data));
        // iommufd_hwpt_alloc checks `__reserved`, not `__reserved2`.
        assert!(alloc_same(&with(&hdr, |v| set32(v, 44, 1)), &data));
        let bad: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (with(&hdr, |v| set32(v, 24, 4)), data.clone()), // bad tag
            (with(&hdr, |v| set32(v, 4, 0x10)), data.clone()), // unknown flag bit
            (with(&hdr, |v| set32(v, 20, 1)), data.clone()), // __reserved
            (with(&hdr, |v| v.truncate(47)), data.clone()),  // short buffer
            (with(&hdr, |v| set32(v, 0, 23)), data.clone()), // size < minsz (24)
            (with(&longer, |v| v[50] = 1), data.clone()),    // non-zero tail (E2BIG)
            (hdr.clone(), data[..20].to_vec()),              // data_len != data
            (with(&hdr, |v| set32(v, 28, 20)), data[..20].to_vec()), // data short of its type
            (hdr.clone(), with(&data, |v| v[20] = 1)),       // vtd_s1.__reserved
        ];
        for (h, d) in &bad {
            assert!(!alloc_same(h, d), "accepted {h:?} {d:?}");
        }
    }

    fn inv_same(hdr: &[u8], data: &[u8]) -> bool {
        let g = HwptInvalidate::check(hdr)
            .and_then(|h| HwptInvalidatePayload::decode(&h, data).map(|p| (h, p)));
        let h = hand_decode_hwpt_invalidate(hdr, data);
        match (&g, &h) {
            (Ok((gh, gp)), Ok((hh, hp))) => {
                assert_eq!(gh, hh);
                assert_eq!(hwpt_invalidate_as_hand(gp), *hp);
                true
            }
            (Err(_), Err(())) => false,
            _ => panic!("decisions differ on {hdr:?}: generated {g:?}, hand {h:?}"),
        }
    }

    #[test]
    fn hwpt_invalidate_encode_same() {
        assert_eq!(HwptInvalidate::MIN_SIZE, 32);
        let (h0, p, hp) = hwpt_invalidate_sample();
        let data = hwpt_invalidate_sample_data();
        let mut gh = h0;
        p.fill(&mut gh, data.as_ptr() as u64).unwrap();
        let mut hh = h0;
        let n = hand_encode_hwpt_invalidate(&mut hh, &hp).unwrap();
        assert_eq!(gh, hh);
        assert_eq!(gh.as_bytes(), hh.as_bytes());
        assert_eq!(n, 96);
        assert_eq!(gh.entry_num, 4);
    }

    #[test]
    fn hwpt_invalidate_decode_same() {
        let (mut h, p, _) = hwpt_invalidate_sample();
        let data = hwpt_invalidate_sample_data();
        p.fill(&mut h, data.as_ptr() as u64).unwrap();
        let hdr = h.as_bytes().to_vec();
        assert!(inv_same(&hdr, data));
        let longer = with(&hdr, |v| {
            v.extend_from_slice(&[0; 8]);
            set32(v, 0, 40);
        });
        assert!(inv_same(&longer, data));
        // Any flags in the entries (see report).
        assert!(inv_same(&hdr, &with(data, |v| v[16] = 0xff)));
        let bad: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (with(&hdr, |v| set32(v, 16, 2)), data.to_vec()), // bad tag
            (with(&hdr, |v| set32(v, 16, 1)), data.to_vec()), // SMMUv3 tag with VT-d entry_len
            (with(&hdr, |v| set32(v, 28, 1)), data.to_vec()), // __reserved
            (with(&hdr, |v| v.truncate(31)), data.to_vec()),  // short buffer
            (with(&hdr, |v| set32(v, 0, 24)), data.to_vec()), // size < minsz
            (with(&longer, |v| v[36] = 1), data.to_vec()),    // non-zero tail (E2BIG)
            (with(&hdr, |v| set32(v, 24, 5)), data.to_vec()), // entry_num past the data
            (
                with(&hdr, |v| {
                    set32(v, 20, 32);
                    set32(v, 24, 3);
                }),
                data.to_vec(),
            ), // entry_len != sizeof entry
            (hdr.clone(), data[..72].to_vec()),               // data short
        ];
        for (h, d) in &bad {
            assert!(!inv_same(h, d), "accepted {h:?}");
        }
        assert_eq!(get32(&hdr, 20), 24);
    }
}

mod kvm_tests {
    use super::*;
    use crate::kvm::*;
    use linux_uapi::kvm::RunPayload;

    fn run_same(bytes: &[u8]) -> bool {
        let g = RunPayload::decode(bytes);
        let h = hand_decode_run(bytes);
        match (&g, &h) {
            (Ok((gh, gp)), Ok((hh, hp))) => {
                assert!(gh == hh);
                assert_eq!(run_as_hand(gp), *hp);
                true
            }
            (Err(_), Err(())) => false,
            _ => panic!(
                "decisions differ: generated {:?}, hand {:?}",
                g.is_ok(),
                h.is_ok()
            ),
        }
    }

    #[test]
    fn run_decode_same() {
        let good = run_sample_bytes();
        assert!(run_same(&good));
        let (_, HandRunExit::Io(io)) = hand_decode_run(&good).unwrap() else {
            panic!()
        };
        assert_eq!(io.port, 0x3f8);
        for tag in [
            0u32, 5, 6, 12, 16, 17, 24, 26, 27, 29, 30, 31, 32, 33, 34, 37,
        ] {
            assert!(run_same(&with(&good, |v| set32(v, 8, tag))), "tag {tag}");
        }
        // No flag or reserved checks on kvm_run (the kernel writes it): both accept.
        assert!(run_same(&with(&good, |v| v[14] = 0xff)));
        let bad: Vec<Vec<u8>> = vec![
            with(&good, |v| set32(v, 8, 11)), // bad tag (KVM_EXIT_SET_TPR is not in the spec)
            with(&good, |v| set32(v, 8, 999)), // bad tag
            with(&good, |v| v.truncate(2351)), // short buffer
        ];
        for b in &bad {
            assert!(!run_same(b));
        }
    }
}

mod vfio_nesting_tests {
    use super::*;
    use crate::vfio_nesting::*;
    use linux_uapi::vfio_nesting::{IommuType1NestingOp, IommuType1NestingOpPayload};

    fn nest_same(bytes: &[u8]) -> bool {
        let g = IommuType1NestingOpPayload::decode(bytes);
        let h = hand_decode_nesting_op(bytes);
        match (&g, &h) {
            (Ok((gh, gp)), Ok((hh, hp))) => {
                assert_eq!(gh, hh);
                assert_eq!(nesting_op_as_hand(gp), *hp);
                true
            }
            (Err(_), Err(())) => false,
            _ => panic!("decisions differ on {bytes:?}: generated {g:?}, hand {h:?}"),
        }
    }

    #[test]
    fn nesting_op_encode_same_bytes() {
        assert_eq!(IommuType1NestingOp::MIN_SIZE, 12);
        let (h, p, hp) = nesting_op_sample();
        let mut a = [0u8; 96];
        let mut b = [0x99u8; 96];
        let na = p.encode_into(&h, &mut a).unwrap();
        let nb = hand_encode_nesting_op(&h, &hp, &mut b).unwrap();
        assert_eq!(na, 84);
        assert_eq!(a[..na], b[..nb]);
        assert_eq!(p.encode(&h).as_bytes(), &b[..nb]);
        assert!(p.encode_into(&h, &mut a[..83]).is_err());
        assert!(hand_encode_nesting_op(&h, &hp, &mut b[..83]).is_err());
    }

    #[test]
    fn nesting_op_decode_same() {
        let (h, p, _) = nesting_op_sample();
        let good = p.encode(&h).as_bytes().to_vec();
        assert!(nest_same(&good));
        assert!(nest_same(&with(&good, |v| set32(v, 8, 1)))); // UNBIND
        assert!(nest_same(&with(&good, |v| v.extend_from_slice(&[3; 5]))));
        let bad: Vec<Vec<u8>> = vec![
            with(&good, |v| set32(v, 8, 3)),      // bad tag (op)
            with(&good, |v| set32(v, 8, 2)),      // CACHE_INVLD over a bind: inner checks fail
            with(&good, |v| set32(v, 4, 1)),      // unknown flag bit
            with(&good, |v| v.truncate(83)),      // short buffer
            with(&good, |v| set32(v, 0, 11)),     // argsz < minsz
            with(&good, |v| set32(v, 0, 83)),     // argsz cuts the inner struct
            with(&good, |v| set32(v, 12, 0)),     // inner argsz 0
            with(&good, |v| set32(v, 12 + 8, 2)), // inner bad tag (format)
            with(&good, |v| v[12 + 16] = 2),      // inner unknown flag bit
            with(&good, |v| v[12 + 50] = 1),      // inner padding
        ];
        for b in &bad {
            assert!(!nest_same(b), "accepted {b:?}");
        }
    }

    #[test]
    fn nesting_op_encode_keeps_inner_argsz_zero() {
        // The outer encode copies the inner struct verbatim: a default inner struct (argsz
        // 0, format 0) encodes fine but its own decode rejects it.
        let (h, _, _) = nesting_op_sample();
        let p = IommuType1NestingOpPayload::BindPgtbl(Default::default());
        let bytes = p.encode(&h);
        assert!(IommuType1NestingOpPayload::decode(bytes.as_bytes()).is_err());
    }
}
