//! C bit-fields in Rust: the generated code keeps a run of bit-fields as the bytes that hold
//! them and reads and writes each through these, by the bit position the compiler gave it.
//! Positions count in the compiler's allocation order: from the least significant bit of
//! each byte on little-endian targets, from the most significant one on big-endian ones,
//! where a field's first bit is also its most significant.

/// Whether this target allocates bit-fields from the most significant bit (big-endian).
const BE: bool = cfg!(target_endian = "big");

/// The byte and mask of allocation position `p`.
#[inline(always)]
const fn at(p: u32, be: bool) -> (usize, u8) {
    let byte = (p / 8) as usize;
    if be {
        (byte, 0x80 >> (p % 8))
    } else {
        (byte, 1 << (p % 8))
    }
}

/// The value bit that allocation position `pos + i` of a `width`-bit field holds.
#[inline(always)]
const fn value_bit(i: u32, width: u32, be: bool) -> u32 {
    if be { width - 1 - i } else { i }
}

/// The `width`-bit field (1 to 64) at allocation position `pos` of `bytes`, zero-extended;
/// bits past `bytes` read as zero.
#[inline]
pub const fn get(bytes: &[u8], pos: u32, width: u32) -> u64 {
    get_in(bytes, pos, width, BE)
}

/// Store the low `width` bits of `v` (1 to 64) at allocation position `pos` of `bytes`; the
/// other bits are kept, and bits past `bytes` are not written.
#[inline]
pub fn set(bytes: &mut [u8], pos: u32, width: u32, v: u64) {
    set_in(bytes, pos, width, v, BE)
}

/// `get` of a signed field: the field's top bit extended.
#[inline]
pub const fn get_signed(bytes: &[u8], pos: u32, width: u32) -> i64 {
    let v = get(bytes, pos, width);
    if width == 0 || width >= 64 {
        return v as i64;
    }
    let shift = 64 - width;
    ((v << shift) as i64) >> shift
}

/// [`get`] for the allocation order of a big-endian (`be`) or little-endian target, whatever
/// this one is (to read another ABI's bytes).
#[inline]
pub const fn get_in(bytes: &[u8], pos: u32, width: u32, be: bool) -> u64 {
    let mut v = 0u64;
    let mut i = 0;
    while i < width && i < 64 {
        let (b, m) = at(pos + i, be);
        if b < bytes.len() && bytes[b] & m != 0 {
            v |= 1 << value_bit(i, width, be);
        }
        i += 1;
    }
    v
}

/// [`set`] for the allocation order of a big-endian (`be`) or little-endian target.
#[inline]
pub fn set_in(bytes: &mut [u8], pos: u32, width: u32, v: u64, be: bool) {
    let mut i = 0;
    while i < width && i < 64 {
        let (b, m) = at(pos + i, be);
        if let Some(byte) = bytes.get_mut(b) {
            if v >> value_bit(i, width, be) & 1 != 0 {
                *byte |= m;
            } else {
                *byte &= !m;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_neighbours_kept() {
        let mut b = [0xffu8; 4];
        set(&mut b, 3, 9, 0);
        assert_eq!(get(&b, 3, 9), 0);
        assert_eq!(get(&b, 0, 3), 0b111);
        assert_eq!(get(&b, 12, 20), 0xf_ffff);
        set(&mut b, 3, 9, 0x1a5);
        assert_eq!(get(&b, 3, 9), 0x1a5);
        assert_eq!(get_signed(&b, 3, 9), 0x1a5 - 0x200);
    }

    #[test]
    fn the_allocation_order_of_the_target() {
        let mut b = [0u8; 2];
        set(&mut b, 0, 4, 0x9);
        if cfg!(target_endian = "little") {
            assert_eq!(b, [0x09, 0]);
        } else {
            assert_eq!(b, [0x90, 0]);
        }
    }
}
