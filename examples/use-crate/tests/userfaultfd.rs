//! userfaultfd on the running kernel through the generated wrappers of `spec/userfaultfd.yaml`:
//! a userfaultfd from /dev/userfaultfd (USERFAULTFD_IOC_NEW), the UFFDIO_API handshake, a
//! page registered with UFFDIO_REGISTER, a thread that faults on it, the fault read as a
//! packed `uffd_msg`, and UFFDIO_COPY resolving it with a page whose bytes the thread then
//! sees. /dev/userfaultfd is usable on the project's machines and in CI (as root); if it is
//! not, the test fails and says so (it is never skipped).

use std::io::Read;
use std::os::fd::AsFd;

use linux_uapi::userfaultfd as uffd;
use uapigen_runtime::{AsBytes, FromBytes};

fn open_dev() -> std::fs::File {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/userfaultfd")
        .unwrap_or_else(|e| {
            panic!(
                "/dev/userfaultfd is not usable ({e}): this test needs Linux 6.1+ with \
                 CONFIG_USERFAULTFD and access to /dev/userfaultfd (root, or vm.unprivileged_userfaultfd)"
            )
        })
}

#[test]
fn userfaultfd_resolves_a_real_page_fault_with_uffdio_copy() {
    let dev = open_dev();
    // O_CLOEXEC as the flags argument, by value; the fd stays blocking for read().
    let flags = rustix::fs::OFlags::CLOEXEC.bits();
    let fd = uffd::userfaultfd_ioc_new(dev.as_fd(), flags)
        .unwrap_or_else(|e| panic!("USERFAULTFD_IOC_NEW: {e}"));

    let mut api = uffd::UffdioApi {
        api: uffd::UFFD_API,
        features: 0,
        ioctls: 0,
    };
    uffd::uffdio_api(fd.as_fd(), &mut api).unwrap_or_else(|e| panic!("UFFDIO_API: {e}"));
    // The kernel answers with the ioctls of the fd: those three, by ioctl number.
    assert_eq!(api.ioctls & uffd::UFFD_API_IOCTLS, uffd::UFFD_API_IOCTLS);
    assert_eq!(
        uffd::UFFD_API_IOCTLS,
        (1 << 0x00) | (1 << 0x01) | (1 << 0x3f)
    );

    let page = rustix::param::page_size();
    // SAFETY: a fresh anonymous private mapping, unmapped at the end; nothing else uses it.
    let area = unsafe {
        rustix::mm::mmap_anonymous(
            std::ptr::null_mut(),
            page,
            rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
            rustix::mm::MapFlags::PRIVATE,
        )
    }
    .unwrap_or_else(|e| panic!("mmap: {e}"));
    let start = area as u64;

    let mut reg = uffd::UffdioRegister {
        range: uffd::UffdioRange {
            start,
            len: page as u64,
        },
        mode: uffd::UffdioRegisterMode::MISSING.bits(),
        ioctls: 0,
    };
    // SAFETY: the range is the anonymous mapping made above, which no Rust reference covers;
    // it stays mapped until after UFFDIO_UNREGISTER.
    unsafe { uffd::uffdio_register(fd.as_fd(), &mut reg) }
        .unwrap_or_else(|e| panic!("UFFDIO_REGISTER: {e}"));
    let copy_bit = 1u64 << uffd::UFFDIO_COPY_NR;
    assert_ne!(reg.ioctls & copy_bit, 0, "the range offers UFFDIO_COPY");

    // A thread touches the page: the fault waits for us.
    let addr = area as usize;
    let toucher = std::thread::spawn(move || {
        // SAFETY: the page is mapped (registered, not yet populated); the read blocks until
        // UFFDIO_COPY fills it.
        unsafe { std::ptr::read_volatile((addr + 123) as *const u8) }
    });

    let mut file = std::fs::File::from(fd.try_clone().unwrap_or_else(|e| panic!("dup: {e}")));
    let mut raw = [0u8; 32];
    file.read_exact(&mut raw)
        .unwrap_or_else(|e| panic!("read(uffd): {e}"));
    let msg =
        uffd::UffdMsg::read_from_bytes(&raw[..]).unwrap_or_else(|| panic!("uffd_msg is 32 bytes"));
    assert_eq!(core::mem::size_of::<uffd::UffdMsg>(), 32);
    assert_eq!(core::mem::align_of::<uffd::UffdMsg>(), 1, "packed");
    assert_eq!({ msg.event }, uffd::UFFD_EVENT_PAGEFAULT);
    let fault = { msg.arg }.pagefault();
    assert_eq!(
        fault.address & !(page as u64 - 1),
        start,
        "the fault is in our page"
    );
    let flags = uffd::UffdPagefaultFlags::from_bits_retain(fault.flags);
    assert!(!flags.contains(uffd::UffdPagefaultFlags::WRITE), "a read");

    let pattern = |i: usize| (i % 251) as u8;
    let src: Vec<u8> = (0..page).map(pattern).collect();
    let mut copy = uffd::UffdioCopy {
        dst: start,
        src: src.as_ptr() as u64,
        len: page as u64,
        mode: 0,
        copy: 0,
    };
    // SAFETY: `src` is a live Vec of one page the kernel only reads; `dst` is the page of
    // the registered mapping, which Rust touches only through the faulting thread's read.
    unsafe { uffd::uffdio_copy(fd.as_fd(), &mut copy) }
        .unwrap_or_else(|e| panic!("UFFDIO_COPY: {e}"));
    assert_eq!(
        copy.copy, page as i64,
        "the kernel reports the bytes copied"
    );

    let seen = toucher
        .join()
        .unwrap_or_else(|_| panic!("the faulting thread panicked"));
    assert_eq!(seen, pattern(123), "the thread sees the copied byte");

    let mut range = uffd::UffdioRange {
        start,
        len: page as u64,
    };
    // SAFETY: the same registered mapping, still mapped.
    unsafe { uffd::uffdio_unregister(fd.as_fd(), &mut range) }
        .unwrap_or_else(|e| panic!("UFFDIO_UNREGISTER: {e}"));
    assert_eq!(msg.as_bytes().len(), 32);
    // SAFETY: unmaps the mapping made above; the thread that used it has ended.
    unsafe { rustix::mm::munmap(area, page) }.unwrap_or_else(|e| panic!("munmap: {e}"));
}
