//! Counts heap allocations (alloc, alloc_zeroed, realloc) of the generated and hand-written
//! encode/decode of each tagged payload over 10,000 runs each, and prints one JSON object
//! per line: `{"payload":"vfio::DeviceFeaturePayload","op":"encode","fixed_size":true,"allocs":0}`.
//! `fixed_size` is false when the variant carries a slice (variable-length data). Ops:
//! `encode` (`encode_into`), `encode-buf` (`encode`, into a stack `ArgBuf`), `decode`, and
//! the hand-written `encode-hand`, `decode-hand`.
//!
//! For instruction counts under callgrind (the benchmark driver's profile):
//! `UAPIGEN_BENCH_ONLY="<payload> <op>"` runs that one loop alone and `UAPIGEN_BENCH_RUNS`
//! sets its number of calls.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use linux_uapi::iommu::{CacheInvalidateInfoPayload, GpasidBindDataPayload};
use linux_uapi::iommufd::{HwptAlloc, HwptAllocPayload, HwptInvalidate, HwptInvalidatePayload};
use linux_uapi::kvm::RunPayload;
use linux_uapi::vfio::{DeviceFeaturePayload, IrqSetPayload};
use linux_uapi::vfio_nesting::IommuType1NestingOpPayload;
use uapigen_bench_payloads::{iommu, iommufd, kvm, vfio, vfio_nesting};
use uapigen_runtime::AsBytes;

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to `System`, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Calls per loop (`UAPIGEN_BENCH_RUNS`, default 10,000), read once at the start of `main`
/// (reading the environment allocates, which must not be counted).
static RUNS: AtomicUsize = AtomicUsize::new(10_000);

fn runs() -> usize {
    RUNS.load(Ordering::Relaxed)
}

/// Whether the loop of `payload` and `op` runs (`UAPIGEN_BENCH_ONLY`, default all).
fn selected(payload: &str, op: &str) -> bool {
    std::env::var("UAPIGEN_BENCH_ONLY").map_or(true, |only| only == format!("{payload} {op}"))
}

/// Allocations made by `runs()` calls of `f`.
fn count(mut f: impl FnMut()) -> usize {
    let before = ALLOCS.load(Ordering::SeqCst);
    for _ in 0..runs() {
        f();
    }
    ALLOCS.load(Ordering::SeqCst) - before
}

/// Run and report one loop, when it is selected.
fn report(payload: &str, op: &str, fixed_size: bool, f: impl FnMut()) {
    if !selected(payload, op) {
        return;
    }
    let allocs = count(f);
    println!(
        r#"{{"payload":"{payload}","op":"{op}","fixed_size":{fixed_size},"allocs":{allocs}}}"#
    );
}

/// The four counts of a payload encoded with `encode_into`/`encode` and decoded with `decode`.
macro_rules! inline_payload {
    ($name:literal, $fixed:expr, $sample:expr, $buf:literal, $gen_enc:expr, $gen_dec:path, $hand_enc:path, $hand_dec:path) => {{
        let (h, p, hp) = $sample;
        let mut bytes = [0u8; $buf];
        let n = p.encode_into(&h, &mut bytes).expect("sample encodes");
        let bytes = &bytes[..n];
        let mut out = [0u8; $buf];
        let gen_enc = $gen_enc;
        report($name, "encode", $fixed, || {
            black_box(black_box(&p).encode_into(black_box(&h), black_box(&mut out[..]))).ok();
        });
        report($name, "encode-buf", $fixed, || {
            let _ = black_box(gen_enc(black_box(&p), black_box(&h)));
        });
        report($name, "decode", $fixed, || {
            black_box($gen_dec(black_box(bytes))).ok();
        });
        report($name, "encode-hand", $fixed, || {
            black_box($hand_enc(
                black_box(&h),
                black_box(&hp),
                black_box(&mut out[..]),
            ))
            .ok();
        });
        report($name, "decode-hand", $fixed, || {
            black_box($hand_dec(black_box(bytes))).ok();
        });
    }};
}

fn main() {
    // The counter itself works: one allocation per Vec.
    assert_eq!(
        count(|| drop(black_box(Vec::<u8>::with_capacity(8)))),
        runs()
    );
    // After the self-check, so that its cost is the same whatever the number of runs.
    if let Some(n) = std::env::var("UAPIGEN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        RUNS.store(n, Ordering::Relaxed);
    }
    inline_payload!(
        "vfio::IrqSetPayload",
        false,
        vfio::irq_set_sample(),
        64,
        |p: &IrqSetPayload<'_>, h| p.encode::<64>(h),
        IrqSetPayload::decode,
        vfio::hand_encode_irq_set,
        vfio::hand_decode_irq_set
    );
    inline_payload!(
        "vfio::DeviceFeaturePayload",
        true,
        vfio::device_feature_sample(),
        64,
        |p: &DeviceFeaturePayload, h| p.encode(h),
        DeviceFeaturePayload::decode,
        vfio::hand_encode_device_feature,
        vfio::hand_decode_device_feature
    );
    inline_payload!(
        "iommu::CacheInvalidateInfoPayload",
        true,
        iommu::cache_invalidate_sample(),
        64,
        |p: &CacheInvalidateInfoPayload, h| p.encode(h),
        CacheInvalidateInfoPayload::decode,
        iommu::hand_encode_cache_invalidate,
        iommu::hand_decode_cache_invalidate
    );
    inline_payload!(
        "iommu::GpasidBindDataPayload",
        true,
        iommu::gpasid_bind_sample(),
        80,
        |p: &GpasidBindDataPayload, h| p.encode(h),
        GpasidBindDataPayload::decode,
        iommu::hand_encode_gpasid_bind,
        iommu::hand_decode_gpasid_bind
    );

    {
        let name = "iommufd::HwptAllocPayload";
        let (h0, p, hp) = iommufd::hwpt_alloc_sample();
        let d = p.encode_data();
        let mut h = h0;
        p.fill(&mut h, d.as_bytes().as_ptr() as u64).unwrap();
        let mut hdr = [0u8; 48];
        hdr.copy_from_slice(h.as_bytes());
        let mut data = [0u8; 24];
        data.copy_from_slice(d.as_bytes());
        report(name, "encode", true, || {
            let p = black_box(&p);
            let d = p.encode_data();
            let mut h = *black_box(&h0);
            p.fill(&mut h, d.as_bytes().as_ptr() as u64).unwrap();
            black_box((h, d));
        });
        report(name, "decode", true, || {
            let (hdr, data) = (black_box(&hdr[..]), black_box(&data[..]));
            black_box(
                HwptAlloc::check(hdr)
                    .and_then(|h| HwptAllocPayload::decode(&h, data).map(|p| (h, p))),
            )
            .ok();
        });
        let mut out = [0u8; 32];
        report(name, "encode-hand", true, || {
            let mut h = *black_box(&h0);
            let ptr = out.as_ptr() as u64;
            black_box(iommufd::hand_encode_hwpt_alloc(
                &mut h,
                black_box(&hp),
                ptr,
                black_box(&mut out[..]),
            ))
            .ok();
            black_box(h);
        });
        report(name, "decode-hand", true, || {
            black_box(iommufd::hand_decode_hwpt_alloc(
                black_box(&hdr[..]),
                black_box(&data[..]),
            ))
            .ok();
        });
    }

    {
        let name = "iommufd::HwptInvalidatePayload";
        let (h0, p, hp) = iommufd::hwpt_invalidate_sample();
        let data = iommufd::hwpt_invalidate_sample_data();
        let mut h = h0;
        p.fill(&mut h, data.as_ptr() as u64).unwrap();
        let mut hdr = [0u8; 32];
        hdr.copy_from_slice(h.as_bytes());
        report(name, "encode", false, || {
            let mut h = *black_box(&h0);
            black_box(&p)
                .fill(&mut h, black_box(data).as_ptr() as u64)
                .unwrap();
            black_box(h);
        });
        report(name, "decode", false, || {
            let (hdr, data) = (black_box(&hdr[..]), black_box(data));
            black_box(
                HwptInvalidate::check(hdr)
                    .and_then(|h| HwptInvalidatePayload::decode(&h, data).map(|p| (h, p))),
            )
            .ok();
        });
        report(name, "encode-hand", false, || {
            let mut h = *black_box(&h0);
            black_box(iommufd::hand_encode_hwpt_invalidate(&mut h, black_box(&hp))).ok();
            black_box(h);
        });
        report(name, "decode-hand", false, || {
            black_box(iommufd::hand_decode_hwpt_invalidate(
                black_box(&hdr[..]),
                black_box(data),
            ))
            .ok();
        });
    }

    {
        // kvm_run is written by the kernel: the generated code has decode only.
        let name = "kvm::RunPayload";
        let bytes = kvm::run_sample_bytes();
        report(name, "decode", true, || {
            black_box(RunPayload::decode(black_box(&bytes[..]))).ok();
        });
        report(name, "decode-hand", true, || {
            black_box(kvm::hand_decode_run(black_box(&bytes[..]))).ok();
        });
    }

    inline_payload!(
        "vfio_nesting::IommuType1NestingOpPayload",
        true,
        vfio_nesting::nesting_op_sample(),
        96,
        |p: &IommuType1NestingOpPayload, h| p.encode(h),
        IommuType1NestingOpPayload::decode,
        vfio_nesting::hand_encode_nesting_op,
        vfio_nesting::hand_decode_nesting_op
    );
}
