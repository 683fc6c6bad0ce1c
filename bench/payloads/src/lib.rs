//! Hand-written encoders and decoders of the tagged payloads that `linux-uapi` generates,
//! written the way a developer would against bindgen-style structs (`to_ne_bytes`,
//! `from_ne_bytes`, `read_unaligned`), for the benchmarks in `benches/payloads.rs` and the
//! allocation counter in `src/bin/alloc-count.rs`.
//!
//! Each `hand_encode_*` produces exactly the bytes of the generated `encode_into` (or, for
//! the pointer-based iommufd payloads, the same header and data as `encode_data` + `fill`);
//! each `hand_decode_*` makes the same accept/reject decisions as the generated `decode`
//! for the representative variant and for unknown tags (the unit tests check both).
//! Other known tags are decoded only as far as their length (and, where cheap, reserved
//! fields) go and come back as `Other(tag)`.
//!
//! The generated plain structs are used as data types; none of the generated or runtime
//! encode/decode/check helpers is called by the hand-written code.

// The brief asks for `Result<_, ()>`: a hand-written decoder only says yes or no.
#![allow(clippy::result_unit_err)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use core::mem::size_of;

/// `u32` at `off`; the caller has checked that `b` holds it.
#[inline(always)]
fn ne32(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// `u64` at `off`; the caller has checked that `b` holds it.
#[inline(always)]
fn ne64(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_ne_bytes(a)
}

#[inline(always)]
fn put32(out: &mut [u8], off: usize, v: u32) {
    out[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

#[inline(always)]
fn put64(out: &mut [u8], off: usize, v: u64) {
    out[off..off + 8].copy_from_slice(&v.to_ne_bytes());
}

/// The `u32` size field at offset 0, if `b` holds it.
#[inline(always)]
fn size_field(b: &[u8]) -> Option<usize> {
    let s = b.get(..4)?;
    Some(u32::from_ne_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// Copy a plain uapi struct out of `b` at `off` (bounds-checked, no alignment needed).
///
/// # Safety
/// `T` must be valid for every bit pattern (a plain C struct of integers).
#[inline(always)]
unsafe fn read_struct<T: Copy>(b: &[u8], off: usize) -> Option<T> {
    let end = off.checked_add(size_of::<T>())?;
    let s = b.get(off..end)?;
    // SAFETY: `s` holds `size_of::<T>()` bytes; the caller vouches for `T`.
    Some(unsafe { core::ptr::read_unaligned(s.as_ptr().cast::<T>()) })
}

/// Copy a plain uapi struct into `out` at `off` (like `memcpy`); `None` if it does not fit.
///
/// # Safety
/// `T` must have no padding bytes (every byte of the value is initialised).
#[inline(always)]
unsafe fn write_struct<T: Copy>(out: &mut [u8], off: usize, v: &T) -> Option<()> {
    let end = off.checked_add(size_of::<T>())?;
    let d = out.get_mut(off..end)?;
    // SAFETY: `d` has room for `size_of::<T>()` bytes; the caller vouches for `T`.
    unsafe { core::ptr::write_unaligned(d.as_mut_ptr().cast::<T>(), *v) };
    Some(())
}

/// True when `b[from..to]` (clamped to `b`) is all zero.
#[inline(always)]
fn zero(b: &[u8], from: usize, to: usize) -> bool {
    let to = to.min(b.len());
    from >= to || b[from..to].iter().all(|&x| x == 0)
}

/// `struct vfio_irq_set` and `struct vfio_device_feature`.
pub mod vfio {
    use super::*;
    use linux_uapi::vfio::{
        DeviceFeature, DeviceFeatureDmaLoggingControl, DeviceFeatureDmaLoggingReport,
        DeviceFeatureMigState, DeviceFeatureMigration, DeviceFeaturePayload,
        DeviceLowPowerEntryWithWakeup, IrqSet, IrqSetPayload,
    };
    use uapigen_runtime::{AlignedU64, ElemSlice, FlexArray};

    // ---- vfio_irq_set -------------------------------------------------------------

    /// offsetofend(struct vfio_irq_set, count)
    const IRQ_SET_MINSZ: usize = 20;
    /// VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK
    const IRQ_SET_KNOWN: u32 = 0x3f;
    const IRQ_SET_DATA_MASK: u32 = 0x7;
    const IRQ_SET_DATA_NONE: u32 = 1;
    const IRQ_SET_DATA_BOOL: u32 = 2;
    const IRQ_SET_DATA_EVENTFD: u32 = 4;
    const IRQ_SET_ACTION_TRIGGER: u32 = 1 << 5;
    const VFIO_PCI_MSIX_IRQ_INDEX: u32 = 2;

    /// What a hand-written caller passes to VFIO_DEVICE_SET_IRQS.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandIrqSet<'a> {
        None,
        Bool(&'a [u8]),
        Eventfd(&'a [i32]),
    }

    /// What the hand-written decoder returns: views of the (unaligned) data bytes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandIrqSetData<'a> {
        None,
        Bool(&'a [u8]),
        /// `count` native-endian `s32` eventfds.
        Eventfd(&'a [u8]),
    }

    impl HandIrqSetData<'_> {
        /// Eventfd `i`, if there is one.
        pub fn eventfd(&self, i: usize) -> Option<i32> {
            match self {
                HandIrqSetData::Eventfd(b) => {
                    let s = b.get(i.checked_mul(4)?..)?.get(..4)?;
                    Some(i32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
                }
                _ => None,
            }
        }
    }

    /// The generated decode result in the hand-written decoder's terms (for the tests).
    pub fn irq_set_as_hand<'a>(p: &IrqSetPayload<'a>) -> HandIrqSetData<'a> {
        match p {
            IrqSetPayload::None => HandIrqSetData::None,
            IrqSetPayload::Bool(e) => HandIrqSetData::Bool(e.as_bytes()),
            IrqSetPayload::Eventfd(e) => HandIrqSetData::Eventfd(e.as_bytes()),
        }
    }

    pub static EVENTFDS: [i32; 4] = [10, 11, 12, 13];
    /// Room for the sample: 20 + 4 * 4 bytes.
    pub const IRQ_SET_BUF: usize = 64;

    /// MSI-X vectors 0..4 of a device get eventfds 10..13 (ACTION_TRIGGER | DATA_EVENTFD).
    pub fn irq_set_sample() -> (IrqSet, IrqSetPayload<'static>, HandIrqSet<'static>) {
        let h = IrqSet {
            argsz: 0,
            flags: IRQ_SET_ACTION_TRIGGER,
            index: VFIO_PCI_MSIX_IRQ_INDEX,
            start: 0,
            count: EVENTFDS.len() as u32,
            data: FlexArray::new(),
        };
        (
            h,
            IrqSetPayload::Eventfd(ElemSlice::new(&EVENTFDS)),
            HandIrqSet::Eventfd(&EVENTFDS),
        )
    }

    pub fn hand_encode_irq_set(
        header: &IrqSet,
        payload: &HandIrqSet<'_>,
        out: &mut [u8],
    ) -> Result<usize, ()> {
        let (tag, count, data_len) = match payload {
            // DATA_NONE: the count says how many sub-indices the action applies to.
            HandIrqSet::None => (IRQ_SET_DATA_NONE, header.count as usize, 0),
            HandIrqSet::Bool(b) => (IRQ_SET_DATA_BOOL, b.len(), b.len()),
            HandIrqSet::Eventfd(f) => (IRQ_SET_DATA_EVENTFD, f.len(), f.len() * 4),
        };
        let len = IRQ_SET_MINSZ + data_len;
        let out = out.get_mut(..len).ok_or(())?;
        let count = u32::try_from(count).map_err(|_| ())?;
        put32(out, 0, len as u32);
        put32(out, 4, (header.flags & !IRQ_SET_DATA_MASK) | tag);
        put32(out, 8, header.index);
        put32(out, 12, header.start);
        put32(out, 16, count);
        match payload {
            HandIrqSet::None => {}
            HandIrqSet::Bool(b) => out[IRQ_SET_MINSZ..].copy_from_slice(b),
            HandIrqSet::Eventfd(fds) => {
                for (dst, fd) in out[IRQ_SET_MINSZ..].chunks_exact_mut(4).zip(fds.iter()) {
                    dst.copy_from_slice(&fd.to_ne_bytes());
                }
            }
        }
        Ok(len)
    }

    pub fn hand_decode_irq_set(bytes: &[u8]) -> Result<(IrqSet, HandIrqSetData<'_>), ()> {
        let argsz = size_field(bytes).ok_or(())?;
        if argsz < IRQ_SET_MINSZ || argsz > bytes.len() {
            return Err(());
        }
        let b = &bytes[..argsz];
        let flags = ne32(b, 4);
        if flags & !IRQ_SET_KNOWN != 0 {
            return Err(());
        }
        let count = ne32(b, 16);
        let tail = &b[IRQ_SET_MINSZ..];
        let data = match flags & IRQ_SET_DATA_MASK {
            IRQ_SET_DATA_NONE => HandIrqSetData::None,
            IRQ_SET_DATA_BOOL => HandIrqSetData::Bool(tail.get(..count as usize).ok_or(())?),
            IRQ_SET_DATA_EVENTFD => {
                HandIrqSetData::Eventfd(tail.get(..(count as usize).saturating_mul(4)).ok_or(())?)
            }
            _ => return Err(()),
        };
        let header = IrqSet {
            argsz: argsz as u32,
            flags,
            index: ne32(b, 8),
            start: ne32(b, 12),
            count,
            data: FlexArray::new(),
        };
        Ok((header, data))
    }

    // ---- vfio_device_feature ------------------------------------------------------

    /// offsetofend(struct vfio_device_feature, flags)
    const FEATURE_MINSZ: usize = 8;
    /// VFIO_DEVICE_FEATURE_MASK | GET | SET | PROBE
    const FEATURE_KNOWN: u32 = 0x7_ffff;
    const FEATURE_MASK: u32 = 0xffff;
    const FEATURE_SET: u32 = 1 << 17;
    const FEATURE_DMA_LOGGING_START: u32 = 6;

    /// VFIO_DEVICE_FEATURE payloads a hand-written caller uses.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandDeviceFeature {
        DmaLoggingStart(DeviceFeatureDmaLoggingControl),
        /// LOW_POWER_ENTRY (3), LOW_POWER_EXIT (5), DMA_LOGGING_STOP (7): no data.
        NoData(u32),
        /// Decode only: another known feature whose data this code does not read.
        Other(u32),
    }

    pub fn device_feature_as_hand(p: &DeviceFeaturePayload) -> HandDeviceFeature {
        match p {
            DeviceFeaturePayload::DmaLoggingStart(c) => HandDeviceFeature::DmaLoggingStart(*c),
            DeviceFeaturePayload::LowPowerEntry
            | DeviceFeaturePayload::LowPowerExit
            | DeviceFeaturePayload::DmaLoggingStop => HandDeviceFeature::NoData(p.tag()),
            other => HandDeviceFeature::Other(other.tag()),
        }
    }

    /// VFIO_DEVICE_FEATURE_SET of DMA_LOGGING_START over two ranges.
    pub fn device_feature_sample() -> (DeviceFeature, DeviceFeaturePayload, HandDeviceFeature) {
        let h = DeviceFeature {
            argsz: 0,
            flags: FEATURE_SET,
            data: FlexArray::new(),
        };
        let ctl = DeviceFeatureDmaLoggingControl {
            page_size: AlignedU64(4096),
            num_ranges: 2,
            reserved: 0,
            ranges: AlignedU64(0x7f12_3456_7000),
        };
        (
            h,
            DeviceFeaturePayload::DmaLoggingStart(ctl),
            HandDeviceFeature::DmaLoggingStart(ctl),
        )
    }

    pub fn hand_encode_device_feature(
        header: &DeviceFeature,
        payload: &HandDeviceFeature,
        out: &mut [u8],
    ) -> Result<usize, ()> {
        let (tag, data_len) = match payload {
            HandDeviceFeature::DmaLoggingStart(_) => (FEATURE_DMA_LOGGING_START, 24),
            HandDeviceFeature::NoData(t @ (3 | 5 | 7)) => (*t, 0),
            HandDeviceFeature::NoData(_) | HandDeviceFeature::Other(_) => return Err(()),
        };
        let len = FEATURE_MINSZ + data_len;
        let out = out.get_mut(..len).ok_or(())?;
        put32(out, 0, len as u32);
        put32(out, 4, (header.flags & !FEATURE_MASK) | tag);
        if let HandDeviceFeature::DmaLoggingStart(c) = payload {
            put64(out, 8, c.page_size.0);
            put32(out, 16, c.num_ranges);
            put32(out, 20, c.reserved);
            put64(out, 24, c.ranges.0);
        }
        Ok(len)
    }

    pub fn hand_decode_device_feature(
        bytes: &[u8],
    ) -> Result<(DeviceFeature, HandDeviceFeature), ()> {
        // vfio_ioctl_device_feature: copy minsz, `argsz < minsz`, unknown flags, GET and SET
        // together without PROBE; vfio_check_feature: an operation the feature does not
        // support (also in a probe), neither GET nor SET without PROBE (after the data).
        let argsz = size_field(bytes).ok_or(())?;
        if argsz < FEATURE_MINSZ || bytes.len() < FEATURE_MINSZ {
            return Err(());
        }
        let b = &bytes[..argsz.min(bytes.len())];
        let flags = ne32(b, 4);
        if flags & !FEATURE_KNOWN != 0 {
            return Err(());
        }
        let (get, set, probe) = (1 << 16, 1 << 17, 1 << 18);
        if flags & probe == 0 && flags & (get | set) == get | set {
            return Err(());
        }
        let denied = match flags & FEATURE_MASK {
            0 | 3 | 4 | 5 | 6 | 7 => get, // SET only
            1 | 8 => set,                 // GET only
            _ => 0,
        };
        if flags & denied != 0 {
            return Err(());
        }
        let data = &b[FEATURE_MINSZ..];
        let need = |n: usize| if data.len() < n { Err(()) } else { Ok(()) };
        let tag = flags & FEATURE_MASK;
        let payload = match tag {
            FEATURE_DMA_LOGGING_START => {
                need(24)?;
                if ne32(data, 12) != 0 {
                    return Err(()); // __reserved
                }
                HandDeviceFeature::DmaLoggingStart(DeviceFeatureDmaLoggingControl {
                    page_size: AlignedU64(ne64(data, 0)),
                    num_ranges: ne32(data, 8),
                    reserved: 0,
                    ranges: AlignedU64(ne64(data, 16)),
                })
            }
            3 | 5 | 7 => HandDeviceFeature::NoData(tag),
            0 => need(16).map(|_| HandDeviceFeature::Other(tag))?,
            1 => {
                need(size_of::<DeviceFeatureMigration>()).map(|_| HandDeviceFeature::Other(tag))?
            }
            2 => need(size_of::<DeviceFeatureMigState>()).map(|_| HandDeviceFeature::Other(tag))?,
            // vfio_pci_core_pm_entry_with_wakeup reads wakeup_eventfd only.
            4 => need(size_of::<DeviceLowPowerEntryWithWakeup>())
                .map(|_| HandDeviceFeature::Other(tag))?,
            8 => need(size_of::<DeviceFeatureDmaLoggingReport>())
                .map(|_| HandDeviceFeature::Other(tag))?,
            _ => return Err(()),
        };
        if flags & probe == 0 && flags & (get | set) == 0 {
            return Err(());
        }
        let header = DeviceFeature {
            argsz: argsz as u32,
            flags,
            data: FlexArray::new(),
        };
        Ok((header, payload))
    }
}

/// `struct iommu_cache_invalidate_info` and `struct iommu_gpasid_bind_data`.
pub mod iommu {
    use super::*;
    use linux_uapi::iommu::{
        CacheInvalidateInfo, CacheInvalidateInfoPayload, GpasidBindData, GpasidBindDataPayload,
        GpasidBindDataVtd, InvAddrInfo, InvPasidInfo,
    };

    // ---- iommu_cache_invalidate_info ----------------------------------------------

    /// sizeof(struct iommu_cache_invalidate_info); also its minimum argsz.
    pub(crate) const CACHE_INV_SIZE: usize = 56;
    /// The kernel's minimum: `offsetof(struct iommu_cache_invalidate_info, granu)`.
    const CACHE_INV_MINSZ: usize = 16;
    const CACHE_INV_GRANU: usize = 16;
    /// IOMMU_CACHE_INV_TYPE_IOTLB | DEV_IOTLB | PASID
    const CACHE_INV_TYPE_MASK: u8 = 0x7;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandCacheInvalidate {
        Domain,
        Pasid(InvPasidInfo),
        Addr(InvAddrInfo),
    }

    pub fn cache_invalidate_as_hand(p: &CacheInvalidateInfoPayload) -> HandCacheInvalidate {
        match p {
            CacheInvalidateInfoPayload::Domain => HandCacheInvalidate::Domain,
            CacheInvalidateInfoPayload::Pasid(x) => HandCacheInvalidate::Pasid(*x),
            CacheInvalidateInfoPayload::Addr(x) => HandCacheInvalidate::Addr(*x),
        }
    }

    /// Flush IOTLB and device IOTLB entries of 16 pages of PASID 7 (ADDR granularity).
    pub fn cache_invalidate_sample() -> (
        CacheInvalidateInfo,
        CacheInvalidateInfoPayload,
        HandCacheInvalidate,
    ) {
        let h = CacheInvalidateInfo {
            version: 1, // IOMMU_CACHE_INVALIDATE_INFO_VERSION_1
            cache: 0x3, // IOTLB | DEV_IOTLB
            ..Default::default()
        };
        let a = InvAddrInfo {
            flags: 0x1 | 0x4, // PASID | LEAF
            archid: 0,
            pasid: 7,
            addr: 0x7f00_0000_0000,
            granule_size: 4096,
            nb_granules: 16,
        };
        (
            h,
            CacheInvalidateInfoPayload::Addr(a),
            HandCacheInvalidate::Addr(a),
        )
    }

    pub fn hand_encode_cache_invalidate(
        header: &CacheInvalidateInfo,
        payload: &HandCacheInvalidate,
        out: &mut [u8],
    ) -> Result<usize, ()> {
        let out = out.get_mut(..CACHE_INV_SIZE).ok_or(())?;
        out.fill(0);
        put32(out, 0, CACHE_INV_SIZE as u32);
        put32(out, 4, header.version);
        out[8] = header.cache;
        out[10..16].copy_from_slice(&header.padding);
        let g = CACHE_INV_GRANU;
        out[9] = match payload {
            HandCacheInvalidate::Domain => 0,
            HandCacheInvalidate::Pasid(p) => {
                put32(out, g, p.flags);
                put32(out, g + 4, p.archid);
                put64(out, g + 8, p.pasid);
                1
            }
            HandCacheInvalidate::Addr(a) => {
                put32(out, g, a.flags);
                put32(out, g + 4, a.archid);
                put64(out, g + 8, a.pasid);
                put64(out, g + 16, a.addr);
                put64(out, g + 24, a.granule_size);
                put64(out, g + 32, a.nb_granules);
                2
            }
        };
        Ok(CACHE_INV_SIZE)
    }

    pub fn hand_decode_cache_invalidate(
        bytes: &[u8],
    ) -> Result<(CacheInvalidateInfo, HandCacheInvalidate), ()> {
        // iommu_uapi_cache_invalidate: copy `offsetof(granu)` (16) bytes, `argsz < minsz` is
        // EINVAL, then the member the granularity selects; iommu_check_cache_invl_data:
        // version 1, known cache bits, zero padding. The kernel reads no more than argsz
        // says: the bytes are `argsz` or the buffer, whichever is shorter.
        let argsz = size_field(bytes).ok_or(())?;
        if argsz < CACHE_INV_MINSZ || bytes.len() < CACHE_INV_MINSZ {
            return Err(());
        }
        let given = &bytes[..argsz.min(bytes.len())];
        let mut full = [0u8; CACHE_INV_SIZE];
        let n = given.len().min(CACHE_INV_SIZE);
        full[..n].copy_from_slice(&given[..n]);
        let b = &full[..];
        if b[8] & !CACHE_INV_TYPE_MASK != 0 || !zero(b, 10, 16) || ne32(b, 4) != 1 {
            return Err(());
        }
        let g = CACHE_INV_GRANU;
        let member = match b[9] {
            1 => 16, // struct iommu_inv_pasid_info
            2 => 40, // struct iommu_inv_addr_info
            _ => 0,
        };
        if given.len() < g + member {
            return Err(());
        }
        let payload = match b[9] {
            0 => HandCacheInvalidate::Domain,
            1 => HandCacheInvalidate::Pasid(InvPasidInfo {
                flags: ne32(b, g),
                archid: ne32(b, g + 4),
                pasid: ne64(b, g + 8),
            }),
            2 => HandCacheInvalidate::Addr(InvAddrInfo {
                flags: ne32(b, g),
                archid: ne32(b, g + 4),
                pasid: ne64(b, g + 8),
                addr: ne64(b, g + 16),
                granule_size: ne64(b, g + 24),
                nb_granules: ne64(b, g + 32),
            }),
            _ => return Err(()),
        };
        // SAFETY: a plain C struct of integers and bytes.
        let header = unsafe { read_struct::<CacheInvalidateInfo>(b, 0) }.ok_or(())?;
        Ok((header, payload))
    }

    // ---- iommu_gpasid_bind_data ---------------------------------------------------

    /// sizeof(struct iommu_gpasid_bind_data); also its minimum argsz.
    pub(crate) const BIND_SIZE: usize = 72;
    /// The kernel's minimum: `offsetof(struct iommu_gpasid_bind_data, vendor)`.
    const BIND_MINSZ: usize = 56;
    /// IOMMU_SVA_GPASID_VAL
    const BIND_KNOWN_FLAGS: u64 = 0x1;
    const PASID_FORMAT_INTEL_VTD: u32 = 1;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandGpasidBind {
        IntelVtd(GpasidBindDataVtd),
    }

    pub fn gpasid_bind_as_hand(p: &GpasidBindDataPayload) -> HandGpasidBind {
        match p {
            GpasidBindDataPayload::PasidFormatIntelVtd(v) => HandGpasidBind::IntelVtd(*v),
        }
    }

    /// Bind guest PASID 5 (host PASID 0x41) with a 48-bit VT-d first-level table.
    pub fn gpasid_bind_sample() -> (GpasidBindData, GpasidBindDataPayload, HandGpasidBind) {
        let h = GpasidBindData {
            version: 1, // IOMMU_GPASID_BIND_VERSION_1
            addr_width: 48,
            flags: 0x1, // IOMMU_SVA_GPASID_VAL
            gpgd: 0x1_2345_6000,
            hpasid: 0x41,
            gpasid: 5,
            ..Default::default()
        };
        let vtd = GpasidBindDataVtd {
            flags: 0x1 | 0x4, // SRE | PCD
            pat: 0x0007_0406,
            emt: 0,
        };
        (
            h,
            GpasidBindDataPayload::PasidFormatIntelVtd(vtd),
            HandGpasidBind::IntelVtd(vtd),
        )
    }

    pub fn hand_encode_gpasid_bind(
        header: &GpasidBindData,
        payload: &HandGpasidBind,
        out: &mut [u8],
    ) -> Result<usize, ()> {
        let out = out.get_mut(..BIND_SIZE).ok_or(())?;
        let HandGpasidBind::IntelVtd(v) = payload;
        put32(out, 0, BIND_SIZE as u32);
        put32(out, 4, header.version);
        put32(out, 8, PASID_FORMAT_INTEL_VTD);
        put32(out, 12, header.addr_width);
        put64(out, 16, header.flags);
        put64(out, 24, header.gpgd);
        put64(out, 32, header.hpasid);
        put64(out, 40, header.gpasid);
        out[48..56].copy_from_slice(&header.padding);
        put64(out, 56, v.flags);
        put32(out, 64, v.pat);
        put32(out, 68, v.emt);
        Ok(BIND_SIZE)
    }

    pub fn hand_decode_gpasid_bind(bytes: &[u8]) -> Result<(GpasidBindData, HandGpasidBind), ()> {
        // iommu_uapi_sva_bind_gpasid: copy `offsetof(vendor)` (56) bytes, `argsz < minsz`
        // is EINVAL, then the vendor member of the format (VT-d: 16 bytes);
        // iommu_check_bind_data: version 1, known flags, zero padding.
        let argsz = size_field(bytes).ok_or(())?;
        if argsz < BIND_MINSZ || bytes.len() < BIND_MINSZ {
            return Err(());
        }
        let given = &bytes[..argsz.min(bytes.len())];
        let mut full = [0u8; BIND_SIZE];
        let n = given.len().min(BIND_SIZE);
        full[..n].copy_from_slice(&given[..n]);
        let b = &full[..];
        if ne64(b, 16) & !BIND_KNOWN_FLAGS != 0 || !zero(b, 48, 56) || ne32(b, 4) != 1 {
            return Err(());
        }
        if ne32(b, 8) != PASID_FORMAT_INTEL_VTD || given.len() < BIND_SIZE {
            return Err(());
        }
        let payload = HandGpasidBind::IntelVtd(GpasidBindDataVtd {
            flags: ne64(b, 56),
            pat: ne32(b, 64),
            emt: ne32(b, 68),
        });
        // SAFETY: a plain C struct of integers and bytes.
        let header = unsafe { read_struct::<GpasidBindData>(b, 0) }.ok_or(())?;
        Ok((header, payload))
    }
}

/// `struct iommu_hwpt_alloc` and `struct iommu_hwpt_invalidate` (payloads behind a user
/// pointer: encoding fills the header's type, length and pointer fields; decoding checks
/// the header like `copy_struct_from_user`, then the data the pointer points to).
pub mod iommufd {
    use super::*;
    use linux_uapi::iommufd::{
        HwptAlloc, HwptAllocPayload, HwptAmdGuest, HwptArmSmmuv3, HwptInvalidate,
        HwptInvalidatePayload, HwptVtdS1, HwptVtdS1Invalidate, ViommuArmSmmuv3Invalidate,
    };
    use uapigen_runtime::{AlignedU64, ElemSlice};

    // ---- iommu_hwpt_alloc ---------------------------------------------------------

    /// offsetofend(struct iommu_hwpt_alloc, data_uptr)
    /// `IOCTL_OP(IOMMU_HWPT_ALLOC, ..., __reserved)`: offsetofend of `__reserved`.
    const ALLOC_MINSZ: usize = 24;
    const ALLOC_SIZE: usize = 48;
    /// IOMMU_HWPT_ALLOC_NEST_PARENT | DIRTY_TRACKING | FAULT_ID_VALID | PASID
    const ALLOC_KNOWN_FLAGS: u32 = 0xf;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandHwptAlloc {
        None,
        VtdS1(HwptVtdS1),
        ArmSmmuv3(HwptArmSmmuv3),
        AmdGuest(HwptAmdGuest),
    }

    pub fn hwpt_alloc_as_hand(p: &HwptAllocPayload) -> HandHwptAlloc {
        match p {
            HwptAllocPayload::None => HandHwptAlloc::None,
            HwptAllocPayload::VtdS1(x) => HandHwptAlloc::VtdS1(*x),
            HwptAllocPayload::ArmSmmuv3(x) => HandHwptAlloc::ArmSmmuv3(*x),
            HwptAllocPayload::AmdGuest(x) => HandHwptAlloc::AmdGuest(*x),
        }
    }

    /// A nested VT-d stage-1 HWPT on parent HWPT 3 for device 1.
    pub fn hwpt_alloc_sample() -> (HwptAlloc, HwptAllocPayload, HandHwptAlloc) {
        let h = HwptAlloc {
            size: ALLOC_SIZE as u32,
            dev_id: 1,
            pt_id: 3,
            ..Default::default()
        };
        let s1 = HwptVtdS1 {
            flags: AlignedU64(0x1), // IOMMU_VTD_S1_SRE
            pgtbl_addr: AlignedU64(0x1_2345_6000),
            addr_width: 48,
            reserved: 0,
        };
        (h, HwptAllocPayload::VtdS1(s1), HandHwptAlloc::VtdS1(s1))
    }

    /// Write the data into `out` and point `header` at `data_ptr` (where `out` will be).
    pub fn hand_encode_hwpt_alloc(
        header: &mut HwptAlloc,
        payload: &HandHwptAlloc,
        data_ptr: u64,
        out: &mut [u8],
    ) -> Result<usize, ()> {
        let (tag, len) = match payload {
            HandHwptAlloc::None => (0, 0),
            HandHwptAlloc::VtdS1(s1) => {
                let out = out.get_mut(..24).ok_or(())?;
                put64(out, 0, s1.flags.0);
                put64(out, 8, s1.pgtbl_addr.0);
                put32(out, 16, s1.addr_width);
                put32(out, 20, s1.reserved);
                (1, 24)
            }
            // SAFETY: padding-free uapi structs of u64s.
            HandHwptAlloc::ArmSmmuv3(x) => {
                (2, unsafe { write_struct(out, 0, x) }.map(|_| 16).ok_or(())?)
            }
            // SAFETY: as above.
            HandHwptAlloc::AmdGuest(x) => {
                (3, unsafe { write_struct(out, 0, x) }.map(|_| 32).ok_or(())?)
            }
        };
        header.data_type = tag;
        header.data_len = len as u32;
        header.data_uptr = AlignedU64(data_ptr);
        Ok(len)
    }

    /// Check the header bytes as IOMMU_HWPT_ALLOC does, then the data at data_uptr.
    pub fn hand_decode_hwpt_alloc(
        header_bytes: &[u8],
        data: &[u8],
    ) -> Result<(HwptAlloc, HandHwptAlloc), ()> {
        let size = size_field(header_bytes).ok_or(())?;
        if size < ALLOC_MINSZ || size > header_bytes.len() || !zero(header_bytes, ALLOC_SIZE, size)
        {
            return Err(());
        }
        let mut buf = [0u8; ALLOC_SIZE];
        let n = size.min(ALLOC_SIZE);
        buf[..n].copy_from_slice(&header_bytes[..n]);
        // SAFETY: a plain C struct of integers.
        let h = unsafe { read_struct::<HwptAlloc>(&buf, 0) }.ok_or(())?;
        // iommufd_hwpt_alloc checks `__reserved`, not `__reserved2`.
        if h.flags & !ALLOC_KNOWN_FLAGS != 0 || h.reserved != 0 {
            return Err(());
        }
        if h.data_len as usize != data.len() {
            return Err(());
        }
        let p = match h.data_type {
            0 => HandHwptAlloc::None,
            1 => {
                if data.len() < 24 || ne32(data, 20) != 0 {
                    return Err(());
                }
                HandHwptAlloc::VtdS1(HwptVtdS1 {
                    flags: AlignedU64(ne64(data, 0)),
                    pgtbl_addr: AlignedU64(ne64(data, 8)),
                    addr_width: ne32(data, 16),
                    reserved: 0,
                })
            }
            // SAFETY: plain C structs of u64s.
            2 => HandHwptAlloc::ArmSmmuv3(unsafe { read_struct(data, 0) }.ok_or(())?),
            // SAFETY: as above.
            3 => HandHwptAlloc::AmdGuest(unsafe { read_struct(data, 0) }.ok_or(())?),
            _ => return Err(()),
        };
        Ok((h, p))
    }

    // ---- iommu_hwpt_invalidate ----------------------------------------------------

    const INV_SIZE: usize = 32;
    const VTD_S1_ENTRY: usize = 24;
    const SMMUV3_ENTRY: usize = 16;

    /// What a hand-written caller passes: the request array itself.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandHwptInvalidate<'a> {
        VtdS1(&'a [HwptVtdS1Invalidate]),
        ArmSmmuv3(&'a [ViommuArmSmmuv3Invalidate]),
    }

    /// What the hand-written decoder returns: views of the (unaligned) entry bytes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandHwptInvalidateData<'a> {
        VtdS1(&'a [u8]),
        ArmSmmuv3(&'a [u8]),
    }

    pub fn hwpt_invalidate_as_hand<'a>(
        p: &HwptInvalidatePayload<'a>,
    ) -> HandHwptInvalidateData<'a> {
        match p {
            HwptInvalidatePayload::HwptInvalidateDataVtdS1(e) => {
                HandHwptInvalidateData::VtdS1(e.as_bytes())
            }
            HwptInvalidatePayload::ViommuInvalidateDataArmSmmuv3(e) => {
                HandHwptInvalidateData::ArmSmmuv3(e.as_bytes())
            }
        }
    }

    pub static VTD_INVALIDATIONS: [HwptVtdS1Invalidate; 4] = [
        HwptVtdS1Invalidate {
            addr: AlignedU64(0x1000),
            npages: AlignedU64(1),
            flags: 0,
            reserved: 0,
        },
        HwptVtdS1Invalidate {
            addr: AlignedU64(0x8000),
            npages: AlignedU64(8),
            flags: 1,
            reserved: 0,
        },
        HwptVtdS1Invalidate {
            addr: AlignedU64(0x10_0000),
            npages: AlignedU64(256),
            flags: 0,
            reserved: 0,
        },
        HwptVtdS1Invalidate {
            addr: AlignedU64(0),
            npages: AlignedU64(u64::MAX),
            flags: 0,
            reserved: 0,
        },
    ];

    /// Four VT-d stage-1 invalidation requests on HWPT 9.
    pub fn hwpt_invalidate_sample() -> (
        HwptInvalidate,
        HwptInvalidatePayload<'static>,
        HandHwptInvalidate<'static>,
    ) {
        let h = HwptInvalidate {
            size: INV_SIZE as u32,
            hwpt_id: 9,
            ..Default::default()
        };
        (
            h,
            HwptInvalidatePayload::HwptInvalidateDataVtdS1(ElemSlice::new(&VTD_INVALIDATIONS)),
            HandHwptInvalidate::VtdS1(&VTD_INVALIDATIONS),
        )
    }

    /// The entries' bytes, where `data_uptr` points (what the kernel reads).
    pub fn hwpt_invalidate_sample_data() -> &'static [u8] {
        ElemSlice::new(&VTD_INVALIDATIONS).as_bytes()
    }

    /// Point `header` at the request array. Returns the bytes of the array.
    pub fn hand_encode_hwpt_invalidate(
        header: &mut HwptInvalidate,
        payload: &HandHwptInvalidate<'_>,
    ) -> Result<usize, ()> {
        let (tag, entry_len, n, ptr) = match payload {
            HandHwptInvalidate::VtdS1(e) => (0, VTD_S1_ENTRY, e.len(), e.as_ptr() as u64),
            HandHwptInvalidate::ArmSmmuv3(e) => (1, SMMUV3_ENTRY, e.len(), e.as_ptr() as u64),
        };
        header.data_type = tag;
        header.entry_len = entry_len as u32;
        header.entry_num = n as u32;
        header.data_uptr = AlignedU64(ptr);
        Ok(n * entry_len)
    }

    /// Check the header bytes as IOMMU_HWPT_INVALIDATE does, then the request array.
    pub fn hand_decode_hwpt_invalidate<'a>(
        header_bytes: &[u8],
        data: &'a [u8],
    ) -> Result<(HwptInvalidate, HandHwptInvalidateData<'a>), ()> {
        let size = size_field(header_bytes).ok_or(())?;
        if size < INV_SIZE || size > header_bytes.len() || !zero(header_bytes, INV_SIZE, size) {
            return Err(());
        }
        // SAFETY: a plain C struct of integers.
        let h = unsafe { read_struct::<HwptInvalidate>(header_bytes, 0) }.ok_or(())?;
        if h.reserved != 0 {
            return Err(());
        }
        let want = (h.entry_len as usize).checked_mul(h.entry_num as usize);
        if want != Some(data.len()) {
            return Err(());
        }
        let p = match (h.data_type, h.entry_len as usize) {
            (0, VTD_S1_ENTRY) => HandHwptInvalidateData::VtdS1(data),
            (1, SMMUV3_ENTRY) => HandHwptInvalidateData::ArmSmmuv3(data),
            _ => return Err(()),
        };
        Ok((h, p))
    }
}

/// `struct kvm_run` (decode only: the kernel writes it, so there is no generated encode).
pub mod kvm {
    use super::*;
    use linux_uapi::kvm::{Run, RunExitIo, RunPayload};

    const RUN_SIZE: usize = 2352;
    const RUN_EXIT: usize = 32;
    const KVM_EXIT_IO: u32 = 2;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandRunExit {
        Io(RunExitIo),
        /// Another exit reason this code knows but does not read.
        Other(u32),
    }

    pub fn run_as_hand(p: &RunPayload) -> HandRunExit {
        match p {
            RunPayload::Io(io) => HandRunExit::Io(*io),
            other => HandRunExit::Other(other.tag()),
        }
    }

    /// A kvm_run page after a one-byte OUT to port 0x3f8 (the serial port).
    pub fn run_sample_bytes() -> [u8; RUN_SIZE] {
        let mut b = [0u8; RUN_SIZE];
        put32(&mut b, 8, KVM_EXIT_IO);
        b[RUN_EXIT] = 1; // KVM_EXIT_IO_OUT
        b[RUN_EXIT + 1] = 1; // size
        b[RUN_EXIT + 2..RUN_EXIT + 4].copy_from_slice(&0x3f8u16.to_ne_bytes());
        put32(&mut b, RUN_EXIT + 4, 1); // count
        put64(&mut b, RUN_EXIT + 8, 4096); // data_offset
        b
    }

    pub fn hand_decode_run(bytes: &[u8]) -> Result<(Run, HandRunExit), ()> {
        // SAFETY: kvm_run is plain C data (the generated type is FromBytes).
        let run = unsafe { read_struct::<Run>(bytes, 0) }.ok_or(())?;
        let exit = match run.exit_reason {
            KVM_EXIT_IO => HandRunExit::Io(RunExitIo {
                direction: bytes[RUN_EXIT],
                size: bytes[RUN_EXIT + 1],
                port: u16::from_ne_bytes([bytes[RUN_EXIT + 2], bytes[RUN_EXIT + 3]]),
                count: ne32(bytes, RUN_EXIT + 4),
                data_offset: ne64(bytes, RUN_EXIT + 8),
            }),
            t @ (0..=10 | 12 | 16 | 17 | 24 | 26 | 27 | 29..=34 | 37) => HandRunExit::Other(t),
            _ => return Err(()),
        };
        Ok((run, exit))
    }
}

/// `struct vfio_iommu_type1_nesting_op`, whose data[] is an iommu uapi struct.
pub mod vfio_nesting {
    use super::iommu::{
        BIND_SIZE, CACHE_INV_SIZE, HandCacheInvalidate, HandGpasidBind, gpasid_bind_sample,
        hand_decode_cache_invalidate, hand_decode_gpasid_bind,
    };
    use super::*;
    use linux_uapi::iommu::{CacheInvalidateInfo, GpasidBindData};
    use linux_uapi::vfio_nesting::{IommuType1NestingOp, IommuType1NestingOpPayload};
    use uapigen_runtime::FlexArray;

    /// offsetofend(struct vfio_iommu_type1_nesting_op, op)
    const NESTING_MINSZ: usize = 12;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HandNestingOp {
        BindPgtbl(GpasidBindData),
        UnbindPgtbl(GpasidBindData),
        CacheInvld(CacheInvalidateInfo),
    }

    pub fn nesting_op_as_hand(p: &IommuType1NestingOpPayload) -> HandNestingOp {
        match p {
            IommuType1NestingOpPayload::BindPgtbl(x) => HandNestingOp::BindPgtbl(*x),
            IommuType1NestingOpPayload::UnbindPgtbl(x) => HandNestingOp::UnbindPgtbl(*x),
            IommuType1NestingOpPayload::CacheInvld(x) => HandNestingOp::CacheInvld(*x),
        }
    }

    /// BIND_PGTBL of the iommu sample bind (with its own argsz and format filled in, as a
    /// caller must: the outer encode copies the inner struct verbatim).
    pub fn nesting_op_sample() -> (
        IommuType1NestingOp,
        IommuType1NestingOpPayload,
        HandNestingOp,
    ) {
        let (mut inner, p, _) = gpasid_bind_sample();
        let mut buf = [0u8; BIND_SIZE];
        if let Ok(n) = p.encode_into(&inner, &mut buf) {
            inner.argsz = n as u32;
            inner.format = p.tag();
            inner.vendor.bytes.copy_from_slice(&buf[56..72]);
        }
        let h = IommuType1NestingOp {
            argsz: 0,
            flags: 0,
            op: 0,
            data: FlexArray::new(),
        };
        (
            h,
            IommuType1NestingOpPayload::BindPgtbl(inner),
            HandNestingOp::BindPgtbl(inner),
        )
    }

    pub fn hand_encode_nesting_op(
        header: &IommuType1NestingOp,
        payload: &HandNestingOp,
        out: &mut [u8],
    ) -> Result<usize, ()> {
        // SAFETY (write_struct): both inner structs are padding-free uapi structs.
        let (op, len) = match payload {
            HandNestingOp::BindPgtbl(d) => (
                0,
                unsafe { write_struct(out, NESTING_MINSZ, d) }.map(|_| BIND_SIZE),
            ),
            HandNestingOp::UnbindPgtbl(d) => (
                1,
                unsafe { write_struct(out, NESTING_MINSZ, d) }.map(|_| BIND_SIZE),
            ),
            HandNestingOp::CacheInvld(c) => (
                2,
                unsafe { write_struct(out, NESTING_MINSZ, c) }.map(|_| CACHE_INV_SIZE),
            ),
        };
        let len = NESTING_MINSZ + len.ok_or(())?;
        put32(out, 0, len as u32);
        put32(out, 4, header.flags);
        put32(out, 8, op);
        Ok(len)
    }

    pub fn hand_decode_nesting_op(
        bytes: &[u8],
    ) -> Result<(IommuType1NestingOp, HandNestingOp), ()> {
        let argsz = size_field(bytes).ok_or(())?;
        if argsz < NESTING_MINSZ || argsz > bytes.len() {
            return Err(());
        }
        let b = &bytes[..argsz];
        let flags = ne32(b, 4);
        if flags != 0 {
            return Err(()); // no flags are defined
        }
        let op = ne32(b, 8);
        let data = &b[NESTING_MINSZ..];
        let payload = match op {
            0 | 1 => {
                // The inner struct's own checks (argsz, flags, padding, format).
                let (d, HandGpasidBind::IntelVtd(_)) = hand_decode_gpasid_bind(data)?;
                if op == 0 {
                    HandNestingOp::BindPgtbl(d)
                } else {
                    HandNestingOp::UnbindPgtbl(d)
                }
            }
            2 => {
                let (c, _): (CacheInvalidateInfo, HandCacheInvalidate) =
                    hand_decode_cache_invalidate(data)?;
                HandNestingOp::CacheInvld(c)
            }
            _ => return Err(()),
        };
        let header = IommuType1NestingOp {
            argsz: argsz as u32,
            flags,
            op,
            data: FlexArray::new(),
        };
        Ok((header, payload))
    }
}

#[cfg(test)]
mod tests;
