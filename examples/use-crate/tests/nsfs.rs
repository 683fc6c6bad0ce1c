//! The nsfs ioctls on /proc/self/ns/*, through the generated wrappers, checked against what
//! the kernel reports by other means: the namespace type named in the link text
//! (`uts:[4026531838]`) and the inode numbers of the namespace files.

use std::os::unix::fs::MetadataExt;

use linux_uapi::nsfs;

/// CLONE_NEW* flags of <linux/sched.h>, by the type name in /proc/self/ns links.
fn clone_flag(kind: &str) -> Option<i32> {
    Some(match kind {
        "cgroup" => 0x0200_0000,
        "ipc" => 0x0800_0000,
        "mnt" => 0x0002_0000,
        "net" => 0x4000_0000,
        "pid" => 0x2000_0000,
        "time" => 0x0000_0080,
        "user" => 0x1000_0000,
        "uts" => 0x0400_0000,
        _ => return None,
    })
}

#[test]
fn ns_get_nstype_names_each_namespace() {
    let mut checked = 0;
    for e in std::fs::read_dir("/proc/self/ns")
        .unwrap_or_else(|e| panic!("/proc/self/ns: {e}"))
        .flatten()
    {
        let link = std::fs::read_link(e.path()).unwrap_or_else(|e| panic!("{e}"));
        let kind = link
            .to_string_lossy()
            .split(':')
            .next()
            .unwrap_or("")
            .to_owned();
        let Some(flag) = clone_flag(&kind) else {
            continue;
        };
        let f = std::fs::File::open(e.path())
            .unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
        assert_eq!(nsfs::get_nstype(&f), Ok(flag), "{}", e.path().display());
        checked += 1;
    }
    assert!(checked >= 6, "checked {checked} namespaces");
}

#[test]
fn ns_get_userns_returns_the_owning_user_namespace() {
    let uts = std::fs::File::open("/proc/self/ns/uts").unwrap_or_else(|e| panic!("{e}"));
    let owner = nsfs::get_userns(&uts).unwrap_or_else(|e| panic!("NS_GET_USERNS: {e}"));
    let owner = std::fs::File::from(owner);
    let user = std::fs::metadata("/proc/self/ns/user").unwrap_or_else(|e| panic!("{e}"));
    let got = owner.metadata().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (got.dev(), got.ino()),
        (user.dev(), user.ino()),
        "the returned fd is our user namespace"
    );
    assert_eq!(nsfs::get_nstype(&owner), Ok(0x1000_0000));
}

#[test]
fn ns_get_owner_uid_of_the_user_namespace() {
    let user = std::fs::File::open("/proc/self/ns/user").unwrap_or_else(|e| panic!("{e}"));
    let mut uid = u32::MAX;
    nsfs::get_owner_uid(&user, &mut uid).unwrap_or_else(|e| panic!("NS_GET_OWNER_UID: {e}"));
    let map = std::fs::read_to_string("/proc/self/uid_map").unwrap_or_default();
    let initial = map.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"];
    if initial {
        // The initial user namespace is owned by uid 0.
        assert_eq!(uid, 0);
    } else {
        // A child namespace: its owner as seen from inside, or the overflow uid.
        assert!(uid != u32::MAX, "the kernel wrote the owner uid");
    }
    // Any other namespace type is refused with EINVAL.
    let uts = std::fs::File::open("/proc/self/ns/uts").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        nsfs::get_owner_uid(&uts, &mut uid),
        Err(rustix::io::Errno::INVAL)
    );
}
