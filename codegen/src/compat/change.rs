//! One classified difference, and how a type is named in messages.

use crate::ir::{Module, Ty, kind_word};
use crate::spec::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Breaking,
    Compatible,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Compatible => "compatible",
        }
    }
}

/// One difference.
#[derive(Clone, Debug)]
pub struct Change {
    pub class: Class,
    /// A stable kind, e.g. `field-moved`, `struct-grew`, `flag-added`.
    pub kind: &'static str,
    pub message: String,
    pub old: Option<Span>,
    pub new: Option<Span>,
}

impl Change {
    pub(super) fn new(
        class: Class,
        kind: &'static str,
        message: String,
        old: Option<Span>,
        new: Option<Span>,
    ) -> Change {
        Change {
            class,
            kind,
            message,
            old,
            new,
        }
    }
}

pub(super) fn describe(m: &Module, ty: &Ty) -> String {
    match ty {
        Ty::Named(id) if m.types[*id].parent.is_some() => kind_word(m.types[*id].kind).to_owned(),
        _ => crate::emit::c::c_type_name(m, ty),
    }
}
