//! Generated tagged-payload encode/decode against the hand-written equivalents in the
//! library, over the same inputs. One group per payload enum (`<module>::<Enum>`, which
//! criterion stores as `<module>__<Enum>`), with `encode/generated`, `encode/hand`,
//! `decode/generated`, `decode/hand` (kvm: decode only, the generated code has no encode).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use linux_uapi::iommu::{CacheInvalidateInfoPayload, GpasidBindDataPayload};
use linux_uapi::iommufd::{HwptAlloc, HwptAllocPayload, HwptInvalidate, HwptInvalidatePayload};
use linux_uapi::kvm::RunPayload;
use linux_uapi::vfio::{DeviceFeaturePayload, IrqSetPayload};
use linux_uapi::vfio_nesting::IommuType1NestingOpPayload;
use uapigen_bench_payloads::{iommu, iommufd, kvm, vfio, vfio_nesting};
use uapigen_runtime::AsBytes;

fn gen_id() -> (BenchmarkId, BenchmarkId, BenchmarkId, BenchmarkId) {
    (
        BenchmarkId::new("encode", "generated"),
        BenchmarkId::new("encode", "hand"),
        BenchmarkId::new("decode", "generated"),
        BenchmarkId::new("decode", "hand"),
    )
}

/// A payload encoded with `encode_into(header, out)` and decoded with `decode(bytes)`.
macro_rules! inline_payload {
    ($c:expr, $name:literal, $sample:expr, $buf:expr, $gen_dec:path, $hand_enc:path, $hand_dec:path) => {{
        let (h, p, hp) = $sample;
        let mut tmp = [0u8; $buf];
        let n = p.encode_into(&h, &mut tmp).expect("sample encodes");
        let bytes = tmp[..n].to_vec();
        let (enc_g, enc_h, dec_g, dec_h) = gen_id();
        let mut g = $c.benchmark_group($name);
        g.bench_function(enc_g, |b| {
            let mut out = [0u8; $buf];
            b.iter(|| black_box(&p).encode_into(black_box(&h), black_box(&mut out[..])))
        });
        g.bench_function(enc_h, |b| {
            let mut out = [0u8; $buf];
            b.iter(|| $hand_enc(black_box(&h), black_box(&hp), black_box(&mut out[..])))
        });
        g.bench_function(dec_g, |b| b.iter(|| $gen_dec(black_box(&bytes[..]))));
        g.bench_function(dec_h, |b| b.iter(|| $hand_dec(black_box(&bytes[..]))));
        g.finish();
    }};
}

fn vfio_irq_set(c: &mut Criterion) {
    inline_payload!(
        c,
        "vfio::IrqSetPayload",
        vfio::irq_set_sample(),
        64,
        IrqSetPayload::decode,
        vfio::hand_encode_irq_set,
        vfio::hand_decode_irq_set
    );
}

fn vfio_device_feature(c: &mut Criterion) {
    inline_payload!(
        c,
        "vfio::DeviceFeaturePayload",
        vfio::device_feature_sample(),
        64,
        DeviceFeaturePayload::decode,
        vfio::hand_encode_device_feature,
        vfio::hand_decode_device_feature
    );
}

fn iommu_cache_invalidate(c: &mut Criterion) {
    inline_payload!(
        c,
        "iommu::CacheInvalidateInfoPayload",
        iommu::cache_invalidate_sample(),
        64,
        CacheInvalidateInfoPayload::decode,
        iommu::hand_encode_cache_invalidate,
        iommu::hand_decode_cache_invalidate
    );
}

fn iommu_gpasid_bind(c: &mut Criterion) {
    inline_payload!(
        c,
        "iommu::GpasidBindDataPayload",
        iommu::gpasid_bind_sample(),
        80,
        GpasidBindDataPayload::decode,
        iommu::hand_encode_gpasid_bind,
        iommu::hand_decode_gpasid_bind
    );
}

fn vfio_nesting_op(c: &mut Criterion) {
    inline_payload!(
        c,
        "vfio_nesting::IommuType1NestingOpPayload",
        vfio_nesting::nesting_op_sample(),
        96,
        IommuType1NestingOpPayload::decode,
        vfio_nesting::hand_encode_nesting_op,
        vfio_nesting::hand_decode_nesting_op
    );
}

/// Encode: the data bytes (`encode_data`) and the header's type/len/pointer (`fill`).
/// Decode: the header as IOMMU_HWPT_ALLOC checks it (`HwptAlloc::check`), then the data.
fn iommufd_hwpt_alloc(c: &mut Criterion) {
    let (h0, p, hp) = iommufd::hwpt_alloc_sample();
    let data = p.encode_data();
    let mut h = h0;
    p.fill(&mut h, data.as_bytes().as_ptr() as u64).unwrap();
    let hdr = h.as_bytes().to_vec();
    let data = data.as_bytes().to_vec();
    let (enc_g, enc_h, dec_g, dec_h) = gen_id();
    let mut g = c.benchmark_group("iommufd::HwptAllocPayload");
    g.bench_function(enc_g, |b| {
        b.iter(|| {
            let p = black_box(&p);
            let d = p.encode_data();
            let mut h = *black_box(&h0);
            p.fill(&mut h, d.as_bytes().as_ptr() as u64).unwrap();
            (h, d)
        })
    });
    g.bench_function(enc_h, |b| {
        let mut out = [0u8; 32];
        b.iter(|| {
            let mut h = *black_box(&h0);
            let ptr = out.as_ptr() as u64;
            let n = iommufd::hand_encode_hwpt_alloc(
                &mut h,
                black_box(&hp),
                ptr,
                black_box(&mut out[..]),
            );
            (h, n)
        })
    });
    g.bench_function(dec_g, |b| {
        b.iter(|| {
            let hdr = black_box(&hdr[..]);
            let data = black_box(&data[..]);
            HwptAlloc::check(hdr).and_then(|h| HwptAllocPayload::decode(&h, data).map(|p| (h, p)))
        })
    });
    g.bench_function(dec_h, |b| {
        b.iter(|| iommufd::hand_decode_hwpt_alloc(black_box(&hdr[..]), black_box(&data[..])))
    });
    g.finish();
}

/// Encode: `fill` (the entries stay where they are; the header points at them).
/// Decode: `HwptInvalidate::check` on the header, then the entries.
fn iommufd_hwpt_invalidate(c: &mut Criterion) {
    let (h0, p, hp) = iommufd::hwpt_invalidate_sample();
    let data = iommufd::hwpt_invalidate_sample_data();
    let mut h = h0;
    p.fill(&mut h, data.as_ptr() as u64).unwrap();
    let hdr = h.as_bytes().to_vec();
    let (enc_g, enc_h, dec_g, dec_h) = gen_id();
    let mut g = c.benchmark_group("iommufd::HwptInvalidatePayload");
    g.bench_function(enc_g, |b| {
        b.iter(|| {
            let p = black_box(&p);
            let mut h = *black_box(&h0);
            let ptr = match p {
                HwptInvalidatePayload::HwptInvalidateDataVtdS1(e) => e.as_bytes().as_ptr(),
                HwptInvalidatePayload::ViommuInvalidateDataArmSmmuv3(e) => e.as_bytes().as_ptr(),
            };
            p.fill(&mut h, ptr as u64).unwrap();
            h
        })
    });
    g.bench_function(enc_h, |b| {
        b.iter(|| {
            let mut h = *black_box(&h0);
            let n = iommufd::hand_encode_hwpt_invalidate(&mut h, black_box(&hp));
            (h, n)
        })
    });
    g.bench_function(dec_g, |b| {
        b.iter(|| {
            let hdr = black_box(&hdr[..]);
            let data = black_box(data);
            HwptInvalidate::check(hdr)
                .and_then(|h| HwptInvalidatePayload::decode(&h, data).map(|p| (h, p)))
        })
    });
    g.bench_function(dec_h, |b| {
        b.iter(|| iommufd::hand_decode_hwpt_invalidate(black_box(&hdr[..]), black_box(data)))
    });
    g.finish();
}

/// Decode only: `struct kvm_run` has no generated encode.
fn kvm_run(c: &mut Criterion) {
    let bytes = kvm::run_sample_bytes();
    let (_, _, dec_g, dec_h) = gen_id();
    let mut g = c.benchmark_group("kvm::RunPayload");
    g.bench_function(dec_g, |b| {
        b.iter(|| RunPayload::decode(black_box(&bytes[..])))
    });
    g.bench_function(dec_h, |b| {
        b.iter(|| kvm::hand_decode_run(black_box(&bytes[..])))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(700))
        .sample_size(30)
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = vfio_irq_set, vfio_device_feature, iommu_cache_invalidate, iommu_gpasid_bind,
        iommufd_hwpt_alloc, iommufd_hwpt_invalidate, kvm_run, vfio_nesting_op
}
criterion_main!(benches);
