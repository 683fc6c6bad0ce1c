//! Loop devices on the running kernel through the generated wrappers of `spec/loop.yaml`,
//! whose ioctls are plain numbers (`LOOP_CONFIGURE` is `0x4C0A`): LOOP_CTL_GET_FREE on
//! /dev/loop-control, LOOP_CONFIGURE attaching a file at an offset, LOOP_GET_STATUS64
//! reading back what was set, a read of the block device that must give the file's bytes
//! from that offset, and LOOP_CLR_FD detaching it (LOOP_GET_STATUS64 then answers ENXIO, as
//! `loop_get_status` does for an unbound device). /dev/loop-control is usable on the
//! project's machines and in CI (as root); if it is not, the test fails and says so.

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::FileTypeExt;
use std::path::PathBuf;

use linux_uapi::r#loop as lo;
use uapigen_runtime::ioctl::IoErrno;

fn open_rw(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
}

/// `/dev/loopN`, or (in a container whose /dev lacks the node the kernel just made) a node
/// of the same device number made in `dir`.
fn device_node(n: u32, dir: &std::path::Path) -> PathBuf {
    let dev = PathBuf::from(format!("/dev/loop{n}"));
    if std::fs::metadata(&dev).is_ok_and(|m| m.file_type().is_block_device()) {
        return dev;
    }
    let node = dir.join(format!("loop{n}"));
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &node,
        rustix::fs::FileType::BlockDevice,
        rustix::fs::Mode::from_raw_mode(0o600),
        rustix::fs::makedev(7, n),
    )
    .unwrap_or_else(|e| {
        panic!(
            "/dev/loop{n} does not exist and making a node for it failed ({e}): this test needs \
             the loop driver and root (CAP_MKNOD, or a /dev with the loop nodes)"
        )
    });
    node
}

#[test]
fn loop_configure_attaches_a_file_that_reads_back_through_the_device() {
    let ctl = open_rw("/dev/loop-control".as_ref()).unwrap_or_else(|e| {
        panic!(
            "/dev/loop-control is not usable ({e}): this test needs Linux with the loop \
             driver (CONFIG_BLK_DEV_LOOP) and root"
        )
    });
    let n = lo::loop_ctl_get_free(ctl.as_fd()).unwrap_or_else(|e| panic!("LOOP_CTL_GET_FREE: {e}"));
    let n = u32::try_from(n).unwrap_or_else(|_| panic!("LOOP_CTL_GET_FREE gave {n}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dev_path = device_node(n, tmp.path());

    // A 256 KiB file whose every 4-byte word holds its own offset.
    let mut file = tempfile::tempfile().unwrap_or_else(|e| panic!("tempfile: {e}"));
    let bytes: Vec<u8> = (0u32..65536).flat_map(|i| (i * 4).to_le_bytes()).collect();
    file.write_all(&bytes)
        .unwrap_or_else(|e| panic!("write: {e}"));

    let dev = open_rw(&dev_path).unwrap_or_else(|e| panic!("{}: {e}", dev_path.display()));
    let offset = 8192u64;
    let name = b"uapigen loop test";
    let mut info = lo::LoopInfo64 {
        lo_offset: offset,
        lo_flags: lo::LO_FLAGS_READ_ONLY,
        ..Default::default()
    };
    info.lo_file_name[..name.len()].copy_from_slice(name);
    let config = lo::LoopConfig {
        fd: u32::try_from(std::os::fd::AsRawFd::as_raw_fd(&file)).unwrap_or(u32::MAX),
        block_size: 0,
        info,
        ..Default::default()
    };
    lo::loop_configure(dev.as_fd(), &config).unwrap_or_else(|e| panic!("LOOP_CONFIGURE: {e}"));

    // Detach however the rest goes, so a failing assertion does not leak a bound device.
    struct Detach<'a>(&'a std::fs::File);
    impl Drop for Detach<'_> {
        fn drop(&mut self) {
            let _ = lo::loop_clr_fd(self.0.as_fd());
        }
    }
    let guard = Detach(&dev);

    let mut got = lo::LoopInfo64::default();
    lo::loop_get_status64(dev.as_fd(), &mut got)
        .unwrap_or_else(|e| panic!("LOOP_GET_STATUS64: {e}"));
    assert_eq!(got.lo_number, n, "the device's own number");
    assert_eq!(got.lo_offset, offset);
    assert_eq!(&got.lo_file_name[..name.len()], name);
    assert_eq!(got.lo_file_name[name.len()], 0);
    assert_ne!(
        got.lo_flags & lo::LO_FLAGS_READ_ONLY,
        0,
        "flags: {:#x}",
        got.lo_flags
    );
    let meta = file.metadata().unwrap_or_else(|e| panic!("fstat: {e}"));
    assert_eq!(got.lo_inode, std::os::unix::fs::MetadataExt::ino(&meta));

    // The device's first bytes are the file's bytes from the offset on.
    let mut first = vec![0u8; 4096];
    let mut reader = &dev;
    reader
        .seek(SeekFrom::Start(0))
        .and_then(|_| reader.read_exact(&mut first))
        .unwrap_or_else(|e| panic!("reading {}: {e}", dev_path.display()));
    assert_eq!(first, bytes[offset as usize..offset as usize + 4096]);

    drop(guard);
    // Unbound now: the kernel answers ENXIO.
    let mut after = lo::LoopInfo64::default();
    assert_eq!(
        lo::loop_get_status64(dev.as_fd(), &mut after),
        Err(IoErrno::NXIO),
        "LOOP_GET_STATUS64 after LOOP_CLR_FD"
    );
}
