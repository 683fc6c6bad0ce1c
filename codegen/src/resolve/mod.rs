//! From the spec AST to the IR: names checked and linked, expressions evaluated and typed,
//! type strings parsed, Rust names derived. Every problem is collected, none stops the pass.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::diag::{Code, Diagnostics, SourceFile};
use crate::expr::{CValue, Expr};
use crate::ir::*;
use crate::names;
use crate::spec::{self, Kind, Sp, Span};

mod imports;
mod ioctls;
mod payload;
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

/// Deepest chain of constants referring to constants.
const MAX_REF_DEPTH: usize = 200;
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
    type_ids: HashMap<String, TypeId>,
    flag_ids: HashMap<String, usize>,
    group_ids: HashMap<String, usize>,
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
        flag_ids: HashMap::new(),
        group_ids: HashMap::new(),
        types: Vec::new(),
        flag_field_ty: HashMap::new(),
    };
    let module = r.run(file.clone());
    r.diags.attach(&file);
    r.diags.finish(module)
}

fn doc(d: &Option<String>) -> Option<String> {
    d.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

impl Resolver<'_> {
    fn run(&mut self, file: Arc<SourceFile>) -> Module {
        let spec = self.spec;
        if self.check_ident(&spec.name, "module name")
            && spec.name.contains(|c: char| c.is_ascii_uppercase())
            || names::is_rust_keyword(&spec.name)
        {
            self.diags
                .error(
                    Code::BadIdentifier,
                    spec.name.span,
                    format!(
                        "module name `{}` is not a usable Rust module name",
                        *spec.name
                    ),
                )
                .hint = Some("use lower_snake_case, e.g. `vfio`".into());
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
        } else if !spec.header.ends_with(".h")
            || spec.header.starts_with('/')
            || spec.header.split('/').any(|c| c.is_empty() || c == "..")
        {
            self.diags
                .error(
                    Code::BadIdentifier,
                    spec.header.span,
                    format!("header path `{}` is not a relative `.h` path", *spec.header),
                )
                .hint = Some("write it the way C includes it, e.g. `linux/vfio.h`".into());
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

        self.check_uses();
        self.register_values();
        self.register_imports();
        self.register_types();

        let constants = self.constants();
        let groups = self.groups();
        // Types before flag sets: a flag set takes the type of the field it is attached to.
        let named: Vec<TypeId> = (0..spec.structs.len()).collect();
        for (i, s) in spec.structs.iter().enumerate() {
            let fields = self.fields(
                named[i],
                &s.fields,
                s.kind.as_ref().map_or(Kind::Struct, |k| k.value),
                s.name.span,
            );
            self.types[named[i]].fields = fields;
        }
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
        let flag_sets = self.flag_sets();
        self.extensions(&flag_sets);
        let enums = self.enums();
        self.check_enum_uses(&enums);
        let ioctls = self.ioctls();
        let order = self.order();

        let mut module = Module {
            file,
            name: spec.name.value.clone(),
            uses: self
                .imports
                .iter()
                .map(|m| (m.name.clone(), m.header.clone()))
                .collect(),
            header: spec.header.value.clone(),
            guard,
            source: doc(&spec.source),
            doc: doc(&spec.doc),
            constants,
            groups,
            flag_sets,
            enums,
            types: std::mem::take(&mut self.types),
            order,
            ioctls,
            imported: std::mem::take(&mut self.imported),
        };
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
        if let Some((_, prev)) = self.values.get(name.as_str()) {
            let prev = *prev;
            self.defined_twice(name.span, format!("`{}`", **name), prev);
            return;
        }
        if let Some(other) = self.imported_by(name) {
            self.diags
                .error(
                    Code::DuplicateName,
                    name.span,
                    format!("`{}` is already defined by the used spec `{other}`", **name),
                )
                .hint = Some("use that definition, or rename this one".into());
        }
        self.values.insert(name.value.clone(), (def, name.span));
        let origin = match e {
            Some(e) => self.origin(e.span, &e.0),
            None => Origin::whole(name.span),
        };
        self.origins.insert(def, origin);
        let parsed = e.and_then(|e| self.parse_expr(e));
        self.exprs.insert(def, parsed);
    }
    /// Rust names must be unique per namespace after case conversion.
    fn check_rust_names(&mut self, m: &mut Module) {
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
        let mut types: BTreeMap<String, (String, Span)> = BTreeMap::new();
        for t in &m.types {
            let c = t.c_name.clone().unwrap_or_else(|| t.rust_name.clone());
            check(&mut self.diags, &mut types, &t.rust_name, &c, t.span);
        }
        for f in &m.flag_sets {
            check(&mut self.diags, &mut types, &f.rust_name, &f.c_name, f.span);
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
