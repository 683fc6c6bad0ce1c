//! The userfaultfd and loop parts of the kernel oracle.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use linux_uapi::r#loop as lo;
use linux_uapi::userfaultfd as uf;
use uapigen_runtime::ioctl::call_ptr;

use crate::oracle_support::{Arg, Oracle, Validator, kernel_name};

const PAGE: usize = 4096;

/// Argument bytes, mutation class, state-dependence reason, single flag bit.
type Case = (Vec<u8>, &'static str, Option<&'static str>, Option<u32>);
const PAGE_REASON: &str = "the page size is the running kernel's (validate_range)";

fn open_rw(path: &str) -> std::fs::File {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap_or_else(|e| {
            panic!("{path} is not usable ({e}): the kernel-oracle test needs it, as root")
        })
}

/// A new userfaultfd with the API agreed (no features).
fn new_uffd(dev: &std::fs::File, api: bool) -> OwnedFd {
    let fd = uf::userfaultfd_ioc_new(dev.as_fd(), 0)
        .unwrap_or_else(|e| panic!("USERFAULTFD_IOC_NEW: {e}"));
    if api {
        let mut a = uf::UffdioApi {
            api: uf::UFFD_API,
            ..Default::default()
        };
        uf::uffdio_api(fd.as_fd(), &mut a).unwrap_or_else(|e| panic!("UFFDIO_API: {e}"));
    }
    fd
}

struct Map {
    addr: *mut core::ffi::c_void,
    len: usize,
}

impl Map {
    fn anon(pages: usize) -> Map {
        let len = pages * PAGE;
        // SAFETY: a fresh private anonymous mapping that nothing else refers to.
        let addr = unsafe {
            rustix::mm::mmap_anonymous(
                core::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::PRIVATE,
            )
        }
        .unwrap_or_else(|e| panic!("mmap: {e}"));
        Map { addr, len }
    }
    fn shared(fd: &OwnedFd, pages: usize) -> Map {
        let len = pages * PAGE;
        // SAFETY: a fresh shared mapping of a memfd the test owns.
        let addr = unsafe {
            rustix::mm::mmap(
                core::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::SHARED,
                fd,
                0,
            )
        }
        .unwrap_or_else(|e| panic!("mmap memfd: {e}"));
        Map { addr, len }
    }
    fn start(&self) -> u64 {
        self.addr as u64
    }
    /// Drop the pages' mappings, so that they are missing (anonymous) or unmapped but
    /// cached (shmem) again.
    fn zap(&self) {
        // SAFETY: the mapping is the test's own; its contents do not matter.
        unsafe { rustix::mm::madvise(self.addr, self.len, rustix::mm::Advice::LinuxDontNeed) }
            .unwrap_or_else(|e| panic!("madvise: {e}"));
    }
}

fn register(uffd: &OwnedFd, m: &Map, mode: u64) {
    let mut r = uf::UffdioRegister {
        range: uf::UffdioRange {
            start: m.start(),
            len: m.len as u64,
        },
        mode,
        ..Default::default()
    };
    // SAFETY: the range is a mapping this test owns and keeps for the fd's lifetime.
    unsafe { uf::uffdio_register(uffd.as_fd(), &mut r) }
        .unwrap_or_else(|e| panic!("UFFDIO_REGISTER {mode:#x}: {e}"));
}

/// Mode values of a flags mutation: every single bit, the known combinations and a few
/// random words; `Some(bit)` marks single bits.
fn mode_values(known: u64, seed: &mut u64) -> Vec<(u64, Option<u32>)> {
    let mut v: Vec<(u64, Option<u32>)> = (0..64).map(|b| (1u64 << b, Some(b))).collect();
    v.push((0, None));
    v.push((known, None));
    // Random known combinations, and the same with one bit past the newest flags.
    for _ in 0..8 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        v.push((*seed & known, None));
        v.push(((*seed & known) | 1u64 << (32 + *seed % 32), None));
    }
    v
}

fn call(fd: &OwnedFd, opcode: u32, bytes: &[u8]) -> String {
    let mut a = Arg::from(bytes);
    // SAFETY: the buffer is 4096 bytes, more than any argument the kernel reads here, and
    // the addresses in it are the test's own mappings.
    kernel_name(unsafe { call_ptr(fd.as_fd(), opcode, &mut a.0[..]) })
}

fn v(name: &'static str) -> (&'static str, Validator) {
    let f = linux_uapi::layout_probe::userfaultfd::VALIDATORS
        .iter()
        .chain(linux_uapi::layout_probe::r#loop::VALIDATORS)
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no validator of {name}"));
    (name, f)
}

/// UFFDIO_API, REGISTER, UNREGISTER, WAKE, COPY, ZEROPAGE, WRITEPROTECT and CONTINUE.
pub fn userfaultfd(o: &mut Oracle) {
    let dev = open_rw("/dev/userfaultfd");
    let mut seed = 0x1234_5678_9abc_def1u64;

    // UFFDIO_API on a fresh fd each time: features (flags), api (tags), ioctls (out field).
    for round in 0..24 {
        for (f, bit) in mode_values(u64::from(uf::UFFD_API_FEATURES), &mut seed) {
            for (api, class) in [(uf::UFFD_API, "flags"), (uf::UFFD_API + round, "tags")] {
                if class == "tags" && round == 0 {
                    continue;
                }
                let a = uf::UffdioApi {
                    api,
                    features: f,
                    ioctls: seed.wrapping_mul(round + 1),
                };
                let b = bytes_of(&a);
                let fd = new_uffd(&dev, false);
                let k = call(&fd, uf::UFFDIO_API, &b);
                let single = (class == "flags")
                    .then_some(bit)
                    .flatten()
                    .map(|b| ("features", b));
                o.record("UFFDIO_API", class, v("uffdio_api"), &b, k, None, single);
            }
        }
    }

    let uffd = new_uffd(&dev, true);
    let anon = Map::anon(2);
    register(
        &uffd,
        &anon,
        uf::UFFDIO_REGISTER_MODE_MISSING | uf::UFFDIO_REGISTER_MODE_WP,
    );
    let src = Map::anon(2);
    let memfd = rustix::fs::memfd_create("oracle", rustix::fs::MemfdFlags::empty())
        .unwrap_or_else(|e| panic!("memfd_create: {e}"));
    rustix::fs::ftruncate(&memfd, (4 * PAGE) as u64).unwrap_or_else(|e| panic!("{e}"));
    rustix::io::pwrite(&memfd, &[7u8; 2 * PAGE], 0).unwrap_or_else(|e| panic!("{e}"));
    let minor = Map::shared(&memfd, 2);
    register(&uffd, &minor, uf::UFFDIO_REGISTER_MODE_MINOR);
    let spare = Map::shared(&memfd, 2);

    // Lengths: whole pages of the registered range (decidable) and others (page size).
    let lens: Vec<(u64, Option<&'static str>)> = vec![
        (0, None),
        (PAGE as u64, None),
        (2 * PAGE as u64, None),
        (1, Some(PAGE_REASON)),
        (100, Some(PAGE_REASON)),
        (PAGE as u64 - 1, Some(PAGE_REASON)),
        (PAGE as u64 + 1, Some(PAGE_REASON)),
    ];

    for round in 0..16 {
        // UFFDIO_COPY.
        let known = uf::UFFDIO_COPY_MODE_DONTWAKE | uf::UFFDIO_COPY_MODE_WP;
        let base = uf::UffdioCopy {
            dst: anon.start(),
            src: src.start(),
            len: PAGE as u64,
            mode: 0,
            copy: 0,
        };
        let mut cases: Vec<(
            uf::UffdioCopy,
            &'static str,
            Option<&'static str>,
            Option<u32>,
        )> = Vec::new();
        for (m, bit) in mode_values(known, &mut seed) {
            cases.push((uf::UffdioCopy { mode: m, ..base }, "flags", None, bit));
        }
        for &(len, st) in &lens {
            cases.push((uf::UffdioCopy { len, ..base }, "sizes", st, None));
        }
        for s in [
            u64::MAX - PAGE as u64 + 1,
            u64::MAX,
            u64::MAX - 3 * PAGE as u64 + 1,
        ] {
            cases.push((uf::UffdioCopy { src: s, ..base }, "wrap-around", None, None));
        }
        cases.push((base, "wrap-around", None, None));
        for i in 0..4 {
            cases.push((
                uf::UffdioCopy {
                    copy: (seed >> i) as i64,
                    ..base
                },
                "output-fields",
                None,
                None,
            ));
        }
        for (a, class, st, bit) in cases {
            let b = bytes_of(&a);
            let k = call(&uffd, uf::UFFDIO_COPY, &b);
            anon.zap();
            // A non-wrapping src past the process's memory faults on the copy.
            let st = st.or((class == "wrap-around"
                && a.src.checked_add(a.len).is_some()
                && a.src != src.start())
            .then_some("the source is not mapped (the copy faults)"));
            o.record(
                "UFFDIO_COPY",
                class,
                v("uffdio_copy"),
                &b,
                k,
                st,
                bit.map(|b| ("mode", b)),
            );
        }

        // UFFDIO_ZEROPAGE, UFFDIO_WRITEPROTECT, UFFDIO_CONTINUE, WAKE, UNREGISTER: a range and
        // a mode.
        type Mk = fn(u64, u64, u64) -> Vec<u8>;
        let zp: Mk = |s, l, m| {
            bytes_of(&uf::UffdioZeropage {
                range: uf::UffdioRange { start: s, len: l },
                mode: m,
                zeropage: 0,
            })
        };
        let wp: Mk = |s, l, m| {
            bytes_of(&uf::UffdioWriteprotect {
                range: uf::UffdioRange { start: s, len: l },
                mode: m,
            })
        };
        let ct: Mk = |s, l, m| {
            bytes_of(&uf::UffdioContinue {
                range: uf::UffdioRange { start: s, len: l },
                mode: m,
                mapped: 0,
            })
        };
        let rg: Mk = |s, l, _| bytes_of(&uf::UffdioRange { start: s, len: l });
        let plan: [(&'static str, u32, &'static str, Mk, &Map, u64); 5] = [
            (
                "UFFDIO_ZEROPAGE",
                uf::UFFDIO_ZEROPAGE,
                "uffdio_zeropage",
                zp,
                &anon,
                uf::UFFDIO_ZEROPAGE_MODE_DONTWAKE,
            ),
            (
                "UFFDIO_WRITEPROTECT",
                uf::UFFDIO_WRITEPROTECT,
                "uffdio_writeprotect",
                wp,
                &anon,
                uf::UFFDIO_WRITEPROTECT_MODE_WP | uf::UFFDIO_WRITEPROTECT_MODE_DONTWAKE,
            ),
            (
                "UFFDIO_CONTINUE",
                uf::UFFDIO_CONTINUE,
                "uffdio_continue",
                ct,
                &minor,
                uf::UFFDIO_CONTINUE_MODE_DONTWAKE,
            ),
            ("UFFDIO_WAKE", uf::UFFDIO_WAKE, "uffdio_range", rg, &anon, 0),
            (
                "UFFDIO_UNREGISTER",
                uf::UFFDIO_UNREGISTER,
                "uffdio_range",
                rg,
                &spare,
                0,
            ),
        ];
        for (name, opcode, st_name, mk, map, known) in plan {
            let mut cases: Vec<Case> = Vec::new();
            if known != 0 {
                for (m, bit) in mode_values(known, &mut seed) {
                    cases.push((mk(map.start(), PAGE as u64, m), "flags", None, bit));
                }
            }
            for &(len, st) in &lens {
                for _ in 0..(if known == 0 { 8 } else { 1 }) {
                    cases.push((mk(map.start(), len, 0), "sizes", st, None));
                }
            }
            if round == 0 {
                cases.push((
                    mk(map.start() + 1, PAGE as u64, 0),
                    "sizes",
                    Some(PAGE_REASON),
                    None,
                ));
            }
            for (b, class, st, bit) in cases {
                let k = call(&uffd, opcode, &b);
                map.zap();
                o.record(name, class, v(st_name), &b, k, st, bit.map(|b| ("mode", b)));
            }
        }

        // UFFDIO_REGISTER on a shmem mapping, unregistered again after each success.
        for (m, bit) in mode_values(uf::UFFD_API_REGISTER_MODES, &mut seed) {
            for &(len, st) in lens
                .iter()
                .skip(usize::from(bit.is_some()))
                .take(if bit.is_some() { 1 } else { lens.len() })
            {
                let a = uf::UffdioRegister {
                    range: uf::UffdioRange {
                        start: spare.start(),
                        len,
                    },
                    mode: m,
                    ioctls: seed,
                };
                let b = bytes_of(&a);
                let k = call(&uffd, uf::UFFDIO_REGISTER, &b);
                if k == "0" {
                    let r = bytes_of(&uf::UffdioRange {
                        start: spare.start(),
                        len: spare.len as u64,
                    });
                    assert_eq!(
                        call(&uffd, uf::UFFDIO_UNREGISTER, &r),
                        "0",
                        "UFFDIO_UNREGISTER"
                    );
                }
                let class = if bit.is_some() || len == PAGE as u64 {
                    "flags"
                } else {
                    "sizes"
                };
                o.record(
                    "UFFDIO_REGISTER",
                    class,
                    v("uffdio_register"),
                    &b,
                    k,
                    st,
                    bit.map(|b| ("mode", b)),
                );
            }
        }
    }
}

/// The bytes of a plain struct.
pub fn bytes_of<T: uapigen_runtime::AsBytes>(t: &T) -> Vec<u8> {
    t.as_bytes().to_vec()
}

/// LOOP_CONFIGURE on a free device (cleared after each success) and LOOP_SET_STATUS64 on
/// a bound one (reset after each success).
pub fn loop_device(o: &mut Oracle) {
    let ctl = open_rw("/dev/loop-control");
    let dir = tempfile::tempdir_in("/var/tmp").unwrap_or_else(|e| panic!("tempdir: {e}"));
    let file_path = dir.path().join("backing");
    std::fs::write(&file_path, vec![0u8; 1 << 20]).unwrap_or_else(|e| panic!("{e}"));
    let file = open_rw(file_path.to_str().unwrap_or_default());
    let n = lo::loop_ctl_get_free(ctl.as_fd()).unwrap_or_else(|e| panic!("LOOP_CTL_GET_FREE: {e}"));
    let path = format!("/dev/loop{n}");
    if !std::path::Path::new(&path).exists() {
        let _ = rustix::fs::mknodat(
            rustix::fs::CWD,
            path.as_str(),
            rustix::fs::FileType::BlockDevice,
            rustix::fs::Mode::from_raw_mode(0o600),
            rustix::fs::makedev(7, n as u32),
        );
    }
    let mut dev: OwnedFd = open_rw(&path).into();
    let base = lo::LoopConfig {
        fd: file.as_raw_fd() as u32,
        ..Default::default()
    };
    let mut seed = 0xfeed_face_cafe_beefu64;
    let mut cases: Vec<(
        lo::LoopConfig,
        &'static str,
        Option<&'static str>,
        Option<u32>,
    )> = Vec::new();
    for (f, bit) in mode_values(u64::from(lo::LOOP_CONFIGURE_SETTABLE_FLAGS), &mut seed) {
        if f >> 32 == 0 {
            let mut c = base;
            c.info.lo_flags = f as u32;
            cases.push((c, "flags", None, bit));
        }
    }
    for bs in [
        0u32,
        512,
        1024,
        2048,
        4096,
        1,
        256,
        511,
        513,
        3000,
        0x8000_0000,
        u32::MAX,
        8192,
        65536,
    ] {
        let st = (bs > 4096 && bs.is_power_of_two())
            .then_some("the largest block size is the kernel's (PAGE_SIZE, 64 KiB since 6.15)");
        cases.push((
            lo::LoopConfig {
                block_size: bs,
                ..base
            },
            "sizes",
            st,
            None,
        ));
    }
    for ks in [0u32, 1, 16, 31, 32, 33, 40, 63, 64, 100, u32::MAX] {
        let mut c = base;
        c.info.lo_encrypt_key_size = ks;
        cases.push((c, "sizes", None, None));
    }
    for et in [0u32, 1, 2, 18, 19, 20, u32::MAX] {
        let mut c = base;
        c.info.lo_encrypt_type = et;
        cases.push((c, "tags", None, None));
    }
    for off in [0u64, 512, 1 << 62, (1 << 63) - 1, 1 << 63, u64::MAX] {
        let mut c = base;
        c.info.lo_offset = off;
        cases.push((c, "sizes", None, None));
        let mut c = base;
        c.info.lo_sizelimit = off;
        cases.push((c, "sizes", None, None));
    }
    for i in 0..8 {
        let mut c = base;
        c.reserved[i] = seed.rotate_left(i as u32 * 7);
        cases.push((c, "reserved", None, None));
    }
    for (c, class, st, bit) in &cases {
        let b = bytes_of(c);
        let k = call(&dev, lo::LOOP_CONFIGURE, &b);
        if k == "0" {
            // The detach completes when the last opener closes the device.
            lo::loop_clr_fd(dev.as_fd()).unwrap_or_else(|e| panic!("LOOP_CLR_FD: {e}"));
            drop(dev);
            dev = open_rw(&path).into();
            wait_unbound(&dev);
        }
        o.record(
            "LOOP_CONFIGURE",
            class,
            v("loop_config"),
            &b,
            k,
            *st,
            bit.map(|b| ("lo_flags", b)),
        );
    }

    // LOOP_SET_STATUS64 on the bound device: the same info mutations.
    lo::loop_configure(dev.as_fd(), &base).unwrap_or_else(|e| panic!("LOOP_CONFIGURE: {e}"));
    for (c, class, _, _) in cases.iter().filter(|c| c.1 != "reserved") {
        let b = bytes_of(&c.info);
        let k = call(&dev, lo::LOOP_SET_STATUS64, &b);
        if k == "0" {
            lo::loop_set_status64(dev.as_fd(), &base.info)
                .unwrap_or_else(|e| panic!("LOOP_SET_STATUS64: {e}"));
        }
        o.record(
            "LOOP_SET_STATUS64",
            class,
            v("loop_info64"),
            &b,
            k,
            None,
            None,
        );
    }
    lo::loop_clr_fd(dev.as_fd()).unwrap_or_else(|e| panic!("LOOP_CLR_FD: {e}"));
    wait_unbound(&dev);
}

fn wait_unbound(dev: &OwnedFd) {
    for _ in 0..2000 {
        let mut info = lo::LoopInfo64::default();
        if lo::loop_get_status64(dev.as_fd(), &mut info).is_err() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("the loop device stays bound after LOOP_CLR_FD");
}
