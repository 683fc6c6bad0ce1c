//! C types as clang prints them (`__u32`, `unsigned long`, `struct x`, `char[16]`,
//! `void *`) written as the spec's type syntax, or why the format cannot say them.

/// Types the spec takes under their C name.
const SCALARS: &[&str] = &[
    "__u8",
    "__u16",
    "__u32",
    "__u64",
    "__s8",
    "__s16",
    "__s32",
    "__s64",
    "__aligned_u64",
    "__aligned_s64",
    "__le16",
    "__le32",
    "__le64",
    "__be16",
    "__be32",
    "__be64",
    "__sum16",
    "__wsum",
    "__poll_t",
    "char",
    "signed char",
    "unsigned char",
    "short",
    "unsigned short",
    "int",
    "unsigned int",
    "long",
    "unsigned long",
    "long long",
    "unsigned long long",
    "__int128",
    "unsigned __int128",
    "__int128_t",
    "__uint128_t",
    "void",
];

/// The integer type a macro's body spells (`int`, `unsigned long`, `__u8`, `uint32_t`,
/// `__kernel_pid_t`), as the spec writes it: such a macro (`#define lirc_t int`) stands for
/// a type.
pub fn integer_type(body: &str) -> Option<String> {
    let t = normalize(body);
    let c99 = [
        "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
        "size_t",
    ];
    let int = (SCALARS.contains(&t.as_str()) && t != "void")
        || c99.contains(&t.as_str())
        || (t.starts_with("__kernel_") && is_ident(&t));
    int.then_some(t)
}

/// The spec type of the C type `t`; `typedefs` are the header's own typedef names.
pub fn spec_type(t: &str, typedefs: &[String]) -> Result<String, String> {
    let t = normalize(t);
    if let Some(pointee) = t.strip_suffix('*') {
        // `const T *`: the format says it as it is (a `const` pointee).
        if let Some(rest) = pointee.trim().strip_prefix("const ")
            && !rest.contains('*')
        {
            let inner = spec_type(rest.trim(), typedefs)?;
            return Ok(format!("const {inner} *"));
        }
        let inner = spec_type(pointee.trim(), typedefs)?;
        return Ok(format!("{inner} *"));
    }
    if let Some(open) = t.find('[') {
        let elem = spec_type(t[..open].trim(), typedefs)?;
        if elem == "void" {
            return Err(format!("`{t}` is an array of void"));
        }
        return Ok(format!("{elem}{}", &t[open..].replace(' ', "")));
    }
    // A `const` member (`const __u64 data;` of `<linux/sed-opal.h>`), or array of them.
    if let Some(rest) = t.strip_prefix("const ")
        && !rest.contains(['*', '('])
        && !rest.contains("const")
        && !rest.contains("volatile")
    {
        let inner = spec_type(rest.trim(), typedefs)?;
        return Ok(format!("const {inner}"));
    }
    if t.starts_with("const ") || t.starts_with("volatile ") || t.contains(" const") {
        return Err(format!(
            "`{t}` has a qualifier, which the format has no key for"
        ));
    }
    if t.contains('(') {
        return Err(format!("`{t}` is a function or an unnamed type"));
    }
    if let Some(tag) = t
        .strip_prefix("struct ")
        .or_else(|| t.strip_prefix("union "))
    {
        return if is_ident(tag) {
            Ok(t.clone())
        } else {
            Err(format!("`{t}` is not a named struct or union"))
        };
    }
    // A named enum: the spec's `enum NAME`, which has the integer type Linux's compilers
    // give it (the spec refuses one whose values need more than 32 bits).
    if let Some(tag) = t.strip_prefix("enum ") {
        return if is_ident(tag) {
            Ok(t.clone())
        } else {
            Err(format!("`{t}` is not a named enum"))
        };
    }
    if SCALARS.contains(&t.as_str()) || t.starts_with("__kernel_") || typedefs.contains(&t) {
        return Ok(t);
    }
    // A typedef of another header (`__virtio16` of <linux/virtio_types.h>): the name as it
    // is; the spec compiles where a used spec defines it, and is refused (left out with
    // the compiler's reason) where none does.
    if is_ident(&t) && !matches!(t.as_str(), "_Bool" | "bool" | "float" | "double") {
        return Ok(t);
    }
    if t == "_Bool" || t == "bool" || t == "float" || t == "double" {
        return Err(format!("`{t}` is not an integer type"));
    }
    Err(format!("`{t}` is a type the format does not know"))
}

/// One space between words, none before `[` or around `*`'s inside.
fn normalize(t: &str) -> String {
    let words: Vec<&str> = t.split_whitespace().collect();
    let s = words.join(" ");
    let s = match s.as_str() {
        "unsigned" => "unsigned int".to_owned(),
        "signed" | "signed int" => "int".to_owned(),
        "long int" | "signed long" | "signed long int" | "long signed int" => "long".to_owned(),
        "unsigned long int" | "long unsigned int" => "unsigned long".to_owned(),
        "long long int" | "signed long long" => "long long".to_owned(),
        "unsigned long long int" | "long long unsigned int" => "unsigned long long".to_owned(),
        "short int" | "signed short" => "short".to_owned(),
        "unsigned short int" | "short unsigned int" => "unsigned short".to_owned(),
        _ => s,
    };
    s.replace(" [", "[")
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}
