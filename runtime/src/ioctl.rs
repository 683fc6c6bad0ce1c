//! Calling ioctls through rustix: the three ways an argument travels (none, an integer by
//! value, a pointer), returning the ioctl's non-negative result (a fd for some ioctls).
//! Generated wrappers call these with the right opcode and a correctly typed argument, so
//! that user code needs no `unsafe`.

use core::ffi::c_void;
use core::marker::PhantomData;

pub use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
pub use rustix::io::{Errno as IoErrno, Result};

/// One ioctl call: opcode and the raw argument.
struct Raw<'a> {
    opcode: rustix::ioctl::Opcode,
    arg: *mut c_void,
    _borrow: PhantomData<&'a mut ()>,
}

// SAFETY: `Raw` passes the opcode and argument through unchanged and returns the ioctl's
// integer result; the callers of the `unsafe fn`s below promise they match.
unsafe impl rustix::ioctl::Ioctl for Raw<'_> {
    type Output = i32;
    const IS_MUTATING: bool = true;

    fn opcode(&self) -> rustix::ioctl::Opcode {
        self.opcode
    }

    fn as_ptr(&mut self) -> *mut c_void {
        self.arg
    }

    unsafe fn output_from_ptr(out: rustix::ioctl::IoctlOutput, _: *mut c_void) -> Result<i32> {
        Ok(out)
    }
}

/// An ioctl without an argument.
///
/// # Safety
/// `opcode` must be an ioctl of `fd`'s driver that takes no argument.
pub unsafe fn call_none(fd: impl AsFd, opcode: u32) -> Result<i32> {
    let raw = Raw {
        opcode: opcode as _,
        arg: core::ptr::null_mut(),
        _borrow: PhantomData,
    };
    // SAFETY: the caller promises that the ioctl takes no argument.
    unsafe { rustix::ioctl::ioctl(fd, raw) }
}

/// An ioctl whose argument is an integer passed by value.
///
/// # Safety
/// `opcode` must be an ioctl of `fd`'s driver that takes an integer by value.
pub unsafe fn call_value(fd: impl AsFd, opcode: u32, value: usize) -> Result<i32> {
    let raw = Raw {
        opcode: opcode as _,
        arg: value as *mut c_void,
        _borrow: PhantomData,
    };
    // SAFETY: the caller promises that the argument is an integer, not a pointer.
    unsafe { rustix::ioctl::ioctl(fd, raw) }
}

/// An ioctl whose argument points to `len` bytes at `arg` that the kernel may read and write.
///
/// # Safety
/// `opcode` must be an ioctl of `fd`'s driver whose argument is a pointer to at most `len`
/// bytes of the layout `arg` points to (for argsz-style structs: the size field must not
/// exceed `len`).
pub unsafe fn call_ptr<T: ?Sized>(fd: impl AsFd, opcode: u32, arg: &mut T) -> Result<i32> {
    let raw = Raw {
        opcode: opcode as _,
        arg: (arg as *mut T).cast(),
        _borrow: PhantomData,
    };
    // SAFETY: the caller promises the kernel stays within the referenced memory.
    unsafe { rustix::ioctl::ioctl(fd, raw) }
}

/// An ioctl whose argument is a NUL-terminated string the kernel reads.
///
/// # Safety
/// `opcode` must be an ioctl of `fd`'s driver that only reads a string at its argument.
pub unsafe fn call_cstr(fd: impl AsFd, opcode: u32, arg: &core::ffi::CStr) -> Result<i32> {
    let raw = Raw {
        opcode: opcode as _,
        arg: arg.as_ptr().cast_mut().cast(),
        _borrow: PhantomData,
    };
    // SAFETY: the caller promises the kernel only reads the string.
    unsafe { rustix::ioctl::ioctl(fd, raw) }
}

/// Take ownership of a file descriptor an ioctl returned.
///
/// # Safety
/// `fd` must be a new file descriptor that nothing else owns.
pub unsafe fn owned_fd(fd: i32) -> rustix::fd::OwnedFd {
    // SAFETY: the caller promises `fd` is new and owned by nobody else.
    unsafe { rustix::fd::FromRawFd::from_raw_fd(fd) }
}

/// The largest argument [`aligned_buf`] holds without the `alloc` feature (on the stack).
pub const STACK_ARG_BYTES: usize = 4096;

/// 8-aligned zeroed storage for an encoded argument, from [`aligned_buf`].
pub struct ArgWords {
    #[cfg(feature = "alloc")]
    words: alloc::vec::Vec<u64>,
    #[cfg(not(feature = "alloc"))]
    words: [u64; STACK_ARG_BYTES / 8],
    #[cfg(not(feature = "alloc"))]
    n: usize,
}

impl ArgWords {
    /// The words: at least `len` bytes (of the [`aligned_buf`] call), zeroed.
    pub fn as_mut_slice(&mut self) -> &mut [u64] {
        #[cfg(feature = "alloc")]
        return self.words.as_mut_slice();
        #[cfg(not(feature = "alloc"))]
        return &mut self.words[..self.n];
    }
}

/// 8-aligned zeroed storage for an encoded argument of `len` bytes: on the heap with the
/// `alloc` feature (`ENOMEM` if the allocation fails); without it on the stack, at most
/// [`STACK_ARG_BYTES`] (`ENOMEM` beyond).
pub fn aligned_buf(len: usize) -> Result<ArgWords> {
    let n = len.div_ceil(8);
    #[cfg(feature = "alloc")]
    {
        let mut words = alloc::vec::Vec::new();
        words.try_reserve_exact(n).map_err(|_| IoErrno::NOMEM)?;
        words.resize(n, 0);
        Ok(ArgWords { words })
    }
    #[cfg(not(feature = "alloc"))]
    {
        if n > STACK_ARG_BYTES / 8 {
            return Err(IoErrno::NOMEM);
        }
        Ok(ArgWords {
            words: [0; STACK_ARG_BYTES / 8],
            n,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_buf_is_zeroed_aligned_and_bounded() {
        let mut w = aligned_buf(20).unwrap_or_else(|e| panic!("{e}"));
        let words = w.as_mut_slice();
        assert_eq!(words.len(), 3);
        assert!(words.iter().all(|&x| x == 0));
        assert_eq!(words.as_ptr() as usize % 8, 0);
        // On the stack (no `alloc`), nothing above STACK_ARG_BYTES; on the heap, an
        // allocation that cannot succeed is ENOMEM, not an abort.
        #[cfg(not(feature = "alloc"))]
        assert_eq!(aligned_buf(STACK_ARG_BYTES + 1).err(), Some(IoErrno::NOMEM));
        #[cfg(not(feature = "alloc"))]
        assert!(aligned_buf(STACK_ARG_BYTES).is_ok());
        #[cfg(feature = "alloc")]
        assert_eq!(aligned_buf(usize::MAX).err(), Some(IoErrno::NOMEM));
    }
}
