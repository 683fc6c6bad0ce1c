//! Names a header uses without including the header that defines them: `linux/atm_he.h`
//! numbers `HE_GET_REG` with `struct atmif_sioc` of `linux/atmdev.h`, `linux/raid/md_u.h`
//! its ioctls with `MD_MAJOR` of `linux/major.h`. The macro means something only where the
//! user included that header first; the kernel headers define each such name once, so the
//! draft uses the spec of the header that does (found by reading the headers' text), and a
//! note says so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::draft::{Item, Note};
use super::fold::AbiItems;

/// Most headers read to find definitions (a kernel tree has about a thousand).
const MAX_FILES: usize = 5000;

/// Where each macro, struct, union and enum tag is defined, by header name.
#[derive(Debug, Default)]
pub struct Index {
    defs: BTreeMap<String, BTreeSet<String>>,
}

impl Index {
    /// Read every header under the first of `includes` (the kernel headers of one ABI),
    /// and the `asm/` headers of the others (the only ones that differ between ABIs).
    pub fn new(includes: &[&Path]) -> Index {
        let mut index = Index::default();
        let mut files = 0;
        for (k, include) in includes.iter().enumerate() {
            let top = if k == 0 {
                include.to_path_buf()
            } else {
                include.join("asm")
            };
            index.read(include, top, &mut files);
        }
        index
    }

    fn read(&mut self, include: &Path, top: std::path::PathBuf, files: &mut usize) {
        let index = self;
        let mut stack = vec![top];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "h") && *files < MAX_FILES {
                    *files += 1;
                    let (Ok(rel), Ok(text)) =
                        (p.strip_prefix(include), std::fs::read_to_string(&p))
                    else {
                        continue;
                    };
                    let rel = completed_by(include, &rel.display().to_string());
                    for name in defined(&text) {
                        index.defs.entry(name).or_default().insert(rel.clone());
                    }
                }
            }
        }
    }

    /// The header that defines `name`: the only one, or among several the one whose folder
    /// comes first in `linux`, `asm`, others (`asm/param.h` includes `asm-generic/param.h`).
    fn header_of(&self, name: &str) -> Option<&str> {
        let list = self.defs.get(name)?;
        let rank = |h: &str| match h.split('/').next() {
            Some("linux") => 0,
            Some("asm") => 1,
            Some("asm-generic") => 3,
            _ => 2,
        };
        list.iter()
            .map(String::as_str)
            .min_by_key(|h| (rank(h), h.len()))
    }
}

/// The header a definition of `rel` belongs to: an `asm-generic/NAME.h` that
/// `asm/NAME.h` includes is read as part of it (see `fold::generic_part`), so its names are
/// that header's.
fn completed_by(include: &Path, rel: &str) -> String {
    if let Some(name) = rel.strip_prefix("asm-generic/")
        && std::fs::read_to_string(include.join("asm").join(name))
            .is_ok_and(|t| t.contains(&format!("<{rel}>")))
    {
        return format!("asm/{name}");
    }
    rel.to_owned()
}

/// The names a header's text defines: `#define NAME`, `struct NAME {`, `union NAME {`,
/// `enum NAME {` (tags under their bare name).
fn defined(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for l in text.lines() {
        let Some(rest) = l.trim_start().strip_prefix('#') else {
            continue;
        };
        if let Some(rest) = rest.trim_start().strip_prefix("define") {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && rest.starts_with(char::is_whitespace) {
                out.push(name);
            }
        }
    }
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '{'))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if !matches!(*w, "struct" | "union" | "enum") {
            continue;
        }
        let next = words.get(i + 1).copied().unwrap_or("");
        let after = words.get(i + 2).copied().unwrap_or("");
        let name = next.trim_end_matches('{');
        if (after.starts_with('{') || next.ends_with('{'))
            && !name.is_empty()
            && !crate::names::C_KEYWORDS.contains(&name)
            && !name.contains('{')
        {
            out.push(name.to_owned());
        }
    }
    out
}

/// For each header (index into `names`), the kernel headers that define names its items
/// use and that neither it nor what it includes (transitively) defines, with a note per
/// such header. `views` holds each ABI's reading of each header.
pub fn find(
    names: &[String],
    views: &[Vec<Option<Result<AbiItems, String>>>],
    index: &Index,
) -> Vec<Vec<(String, Note)>> {
    let read = |h: usize| {
        views.iter().filter_map(move |v| {
            v.get(h)
                .and_then(Option::as_ref)
                .and_then(|r| r.as_ref().ok())
        })
    };
    let own: Vec<BTreeSet<&str>> = (0..names.len())
        .map(|h| {
            read(h)
                .flat_map(|x| x.items.iter())
                .flat_map(|p| defines(&p.item))
                .collect()
        })
        .collect();
    let mut out = vec![Vec::new(); names.len()];
    for h in 0..names.len() {
        let mut visible: BTreeSet<&str> = own[h].clone();
        for x in super::deps::closure(h, names, views) {
            visible.extend(own[x].iter().copied());
        }
        let mut found: Vec<(String, Note)> = Vec::new();
        for p in read(h).flat_map(|x| x.items.iter()) {
            for n in p.item.names() {
                if visible.contains(n)
                    || n == p.item.name()
                    || crate::names::C_KEYWORDS.contains(&n)
                {
                    continue;
                }
                let Some(header) = index.header_of(n) else {
                    continue;
                };
                if header == names[h] || super::deps::modelled(header) {
                    continue;
                }
                if found.iter().any(|(f, _)| f == header) {
                    continue;
                }
                found.push((
                    header.to_owned(),
                    Note {
                        file: names[h].clone(),
                        line: p.line,
                        message: format!(
                            "`{n}`, which `{}` names, is defined in {header}, which {} does not include: the draft uses that header's spec",
                            p.item.name(),
                            names[h]
                        ),
                    },
                ));
            }
        }
        out[h] = found;
    }
    out
}

/// The names an item defines: its own, and an enum's enumerators.
fn defines(item: &Item) -> Vec<&str> {
    match item {
        Item::Enum(e) => e
            .values
            .iter()
            .map(|v| v.name.as_str())
            .chain(e.name.as_deref())
            .collect(),
        _ => vec![item.name()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_defines_and_tags() {
        let text = "#define A 1\n# define  B(x) x\nstruct s {\n};\nstruct t;\nunion u{ int x; };\nenum e\n{ E1 };\n/* define C */\n";
        let mut d = defined(text);
        d.sort();
        assert_eq!(d, ["A", "B", "e", "s", "u"]);
    }
}
