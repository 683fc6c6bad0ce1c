//! From the spec AST to the IR: names checked and linked, expressions evaluated and typed,
//! type strings parsed, Rust names derived. Every problem is collected, none stops the pass.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::abi::AbiSet;
use crate::diag::{Code, Diagnostics, SourceFile};
use crate::expr::{CValue, Expr};
use crate::ir::*;
use crate::names::{self, RustCase};
use crate::spec::{self, Kind, Sp, Span};

mod arch;
mod attrs;
mod c_names;
mod enum_types;
mod fds;
mod imports;
mod ioctls;
mod macros;
mod payload;
mod rules;
mod since;
mod typedefs;
mod types;
mod values;

/// Something an expression can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Def {
    Const(usize),
    Group(usize, usize),
    Flag(usize, usize),
    Enum(usize, usize),
    /// A value of a used spec, numbered in the order they were registered.
    Import(usize),
}

#[derive(Clone, Copy, Debug)]
enum State {
    Busy,
    /// C's value and type of the name where an expression uses it.
    Done(CValue),
    Failed,
}

/// Where an expression's text is in the spec file, to point at a part of it.
#[derive(Clone, Copy, Debug)]
struct Origin {
    /// The whole item: where an error is reported when no position in the text is known.
    span: Span,
    /// File offset and column of the first character of the text, when the text is in the
    /// file as written on one line (a plain scalar, or a quoted one without escapes).
    base: Option<(usize, u32)>,
}

impl Origin {
    fn whole(span: Span) -> Self {
        Origin { span, base: None }
    }
}

/// Deepest chain of constants referring to constants. Real headers nest a few levels; each
/// level is a handful of recursive frames (about 10 KiB in a debug build), so 100 levels
/// stay well inside a 2 MiB thread stack (a test thread's), with room for the caller.
const MAX_REF_DEPTH: usize = 100;
/// The longest name or path a spec may use: longer ones are no use as C macros, Rust items,
/// header guards or file names, and quoting them back in errors would flood the terminal.
const MAX_NAME_LEN: usize = 255;
/// Pointer levels and array dimensions one type may have (uapi types use at most a few).
const MAX_TYPE_LEVELS: usize = 8;
/// "Did you mean" hints computed per run; later unknown names get the generic hint, so
/// thousands of typos stay linear.
const MAX_SUGGESTIONS: usize = 100;

struct Resolver<'a> {
    spec: &'a spec::Spec,
    /// Specs this one uses, already resolved.
    imports: &'a [Module],
    /// Values of used specs registered so far (the next [`Def::Import`] number).
    import_count: usize,
    /// The spec's text, to place errors inside expressions.
    file: Arc<SourceFile>,
    /// Where the expression of each value is written.
    origins: HashMap<Def, Origin>,
    /// Enumerators named in expressions: where, the enum, the name. C types them as `int`
    /// only when all values of their enum fit in `int` (checked once the enums are known).
    enum_uses: Vec<(Span, usize, String)>,
    /// Names of used specs whose C type an expression cannot rely on (enumerators of enums
    /// wider than `int`).
    untyped: std::collections::HashSet<Def>,
    /// Names and values of used specs, for [`Module::imported`].
    imported: Vec<(String, CValue)>,
    diags: Diagnostics,
    prefix: Option<String>,
    values: HashMap<String, (Def, Span)>,
    exprs: HashMap<Def, Option<Expr>>,
    /// Flags written as `bit:`; their expression is the bit position.
    bit_defs: std::collections::HashSet<Def>,
    state: HashMap<Def, State>,
    depth: usize,
    /// "Did you mean" hints computed so far (see [`MAX_SUGGESTIONS`]).
    suggestions: usize,
    /// Named types by C name: one per architecture set where a spec declares a type once
    /// per architecture.
    type_ids: HashMap<String, Vec<TypeId>>,
    /// The ABIs of the spec (its `arch`).
    abis: AbiSet,
    /// The ABIs of the item being resolved: what it refers to must exist on all of them.
    ctx: AbiSet,
    /// The ABIs of each value, for references from expressions.
    def_abis: HashMap<Def, AbiSet>,
    /// Constants declared once per architecture: every declaration of the name.
    arch_values: HashMap<String, Vec<Def>>,
    /// While an ioctl's `arg` is resolved: the types of the name when it differs by
    /// architecture, so that the ioctl is made once per type.
    split: Option<Vec<TypeId>>,
    /// The ABIs of each constant, group, flag set, enum and ioctl of the spec, by index.
    const_abis: Vec<AbiSet>,
    group_abis: Vec<AbiSet>,
    flag_abis: Vec<AbiSet>,
    enum_abis: Vec<AbiSet>,
    ioctl_abis: Vec<AbiSet>,
    flag_ids: HashMap<String, usize>,
    group_ids: HashMap<String, usize>,
    /// The spec's ioctl macros, resolved before the ioctls that name them.
    ioctl_macros: Vec<IoctlMacro>,
    /// The spec's typedefs, by C name, resolved before the types that use them.
    typedefs: Vec<Typedef>,
    typedef_ids: HashMap<String, usize>,
    /// The typedef the last type string named (read by a member after parsing its type).
    last_typedef: Option<usize>,
    /// The enum the last type parsed names (`enum NAME`), as `last_typedef`.
    last_enum: Option<String>,
    types: Vec<TypeDef>,
    /// Flag set -> type of the first field it is attached to.
    flag_field_ty: HashMap<usize, IntTy>,
}

/// Resolve a spec that uses other (already resolved) specs.
pub fn resolve_with(
    spec: &spec::Spec,
    file: Arc<SourceFile>,
    imports: &[Module],
) -> Result<Module, Diagnostics> {
    let mut r = Resolver {
        spec,
        imports,
        import_count: 0,
        file: file.clone(),
        origins: HashMap::new(),
        enum_uses: Vec::new(),
        untyped: Default::default(),
        imported: Vec::new(),
        diags: Diagnostics::default(),
        prefix: spec.prefix.as_ref().map(|p| p.value.clone()),
        values: HashMap::new(),
        exprs: HashMap::new(),
        bit_defs: Default::default(),
        state: HashMap::new(),
        depth: 0,
        suggestions: 0,
        type_ids: HashMap::new(),
        abis: AbiSet::ALL,
        ctx: AbiSet::ALL,
        def_abis: HashMap::new(),
        arch_values: HashMap::new(),
        split: None,
        const_abis: Vec::new(),
        group_abis: Vec::new(),
        flag_abis: Vec::new(),
        enum_abis: Vec::new(),
        ioctl_abis: Vec::new(),
        flag_ids: HashMap::new(),
        group_ids: HashMap::new(),
        ioctl_macros: Vec::new(),
        typedefs: Vec::new(),
        typedef_ids: HashMap::new(),
        last_typedef: None,
        last_enum: None,
        types: Vec::new(),
        flag_field_ty: HashMap::new(),
    };
    let module = r.run(file.clone());
    r.diags.attach(&file);
    r.diags.finish(module)
}

/// A header path as C includes it and as a file below the output folder: relative, `/`
/// between parts, each part of letters, digits, `_`, `-` and `.`, not starting with `-` or
/// `.` (no `..`, no hidden files, nothing a shell or a compiler takes for an option), and a
/// file name with a stem before `.h`.
fn header_path_ok(h: &str) -> bool {
    let part_ok = |p: &str| {
        !p.is_empty()
            && !p.starts_with(['-', '.'])
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    h.strip_suffix(".h")
        .is_some_and(|stem| !stem.ends_with('/') && !stem.ends_with('.'))
        && h.split('/').all(part_ok)
}

/// A doc as the outputs carry it: trimmed; `\r\n` and a lone `\r` are line ends (a bare
/// CR cannot stand in a Rust doc comment); characters that change the direction of text
/// (bidi controls: rustc rejects them in docs, gcc warns) are written as `<U+202E>`.
fn doc(d: &Option<String>) -> Option<String> {
    let d = d.as_ref()?;
    let mut out = String::with_capacity(d.len());
    let mut chars = d.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            c => out.push(c),
        }
    }
    Some(out.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Resolver<'_> {
    /// `license`, when it is an SPDX license expression: identifiers (`MIT`, `Apache-2.0`,
    /// `GPL-2.0+`, `LicenseRef-x`), `AND`, `OR`, `WITH` and parentheses.
    fn license(&mut self, l: &Option<Sp<String>>) -> Option<String> {
        let l = l.as_ref()?;
        let text = l.value.trim();
        let spaced = text.replace('(', " ( ").replace(')', " ) ");
        let words: Vec<&str> = spaced.split_whitespace().collect();
        let id = |w: &str| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
        };
        let mut depth = 0i32;
        let mut want_id = true;
        let mut ok = !words.is_empty() && text.len() <= 200;
        for w in &words {
            match *w {
                "(" if want_id => depth += 1,
                ")" if !want_id => depth -= 1,
                "AND" | "OR" | "WITH" if !want_id => want_id = true,
                w if want_id && id(w) && !matches!(w, "AND" | "OR" | "WITH") => want_id = false,
                _ => ok = false,
            }
            if depth < 0 {
                ok = false;
            }
        }
        if ok && depth == 0 && !want_id {
            return Some(text.to_owned());
        }
        self.diags
            .error(
                Code::License,
                l.span,
                format!(
                    "`license: {}` is not an SPDX license expression",
                    text.chars().take(60).collect::<String>()
                ),
            )
            .hint = Some("SPDX identifiers joined by AND, OR or WITH: `MIT OR Apache-2.0`, `GPL-2.0 WITH Linux-syscall-note`".into());
        None
    }

    fn run(&mut self, file: Arc<SourceFile>) -> Module {
        let spec = self.spec;
        if self.check_ident(&spec.name, "module name") {
            // A keyword (`loop`) is accepted: Rust names the module `r#loop`.
            let why = if names::is_rust_keyword(&spec.name)
                && matches!(spec.name.as_str(), "self" | "super" | "crate" | "Self")
            {
                Some(format!(
                    "`{}` is a Rust keyword that no module can have",
                    *spec.name
                ))
            } else if spec.name.contains(|c: char| c.is_ascii_uppercase()) {
                Some("Rust module names are lower_snake_case".to_owned())
            } else if matches!(spec.name.as_str(), "lib" | "layout_probe") {
                // `src/lib.rs` is the crate root; `layout_probe` holds the probe tables.
                Some(format!(
                    "`{}` is a file of the generated crate itself",
                    *spec.name
                ))
            } else {
                None
            };
            if let Some(why) = why {
                self.diags
                    .error(
                        Code::BadIdentifier,
                        spec.name.span,
                        format!(
                            "module name `{}` is not a usable Rust module name: {why}",
                            *spec.name
                        ),
                    )
                    .hint = Some(format!(
                    "use another lower_snake_case name, e.g. `{}_uapi`",
                    spec.name.to_ascii_lowercase()
                ));
            }
        }
        if spec.header.len() > MAX_NAME_LEN {
            self.diags
                .error(
                    Code::BadIdentifier,
                    spec.header.span,
                    format!("header path is {} characters long", spec.header.len()),
                )
                .hint = Some(format!(
                "keep the header path under {MAX_NAME_LEN} characters, e.g. `linux/vfio.h`"
            ));
        } else if !header_path_ok(&spec.header) {
            self.diags
                .error(
                    Code::BadIdentifier,
                    spec.header.span,
                    format!("header path `{}` is not a relative `.h` path", *spec.header),
                )
                .hint = Some("write it the way C includes it, e.g. `linux/vfio.h`: folders and a file name of letters, digits, `_`, `-` and `.`, none starting with `-` or `.`".into());
        }
        let guard = match &spec.guard {
            Some(g) => {
                self.check_ident(g, "header guard");
                g.value.clone()
            }
            None => {
                let mut g = String::from("_");
                for c in spec.header.chars() {
                    g.push(if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    });
                }
                g
            }
        };
        if let Some(p) = &spec.prefix
            && (p.len() > MAX_NAME_LEN || !names::is_c_identifier(p))
        {
            self.diags
                .error(
                    Code::BadIdentifier,
                    p.span,
                    format!("prefix `{}` is not an identifier", **p),
                )
                .hint = Some(
                "the prefix is the start of C names that Rust names drop, e.g. `VFIO_`".into(),
            );
        }

        self.abis = self.arch_set(&spec.arch, "the spec");
        self.ctx = self.abis;
        self.check_uses();
        let includes = self.includes();
        self.register_values();
        self.register_imports();
        // Types first: a typedef may name a struct or union of the spec.
        self.register_types();
        self.register_typedefs();

        let constants = self.constants();
        let groups = self.groups();
        // Types before flag sets: a flag set takes the type of the field it is attached to.
        let named: Vec<TypeId> = (0..spec.structs.len()).collect();
        for (i, s) in spec.structs.iter().enumerate() {
            self.ctx = self.types[named[i]].abis;
            let fields = self.fields(
                named[i],
                &s.fields,
                s.kind.as_ref().map_or(Kind::Struct, |k| k.value),
                s.name.span,
            );
            self.types[named[i]].fields = fields;
        }
        self.ctx = self.abis;
        // Inline types are named after their parent and member; parents come first.
        for id in 0..self.types.len() {
            if let Some((p, f)) = self.types[id].parent {
                let member = self.types[p]
                    .fields
                    .get(f)
                    .map_or("", |f| f.rust_name.trim_start_matches("r#"));
                let member = heck::ToUpperCamelCase::to_upper_camel_case(member);
                self.types[id].rust_name = format!("{}{member}", self.types[p].rust_name);
            }
        }
        self.check_packed();
        let flag_sets = self.flag_sets();
        self.extensions(&flag_sets);
        self.check_packed_roles();
        let enums = self.enums();
        self.check_enum_uses(&enums);
        self.ioctl_macros = self.resolve_ioctl_macros();
        let ioctls = self.ioctls();
        let macros = self.macros();
        let order = self.order();

        let mut module = Module {
            file,
            name: spec.name.value.clone(),
            name_span: spec.name.span,
            header_span: spec.header.span,
            uses: self
                .imports
                .iter()
                .map(|m| (m.name.clone(), m.header.clone()))
                .collect(),
            crate_modules: self.crate_modules(),
            header: spec.header.value.clone(),
            includes,
            guard,
            license: self.license(&spec.license),
            abis: self.abis,
            source: doc(&spec.source),
            doc: doc(&spec.doc),
            constants,
            groups,
            flag_sets,
            enums,
            types: std::mem::take(&mut self.types),
            order,
            ioctls,
            fds: self.fd_kinds(),
            macros,
            ioctl_macros: std::mem::take(&mut self.ioctl_macros),
            typedefs: std::mem::take(&mut self.typedefs),
            imported: std::mem::take(&mut self.imported),
            not_ice: Default::default(),
            c_values: Default::default(),
            since: BTreeMap::new(),
        };
        module.c_values = module.index_c_values();
        module.not_ice = module.compute_not_ice();
        since::apply(spec, &mut module, &mut self.diags);
        self.check_rust_names(&mut module);
        module
    }

    fn check_ident(&mut self, name: &Sp<String>, what: &str) -> bool {
        if name.len() > MAX_NAME_LEN {
            self.diags
                .error(
                    Code::BadIdentifier,
                    name.span,
                    format!("{what} is {} characters long", name.len()),
                )
                .hint = Some(format!(
                "keep names under {MAX_NAME_LEN} characters; they become C macros, Rust items and file names"
            ));
            return false;
        }
        if names::is_c_identifier(name) && !names::C_KEYWORDS.contains(&name.as_str()) {
            return true;
        }
        self.diags
            .error(
                Code::BadIdentifier,
                name.span,
                format!("{what} `{}` is not a valid C identifier", **name),
            )
            .hint =
            Some("use letters, digits and `_`, not starting with a digit, and no C keyword".into());
        false
    }

    /// E0101: `what` (`` `NAME` `` with its kind, if any) at `span` is defined again; the
    /// first definition is at `first`.
    pub(super) fn defined_twice(&mut self, span: Span, what: String, first: Span) {
        self.diags
            .error(
                Code::DuplicateName,
                span,
                format!("{what} is defined twice"),
            )
            .hint = Some(format!(
            "the first definition is at line {}:{}",
            first.line, first.column
        ));
    }

    fn add_value(&mut self, name: &Sp<String>, def: Def, e: Option<&Sp<spec::ExprText>>) {
        self.check_ident(name, "name");
        let variant = match self.values.get(name.as_str()).copied() {
            Some((prev_def, prev)) if !self.arch_variant(name, prev_def, def) => {
                self.defined_twice(name.span, format!("`{}`", **name), prev);
                return;
            }
            Some(_) => true,
            None => false,
        };
        if !variant {
            self.check_not_imported(name, def);
            self.values.insert(name.value.clone(), (def, name.span));
        }
        let origin = match e {
            Some(e) => self.origin(e.span, &e.0),
            None => Origin::whole(name.span),
        };
        self.origins.insert(def, origin);
        let parsed = e.and_then(|e| self.parse_expr(e));
        self.exprs.insert(def, parsed);
    }
    /// Every Rust name the module defines must be one the emitters can print: an identifier
    /// (a raw one for a keyword), not `self`/`Self`/`super`/`crate`, not underscores only.
    /// A derived name can fail that (`___` gives `_`); a given `rust-name` was checked where
    /// it was read.
    fn check_usable_names(&mut self, m: &Module) {
        let mut names: Vec<(&str, String, Span, Ns, RustCase)> = Vec::new();
        for c in &m.constants {
            names.push((
                &c.rust_name,
                format!("constant `{}`", c.c_name),
                c.span,
                Ns::Value,
                RustCase::Upper,
            ));
        }
        for g in &m.groups {
            for v in &g.values {
                names.push((
                    &v.rust_name,
                    format!("value `{}`", v.c_name),
                    v.span,
                    Ns::Value,
                    RustCase::Upper,
                ));
            }
        }
        for e in &m.enums {
            for v in &e.values {
                names.push((
                    &v.rust_name,
                    format!("enumerator `{}`", v.c_name),
                    v.span,
                    Ns::Value,
                    RustCase::Upper,
                ));
            }
        }
        for io in &m.ioctls {
            names.push((
                &io.rust_name,
                format!("ioctl `{}`", io.c_name),
                io.span,
                Ns::Value,
                RustCase::Upper,
            ));
        }
        for x in &m.macros {
            // A function: snake_case, in the value namespace with the ioctl wrappers (their
            // clashes are checked in `check_rust_names`).
            names.push((
                &x.rust_name,
                format!("macro `{}`", x.c_name),
                x.span,
                Ns::Member,
                RustCase::Snake,
            ));
        }
        for f in &m.flag_sets {
            names.push((
                &f.rust_name,
                format!("flag set `{}`", f.c_name),
                f.span,
                Ns::Type,
                RustCase::Camel,
            ));
            for b in &f.bits {
                names.push((
                    &b.rust_name,
                    format!("flag `{}`", b.c_name),
                    b.span,
                    Ns::Member,
                    RustCase::Upper,
                ));
            }
        }
        for t in m.types.iter().filter(|t| t.origin.is_none()) {
            if t.c_name.is_some() {
                names.push((
                    &t.rust_name,
                    t.display_name_lite(),
                    t.span,
                    Ns::Type,
                    RustCase::Camel,
                ));
            }
            for f in &t.fields {
                if let Some(c) = &f.c_name {
                    names.push((
                        &f.rust_name,
                        format!("field `{c}`"),
                        f.span,
                        Ns::Member,
                        RustCase::Snake,
                    ));
                    // A union member's accessors are `set_<name>` and `from_<name>`.
                    if t.kind == Kind::Union && f.rust_name.starts_with('_') {
                        self.diags
                            .error(
                                Code::BadIdentifier,
                                f.span,
                                format!(
                                    "union member `{c}` becomes `{}` in Rust: its accessor `set_{}` would not be snake_case",
                                    f.rust_name, f.rust_name
                                ),
                            )
                            .hint = Some("give it a `rust-name` that starts with a letter".into());
                    }
                }
            }
            if let Some(p) = &t.payload {
                names.push((
                    &p.rust_name,
                    format!("the payload of {}", t.display_name_lite()),
                    p.span,
                    Ns::Type,
                    RustCase::Camel,
                ));
                for v in &p.variants {
                    names.push((
                        &v.rust_name,
                        format!("payload variant `{}`", v.rust_name),
                        v.span,
                        Ns::Member,
                        RustCase::Camel,
                    ));
                }
            }
        }
        for (rust, what, span, ns, case) in names {
            let bare = rust.trim_start_matches("r#");
            let why = names::unusable_rust_name(rust)
                .or_else(|| {
                    (!names::has_case(rust, case)).then_some(match case {
                        RustCase::Upper => "is not UPPER_CASE, as Rust names constants",
                        RustCase::Camel => "is not UpperCamelCase, as Rust names types",
                        RustCase::Snake => "is not snake_case, as Rust names fields",
                    })
                })
                .or_else(|| {
                    (ns != Ns::Member && names::RUST_PRELUDE_USED.contains(&bare))
                        .then_some("the generated code takes from Rust's prelude")
                })
                .or_else(|| {
                    (ns == Ns::Value && !bare.chars().any(|c| c.is_ascii_uppercase())).then_some(
                        "is a lowercase constant: it would capture the generated code's variables",
                    )
                });
            if let Some(why) = why {
                self.diags
                    .error(
                        Code::BadIdentifier,
                        span,
                        format!("{what} becomes `{rust}` in Rust, which {why}"),
                    )
                    .hint = Some("give it a `rust-name`".into());
            }
        }
    }

    /// Rust names must be unique per namespace after case conversion.
    fn check_rust_names(&mut self, m: &mut Module) {
        self.check_usable_names(m);
        self.check_c_names(m);
        let mut values: BTreeMap<String, (String, Span)> = BTreeMap::new();
        let check = |diags: &mut Diagnostics,
                     map: &mut BTreeMap<String, (String, Span)>,
                     rust: &str,
                     c: &str,
                     span: Span| {
            // The same C name twice is reported once, as a duplicate (E0101).
            if let Some((other, at)) = map.get(rust).filter(|(other, _)| other != c) {
                diags
                    .error(
                        Code::RustNameClash,
                        span,
                        format!("`{c}` and `{other}` both become `{rust}` in Rust"),
                    )
                    .hint = Some(format!(
                    "give one of them a `rust-name` (the other is at line {}:{})",
                    at.line, at.column
                ));
            } else {
                map.insert(rust.to_owned(), (c.to_owned(), span));
            }
        };
        for c in &m.constants {
            check(
                &mut self.diags,
                &mut values,
                &c.rust_name,
                &c.c_name,
                c.span,
            );
        }
        for g in &m.groups {
            for v in &g.values {
                check(
                    &mut self.diags,
                    &mut values,
                    &v.rust_name,
                    &v.c_name,
                    v.span,
                );
            }
        }
        for e in &m.enums {
            for v in &e.values {
                check(
                    &mut self.diags,
                    &mut values,
                    &v.rust_name,
                    &v.c_name,
                    v.span,
                );
            }
        }
        for io in &m.ioctls {
            check(
                &mut self.diags,
                &mut values,
                &io.rust_name,
                &io.c_name,
                io.span,
            );
        }
        // Functions: the ioctl wrappers and the macros' functions.
        let mut fns: BTreeMap<String, (String, Span)> = BTreeMap::new();
        for io in &m.ioctls {
            let w = names::wrapper_name(&io.rust_name);
            check(&mut self.diags, &mut fns, &w, &io.c_name, io.span);
        }
        for x in &m.macros {
            check(&mut self.diags, &mut fns, &x.rust_name, &x.c_name, x.span);
        }
        // Types, flag sets and the enums and iterators generated for payloads and capability
        // chains share Rust's type namespace; C keeps structs and flag sets apart, so the
        // key names the kind (`struct same` and `flags same` both becoming `Same` clash).
        let mut types: BTreeMap<String, (String, Span)> = BTreeMap::new();
        for t in &m.types {
            let c = match &t.c_name {
                Some(c) => format!("{} {c}", kind_word(t.kind)),
                None => t.rust_name.clone(),
            };
            check(&mut self.diags, &mut types, &t.rust_name, &c, t.span);
            if let Some(p) = &t.payload {
                let c = format!("the payload of {c}");
                check(&mut self.diags, &mut types, &p.rust_name, &c, p.span);
            }
            if let Some(caps) = &t.caps {
                let c = format!("the capabilities of {c}");
                check(&mut self.diags, &mut types, &caps.rust_name, &c, t.span);
                let iter = format!("{}Iter", caps.rust_name);
                check(
                    &mut self.diags,
                    &mut types,
                    &iter,
                    &format!("{c} (iterator)"),
                    t.span,
                );
            }
        }
        // A value group is an enum.
        for g in &m.groups {
            let c = format!("group {}", g.c_name);
            check(&mut self.diags, &mut types, &g.rust_name, &c, g.span);
        }
        for t in &m.typedefs {
            // `typedef struct foo foo;` has no Rust alias of its own: it is `Foo`.
            if let TypedefTy::Record(id) = t.ty
                && m.types[id].rust_name == t.rust_name
            {
                continue;
            }
            let c = format!("typedef {}", t.c_name);
            check(&mut self.diags, &mut types, &t.rust_name, &c, t.span);
        }
        for f in &m.flag_sets {
            let c = format!("flags {}", f.c_name);
            check(&mut self.diags, &mut types, &f.rust_name, &c, f.span);
            // A bitflags type is a tuple struct: its name is a value (its constructor) too.
            check(&mut self.diags, &mut values, &f.rust_name, &c, f.span);
            let mut members = BTreeMap::new();
            for b in &f.bits {
                check(
                    &mut self.diags,
                    &mut members,
                    &b.rust_name,
                    &b.c_name,
                    b.span,
                );
            }
        }
        for t in &m.types {
            let mut fields = BTreeMap::new();
            for f in &t.fields {
                let c = f.c_name.clone().unwrap_or_else(|| "<anonymous>".into());
                check(&mut self.diags, &mut fields, &f.rust_name, &c, f.span);
            }
        }
    }
}

/// Where a Rust name lives: module-level values (constants), module-level types, or
/// members of something (fields, flags of a set, variants of an enum).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ns {
    Value,
    Type,
    Member,
}

impl TypeDef {
    fn display_name_lite(&self) -> String {
        match &self.c_name {
            Some(n) => format!("{} {}", kind_word(self.kind), n),
            None => self.rust_name.clone(),
        }
    }
}

/// The id of the flag set or group `n` names, or an error saying where to define it.
fn find_named(
    ids: &HashMap<String, usize>,
    diags: &mut Diagnostics,
    n: &Sp<String>,
    code: Code,
    what: &str,
    section: &str,
) -> Option<usize> {
    let id = ids.get(n.as_str()).copied();
    if id.is_none() {
        diags
            .error(code, n.span, format!("no {what} is named `{}`", **n))
            .hint = Some(format!("define it under `{section}:`, or fix the name"));
    }
    id
}

/// The byte index of the `]` that ends an array length, skipping character literals such as
/// `']'` and nested brackets.
fn closing_bracket(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' => depth += 1,
            b']' if depth == 0 => return Some(i),
            b']' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
