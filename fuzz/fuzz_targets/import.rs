//! The importer's own parsing of clang's output: the `-E -dD` text (line markers, macro
//! definitions) and the JSON AST (order-keeping tree, location tracking, records, enums,
//! typedefs), then every macro through the classification into spec items. The input is
//! split at the first NUL byte: preprocessed text before it, JSON after. Errors are fine;
//! panics and hangs are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (pre, ast) = text.split_once('\0').unwrap_or((&text, ""));
    let _ = uapigen::import::read_clang_output(pre, ast);
});
