//! The layout pass: size, alignment, every field offset, holes and tail padding of every
//! type, and every ioctl number, computed from our ABI model for one ABI.

use crate::abi::Abi;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{Module, Number, Ty, TypeId};
use crate::spec::Kind;

/// Bytes the compiler inserts: between fields, or at the end (tail padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hole {
    pub offset: u64,
    pub size: u64,
    /// Index of the field the hole precedes; `None` for tail padding.
    pub before: Option<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypeLayout {
    pub size: u64,
    pub align: u64,
    /// Offset of each field, by index (of a bit-field: the byte that holds its first bit).
    pub offsets: Vec<u64>,
    /// Of each bit-field, the position of its first bit from the start of the type, in the
    /// compiler's allocation order (from the least significant bit of each byte on
    /// little-endian ABIs, from the most significant on big-endian ones); `None` otherwise.
    pub bits: Vec<Option<u64>>,
    pub holes: Vec<Hole>,
}

/// One module laid out for one ABI.
#[derive(Clone, Debug)]
pub struct Layout {
    pub abi: &'static Abi,
    pub types: Vec<TypeLayout>,
    /// The number of each ioctl, by index.
    pub ioctls: Vec<u32>,
}

/// Types larger than this are rejected (C compilers and the ioctl encodings stop far below).
const MAX_SIZE: u64 = 1 << 32;

struct Ctx<'a> {
    m: &'a Module,
    abi: &'static Abi,
    done: Vec<Option<TypeLayout>>,
    busy: Vec<bool>,
    diags: Diagnostics,
}

pub fn layout(m: &Module, abi: &'static Abi) -> Result<Layout, Diagnostics> {
    let mut c = Ctx {
        m,
        abi,
        done: vec![None; m.types.len()],
        busy: vec![false; m.types.len()],
        diags: Diagnostics::default(),
    };
    // Declaration order first: every named type a struct embeds is laid out before it, so
    // a long chain of embedded structs does not recurse once per link.
    for &id in m
        .order
        .iter()
        .chain(&(0..m.types.len()).collect::<Vec<_>>())
    {
        c.type_layout(id);
    }
    let types: Vec<TypeLayout> = c
        .done
        .iter()
        .map(|t| t.clone().unwrap_or_default())
        .collect();
    let mut ioctls = Vec::new();
    for io in &m.ioctls {
        let size = io.encoded_size(|t| c.size_align(t).0);
        ioctls.push(match &io.number {
            Number::Io { ty, nr } | Number::Ioc { ty, nr, .. } => abi.ioctl.encode(
                io.dir,
                (ty.value & 0xff) as u32,
                (nr.value & 0xff) as u32,
                size & abi.ioctl.max_size(),
            ),
            Number::Literal(v) => (v.value & 0xffff_ffff) as u32,
        });
    }
    c.diags.attach(&m.file);
    c.diags.finish(Layout { abi, types, ioctls })
}

impl Ctx<'_> {
    fn size_align(&mut self, ty: &Ty) -> (u64, u64) {
        let abi = self.abi;
        match ty {
            Ty::Scalar(s) => s.size_align(abi),
            Ty::Ptr(_) => (abi.pointer, abi.scalar_align(abi.pointer)),
            // Only ever pointed at; C's `sizeof(void)` is 1 as a GNU extension.
            Ty::Void => (1, 1),
            Ty::Const(t) => self.size_align(t),
            Ty::Array(e, n, _) => {
                let (s, a) = self.size_align(e);
                (s.saturating_mul(*n), a)
            }
            Ty::Flex(e) => (0, self.size_align(e).1),
            Ty::Named(id) => {
                let l = self.type_layout(*id);
                (l.size, l.align)
            }
        }
    }

    fn type_layout(&mut self, id: TypeId) -> TypeLayout {
        if let Some(l) = &self.done[id] {
            return l.clone();
        }
        if self.busy[id] {
            // A cycle; the resolver has reported it.
            return TypeLayout {
                size: 0,
                align: 1,
                ..TypeLayout::default()
            };
        }
        self.busy[id] = true;
        let t = &self.m.types[id];
        let mut offsets = Vec::with_capacity(t.fields.len());
        let mut bits = Vec::with_capacity(t.fields.len());
        let mut holes = Vec::new();
        // After a bit-field: where the next member may start, in bits (bit-fields end
        // inside bytes). Otherwise `end`, in bytes, says it (it saturates at 2^64 - 1).
        let mut bits_end: Option<u64> = None;
        let mut end = 0u64;
        let mut size = 0u64;
        let mut align = 1u64;
        let (packed, aligned) = (t.packed, t.aligned);
        for (i, f) in t.fields.iter().enumerate() {
            let (fs, fa) = self.size_align(&f.ty);
            // A packed type places every member at alignment 1, and `packed` on a member
            // that member; `aligned(N)` on a member raises its own.
            let fa = if packed || f.packed {
                1
            } else {
                fa.max(f.aligned.unwrap_or(1))
            };
            if let (Some(w), Kind::Struct) = (f.bits, t.kind) {
                // GCC's placement (PCC_BITFIELD_TYPE_MATTERS, every Linux ABI): a bit-field
                // goes right after the bits before it unless it would span more units of
                // its type's alignment than the type itself has; then it starts at the next
                // such unit. Its type's alignment counts for the struct's.
                // On m68k the type counts for neither: the bits follow each other.
                let w = u64::from(w);
                let bit_end = bits_end.unwrap_or_else(|| end.saturating_mul(8));
                let matters = self.abi.bitfield_type_matters();
                if matters {
                    align = align.max(fa);
                }
                let (unit, ua) = (fs.saturating_mul(8), fa.saturating_mul(8).max(8));
                let spans = (bit_end % ua + w).div_ceil(ua);
                let pos = if matters && spans > unit / ua {
                    bit_end.checked_next_multiple_of(ua).unwrap_or(u64::MAX)
                } else {
                    bit_end
                };
                let after = bit_end.div_ceil(8);
                if pos / 8 > after {
                    holes.push(Hole {
                        offset: after,
                        size: pos / 8 - after,
                        before: Some(i),
                    });
                }
                // A bit-field as wide as an integer mode, on a boundary of that mode's
                // alignment, becomes a plain field of that mode (GCC's layout_decl): on m68k
                // its 2-byte alignment then counts for the struct
                // (`struct { unsigned a:16; char b; }` is 4 bytes, 2-aligned there).
                if !matters && let Some(ma) = self.abi.bitfield_mode_align(pos, w) {
                    align = align.max(ma);
                }
                offsets.push(pos / 8);
                bits.push(Some(pos));
                let after = pos.saturating_add(w);
                bits_end = Some(after);
                end = after.div_ceil(8);
                continue;
            }
            align = align.max(fa);
            bits.push(None);
            match t.kind {
                Kind::Struct => {
                    if let Some(b) = bits_end.take() {
                        end = b.div_ceil(8);
                    }
                    let off = end.checked_next_multiple_of(fa).unwrap_or(u64::MAX);
                    if off > end {
                        holes.push(Hole {
                            offset: end,
                            size: off - end,
                            before: Some(i),
                        });
                    }
                    offsets.push(off);
                    end = off.saturating_add(fs);
                }
                Kind::Union => {
                    offsets.push(0);
                    end = end.max(fs);
                }
            }
        }
        // `aligned(N)` raises the alignment (it never lowers it without `packed`).
        align = align.max(aligned.unwrap_or(1));
        size = size
            .max(end)
            .checked_next_multiple_of(align)
            .unwrap_or(u64::MAX);
        if size > end && t.kind == Kind::Struct {
            holes.push(Hole {
                offset: end,
                size: size - end,
                before: None,
            });
        }
        if size > MAX_SIZE {
            self.diags.push(
                Diagnostic::new(
                    Code::TypeTooLarge,
                    t.span,
                    if size == u64::MAX {
                        format!(
                            "{} is more than 2^64 bytes on {}",
                            t.display_name(self.m),
                            self.abi.name
                        )
                    } else {
                        format!(
                            "{} is {size} bytes on {}, more than 4 GiB",
                            t.display_name(self.m),
                            self.abi.name
                        )
                    },
                )
                .hint("check the array lengths"),
            );
        }
        let l = TypeLayout {
            size,
            align,
            offsets,
            bits,
            holes,
        };
        self.busy[id] = false;
        self.done[id] = Some(l.clone());
        l
    }
}

/// Size of a type on the ABI of `l`.
pub fn type_size(l: &Layout, ty: &Ty) -> u64 {
    match ty {
        Ty::Scalar(s) => s.size_align(l.abi).0,
        Ty::Ptr(_) => l.abi.pointer,
        Ty::Void => 1,
        Ty::Const(t) => type_size(l, t),
        Ty::Named(id) => l.types[*id].size,
        Ty::Array(e, n, _) => type_size(l, e).saturating_mul(*n),
        Ty::Flex(_) => 0,
    }
}

/// Alignment of a type on the ABI of `l` (of its elements, for an array).
pub fn type_align(l: &Layout, ty: &Ty) -> u64 {
    match ty {
        Ty::Scalar(s) => s.size_align(l.abi).1,
        Ty::Ptr(_) => l.abi.scalar_align(l.abi.pointer),
        Ty::Void => 1,
        Ty::Const(t) => type_align(l, t),
        Ty::Named(id) => l.types[*id].align,
        Ty::Array(e, ..) | Ty::Flex(e) => type_align(l, e),
    }
}

/// One offset the C compiler can check: `offsetof(struct T, path)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    /// `region_index`, `range.min`: members of anonymous members appear directly.
    pub path: String,
    pub offset: u64,
}

/// Every named field reachable from type `id`, with its offset from the start of `id`; not
/// bit-fields, which `offsetof` cannot name.
pub fn field_paths(m: &Module, l: &Layout, id: TypeId) -> Vec<FieldPath> {
    let mut out = Vec::new();
    walk(m, l, id, "", 0, &mut out);
    out
}

fn walk(m: &Module, l: &Layout, id: TypeId, prefix: &str, base: u64, out: &mut Vec<FieldPath>) {
    let t = &m.types[id];
    for (i, f) in t.fields.iter().enumerate() {
        if f.bits.is_some() {
            continue;
        }
        let off = base + l.types[id].offsets.get(i).copied().unwrap_or(0);
        let path = match &f.c_name {
            Some(n) => {
                let p = format!("{prefix}{n}");
                out.push(FieldPath {
                    path: p.clone(),
                    offset: off,
                });
                Some(p)
            }
            None => None,
        };
        if let Ty::Named(inner) = f.ty
            && m.types[inner].parent.is_some()
        {
            let pre = path.map_or_else(|| prefix.to_owned(), |p| format!("{p}."));
            walk(m, l, inner, &pre, off, out);
        }
    }
}
