//! The kinds of file descriptor a spec's ioctls are called on (`fds:`), and each ioctl's
//! `fd` and `gives` resolved to them (E0405).

use std::collections::{HashMap, HashSet};

use super::Resolver;
use crate::diag::Code;
use crate::spec;

/// Rust type names end in this; a kind named `vm` is `VmFd`.
const SUFFIX: &str = "Fd";

impl Resolver<'_> {
    /// The spec's `fds`, checked: lowercase identifiers, each once. (name, Rust type, doc).
    pub(super) fn fd_kinds(&mut self) -> Vec<(String, String, Option<String>)> {
        let mut out: Vec<(String, String, Option<String>)> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for k in &self.spec.fds {
            let ok = k.name.len() <= 64
                && k.name.starts_with(|c: char| c.is_ascii_lowercase())
                && k.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                self.diags
                    .error(
                        Code::IoctlFd,
                        k.name.span,
                        format!("the fd kind `{}` is not a lowercase identifier", *k.name),
                    )
                    .hint = Some("name it like `vm` or `vcpu`: lowercase letters, digits and `_`, a letter first".into());
                continue;
            }
            if !seen.insert(k.name.as_str()) {
                self.diags
                    .error(
                        Code::IoctlFd,
                        k.name.span,
                        format!("the fd kind `{}` is listed twice", *k.name),
                    )
                    .hint = Some("list each kind of fd once".into());
                continue;
            }
            let rust = format!(
                "{}{SUFFIX}",
                heck::ToUpperCamelCase::to_upper_camel_case(k.name.as_str())
            );
            out.push((k.name.value.clone(), rust, super::doc(&k.doc)));
        }
        out
    }

    /// Each kind's index by name (the first of a name), for [`Resolver::ioctl_fds`] and
    /// [`Resolver::ioctl_gives`]: one map for all ioctls, so that many kinds and many
    /// ioctls stay linear.
    pub(super) fn fd_map(&self) -> HashMap<String, usize> {
        let mut map = HashMap::new();
        for (i, k) in self.spec.fds.iter().enumerate() {
            map.entry(k.name.value.clone()).or_insert(i);
        }
        map
    }

    fn fd_index(
        &mut self,
        kinds: &HashMap<String, usize>,
        name: &spec::Sp<String>,
        key: &str,
    ) -> Option<usize> {
        let found = kinds.get(name.as_str()).copied();
        if found.is_none() {
            // A few of the spec's kinds as the hint (a hostile spec may list thousands).
            let known: Vec<String> = self
                .spec
                .fds
                .iter()
                .take(8)
                .map(|k| format!("`{}`", *k.name))
                .collect();
            let more = if self.spec.fds.len() > known.len() {
                ", ..."
            } else {
                ""
            };
            self.diags
                .error(
                    Code::IoctlFd,
                    name.span,
                    format!("`{key}: {}` names no kind of the spec's `fds`", **name),
                )
                .hint = Some(if known.is_empty() {
                "list the kinds of fd under `fds:` at the top of the spec".to_owned()
            } else {
                format!("the spec's kinds are {}{more}", known.join(", "))
            });
        }
        found
    }

    /// An ioctl's `fd`: the kinds it is called on.
    pub(super) fn ioctl_fds(
        &mut self,
        kinds: &HashMap<String, usize>,
        io: &spec::Ioctl,
    ) -> Vec<usize> {
        let Some(list) = &io.fd else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for n in list.iter() {
            if let Some(i) = self.fd_index(kinds, n, "fd")
                && !out.contains(&i)
            {
                out.push(i);
            }
        }
        out
    }

    /// An ioctl's `gives`: the kind of the fd it returns (`returns: fd` only).
    pub(super) fn ioctl_gives(
        &mut self,
        kinds: &HashMap<String, usize>,
        io: &spec::Ioctl,
    ) -> Option<usize> {
        let g = io.gives.as_ref()?;
        let returns_fd = io
            .returns
            .as_ref()
            .is_some_and(|r| r.value == spec::Returns::Fd);
        if !returns_fd {
            self.diags
                .error(
                    Code::IoctlFd,
                    g.span,
                    format!("`gives: {}` on `{}`, which returns no fd", **g, *io.name),
                )
                .hint =
                Some("`gives` names the kind of the fd an ioctl with `returns: fd` makes".into());
            return None;
        }
        self.fd_index(kinds, g, "gives")
    }
}
