//! Input shapes that a size grows, by name: the hostile tests check that their work grows
//! linearly (counted), the benchmarks show their time and memory at two sizes. Shared by
//! `codegen/tests/hostile.rs` and the benchmark driver (`bench/driver`, by path).

use std::fmt::Write as _;

/// The head of every shape's spec.
pub const HEAD: &str = "name: hostile\nheader: linux/hostile.h\n";

/// The shapes, for the benchmark's table: each with a size at which its `generate` takes a
/// measurable time.
pub const SHAPES: &[(&str, usize)] = &[
    ("ioctls", 2000),
    ("ioctls_twice", 2000),
    ("union_payload", 250),
    ("trailing_payload", 500),
    ("macros", 1000),
    ("macro_params", 2000),
    ("includes", 2000),
    ("fd_kinds", 500),
    ("struct_chain_forward", 500),
    ("struct_chain_backward", 500),
    ("flag_sets", 250),
    ("constant_chain", 2000),
];

/// The spec of shape `name` at size `n`; `None` for a name that is no shape.
pub fn shape(name: &str, n: usize) -> Option<String> {
    let mut text = String::from(HEAD);
    match name {
        // Every ioctl with a number of its own.
        "ioctls" => {
            text.push_str("ioctls:\n");
            for i in 0..n {
                let _ = writeln!(
                    text,
                    "  - {{ name: IO_{i}, dir: none, type: {}, nr: {} }}",
                    i / 256,
                    i % 256
                );
            }
        }
        // The second half repeats the numbers of the first: a finding (L0107) for each ioctl
        // there, naming the ioctl of the first half with its number.
        "ioctls_twice" => {
            text.push_str("ioctls:\n");
            let half = n.div_ceil(2);
            for i in 0..n {
                let k = i % half;
                let _ = writeln!(
                    text,
                    "  - {{ name: IO_{i}, dir: none, type: {}, nr: {} }}",
                    k / 256,
                    k % 256
                );
            }
        }
        // A union of `n` members and a payload selecting each of them by a tag of its own.
        "union_payload" => {
            text.push_str("structs:\n  - name: u\n    kind: union\n    fields:\n");
            let types = ["u8", "u32", "u64"];
            for i in 0..n {
                let _ = writeln!(text, "      - {{ name: m{i}, type: {} }}", types[i % 3]);
            }
            text.push_str(
                "  - name: s\n    extensible: { size-field: argsz, style: minsz }\n    fields:\n\
                 \x20     - { name: argsz, type: u32 }\n      - { name: op, type: u32 }\n\
                 \x20     - { name: data, type: union u }\n\
                 \x20   payload: { tag: op, data: data, variants: [",
            );
            for i in 0..n {
                let _ = write!(text, "{{ tag: {i}, member: m{i} }}, ");
            }
            text.push_str("] }\n");
        }
        // A trailing array of `n` variants (no data, u8, s32, u64 elements in turn), counted.
        "trailing_payload" => {
            text.push_str(
                "structs:\n  - name: s\n    extensible: { size-field: argsz, style: minsz }\n\
                 \x20   fields:\n      - { name: argsz, type: u32 }\n      - { name: op, type: u32 }\n\
                 \x20     - { name: count, type: u32 }\n      - { name: data, type: \"u8[]\" }\n\
                 \x20   payload:\n      tag: op\n      data: data\n      count: count\n\
                 \x20     variants:\n",
            );
            let types = ["", ", type: u8", ", type: s32", ", type: u64"];
            for i in 0..n {
                let _ = writeln!(text, "        - {{ tag: {i}{} }}", types[i % 4]);
            }
        }
        // `n` function-like macros, each over a constant and its parameter.
        "macros" => {
            text.push_str("constants:\n  - { name: H_C, value: 0xff }\nmacros:\n");
            for i in 0..n {
                let _ = writeln!(
                    text,
                    "  - {{ name: H_M{i}, params: [x], body: (x & H_C) + {i} }}"
                );
            }
        }
        // One macro of `n` parameters (the body uses two).
        "macro_params" => {
            text.push_str("macros:\n  - name: H_M\n    body: p0 * p1\n    params: [");
            for i in 0..n {
                let _ = write!(text, "p{i}, ");
            }
            text.push_str("]\n");
        }
        // `n` included headers, every second one listed again (an error each).
        "includes" => {
            text.push_str("includes:\n");
            for i in 0..n {
                let _ = writeln!(text, "  - linux/h{}.h", i / 2);
            }
        }
        // `n` kinds of fd and `n` ioctls on two kinds each, every second one giving a kind.
        "fd_kinds" => {
            text.push_str("fds:\n");
            for i in 0..n {
                let _ = writeln!(text, "  - {{ name: k{i} }}");
            }
            text.push_str("ioctls:\n");
            for i in 0..n {
                let gives = if i % 2 == 0 {
                    format!(", returns: fd, gives: k{}", (i + 7) % n)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    text,
                    "  - {{ name: IO_{i}, fd: [k{i}, k{}], dir: none, type: {}, nr: {}{gives} }}",
                    (i + 1) % n,
                    i / 256,
                    i % 256
                );
            }
        }
        // Each struct embeds the next; the last is plain.
        "struct_chain_forward" => {
            text.push_str("structs:\n");
            for i in 0..n.saturating_sub(1) {
                let _ = writeln!(
                    text,
                    "  - {{ name: s{i}, fields: [{{ name: a, type: u8 }}, {{ name: next, type: struct s{} }}] }}",
                    i + 1
                );
            }
            let _ = writeln!(
                text,
                "  - {{ name: s{}, fields: [{{ name: a, type: u8 }}] }}",
                n.saturating_sub(1)
            );
        }
        // Each struct embeds the one before it.
        "struct_chain_backward" => {
            text.push_str("structs:\n  - { name: s0, fields: [{ name: a, type: u8 }] }\n");
            for i in 1..n {
                let _ = writeln!(
                    text,
                    "  - {{ name: s{i}, fields: [{{ name: a, type: u8 }}, {{ name: prev, type: struct s{} }}] }}",
                    i - 1
                );
            }
        }
        // `n` flag sets of eight flags each, and a struct with a member of each set.
        "flag_sets" => {
            text.push_str("flags:\n");
            for i in 0..n {
                let _ = writeln!(text, "  - name: f{i}\n    bits:");
                for b in 0..8 {
                    let _ = writeln!(text, "      - {{ name: F{i}_B{b}, bit: {b} }}");
                }
            }
            text.push_str("structs:\n  - name: s\n    fields:\n");
            for i in 0..n {
                let _ = writeln!(text, "      - {{ name: m{i}, type: u32, flags: f{i} }}");
            }
        }
        // `n` constants, each the one before it plus one.
        "constant_chain" => {
            text.push_str("constants:\n  - { name: C_0, value: 1 }\n");
            for i in 1..n {
                let _ = writeln!(text, "  - {{ name: C_{i}, value: \"C_{} + 1\" }}", i - 1);
            }
        }
        _ => return None,
    }
    Some(text)
}
