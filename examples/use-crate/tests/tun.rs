//! /dev/net/tun on the running kernel through the generated wrappers of `spec/if_tun.yaml`,
//! inside a network namespace of its own (a thread that unshares CLONE_NEWNET, so the
//! interfaces it makes vanish with it): TUNGETFEATURES must report IFF_TUN, IFF_TAP and
//! IFF_NO_PI; TUNSETIFF makes a tun interface with the name asked for, and a tap interface
//! with a name the kernel picks from `tap%d`; TUNGETIFF reads back the name and the flags
//! (the kernel adds IFF_NOFILTER's bit only when asked, and never IFF_PERSIST here). The
//! device is usable on the project's machines and in CI (as root); if it is not, the test
//! fails and says so.

use std::os::fd::AsFd;

use linux_uapi::if_tun as tun;

/// The bytes of a `struct ifreq` with a name and flags (name at 0, flags at 16).
fn ifreq(name: &str, flags: u16) -> [u8; 40] {
    let mut r = [0u8; 40];
    r[..name.len()].copy_from_slice(name.as_bytes());
    r[16..18].copy_from_slice(&flags.to_ne_bytes());
    r
}

fn name_of(r: &[u8; 40]) -> String {
    let end = r[..16].iter().position(|&b| b == 0).unwrap_or(16);
    String::from_utf8_lossy(&r[..end]).into_owned()
}

fn flags_of(r: &[u8; 40]) -> u16 {
    u16::from_ne_bytes([r[16], r[17]])
}

fn open_tun() -> std::fs::File {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
        .unwrap_or_else(|e| {
            panic!(
                "/dev/net/tun is not usable ({e}): this test needs Linux with the tun driver \
                 (CONFIG_TUN) and root (CAP_NET_ADMIN)"
            )
        })
}

/// Run `f` on a thread of its own in a new network namespace.
fn in_new_netns<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        // SAFETY: NEWNET moves only this thread to a new network namespace; no file
        // descriptor table is unshared.
        unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNET) }
            .unwrap_or_else(|e| panic!("unshare(CLONE_NEWNET): {e}: this test needs root"));
        f()
    })
    .join()
    .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

#[test]
fn tun_and_tap_interfaces_in_a_network_namespace() {
    in_new_netns(|| {
        let dev = open_tun();
        let mut features: core::ffi::c_uint = 0;
        tun::tungetfeatures(dev.as_fd(), &mut features)
            .unwrap_or_else(|e| panic!("TUNGETFEATURES: {e}"));
        let want = u32::from(
            (tun::TunIffFlags::TUN | tun::TunIffFlags::TAP | tun::TunIffFlags::NO_PI).bits(),
        );
        assert_eq!(features & want, want, "TUNGETFEATURES gave {features:#x}");

        let asked = tun::TunIffFlags::TUN | tun::TunIffFlags::NO_PI;
        let mut req = ifreq("uapigen0", asked.bits());
        tun::tunsetiff(dev.as_fd(), &mut req).unwrap_or_else(|e| panic!("TUNSETIFF tun: {e}"));
        assert_eq!(name_of(&req), "uapigen0");
        let mut got = [0u8; 40];
        tun::tungetiff(dev.as_fd(), &mut got).unwrap_or_else(|e| panic!("TUNGETIFF: {e}"));
        assert_eq!(name_of(&got), "uapigen0");
        assert_eq!(flags_of(&got), asked.bits(), "TUNGETIFF flags");

        // A second TUNSETIFF on an attached fd is refused (`__tun_chr_ioctl`: EEXIST).
        let mut again = ifreq("uapigen1", asked.bits());
        assert_eq!(
            tun::tunsetiff(dev.as_fd(), &mut again),
            Err(uapigen_runtime::ioctl::IoErrno::EXIST),
            "TUNSETIFF on an attached fd"
        );

        // A tap interface whose name the kernel chooses.
        let tap = open_tun();
        let mut req = ifreq("", tun::TunIffFlags::TAP.bits());
        tun::tunsetiff(tap.as_fd(), &mut req).unwrap_or_else(|e| panic!("TUNSETIFF tap: {e}"));
        assert!(
            name_of(&req).starts_with("tap"),
            "tap name {:?}",
            name_of(&req)
        );
        let mut got = [0u8; 40];
        tun::tungetiff(tap.as_fd(), &mut got).unwrap_or_else(|e| panic!("TUNGETIFF tap: {e}"));
        assert_eq!(
            flags_of(&got) & tun::TUN_TYPE_MASK as u16,
            tun::TunIffFlags::TAP.bits()
        );
    });
}
