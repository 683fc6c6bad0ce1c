//! From the spec AST to the IR: names checked and linked, expressions evaluated and typed,
//! type strings parsed, Rust names derived. Every problem is collected, none stops the pass.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::diag::{Code, Diagnostics, SourceFile};
use crate::expr::{self, BinOp, EvalError, Expr};
use crate::ir::*;
use crate::names;
use crate::spec::{self, Kind, Pass, Sp, Span};

mod imports;
mod payload;

/// Something an expression can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Def {
    Const(usize),
    Group(usize, usize),
    Flag(usize, usize),
    Enum(usize, usize),
    /// A value of a used spec, by index into `import_values`.
    Import(usize),
}

#[derive(Clone, Copy, Debug)]
enum State {
    Busy,
    Done(i128),
    Failed,
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
    import_values: Vec<i128>,
    /// Names and values of used specs, for [`Module::imported`].
    imported: Vec<(String, i128)>,
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

/// Resolve a parsed spec. On error, every problem found is returned.
pub fn resolve(spec: &spec::Spec, file: Arc<SourceFile>) -> Result<Module, Diagnostics> {
    resolve_with(spec, file, &[])
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
        import_values: Vec::new(),
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
    if r.diags.is_empty() {
        Ok(module)
    } else {
        Err(r.diags)
    }
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

    fn add_value(&mut self, name: &Sp<String>, def: Def, e: Option<&Sp<spec::ExprText>>) {
        self.check_ident(name, "name");
        if let Some((_, prev)) = self.values.get(name.as_str()) {
            let prev = *prev;
            self.diags
                .error(
                    Code::DuplicateName,
                    name.span,
                    format!("`{}` is defined twice", **name),
                )
                .hint = Some(format!(
                "the first definition is at line {}:{}",
                prev.line, prev.column
            ));
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
        let parsed = e.and_then(|e| self.parse_expr(e));
        self.exprs.insert(def, parsed);
    }

    fn parse_expr(&mut self, e: &Sp<spec::ExprText>) -> Option<Expr> {
        match expr::parse(&e.0) {
            Ok(x) => Some(x),
            Err(err) => {
                let mut span = e.span;
                span.column = span
                    .column
                    .saturating_add(u32::try_from(err.at).unwrap_or(0));
                self.diags
                    .error(Code::ExprSyntax, span, format!("cannot parse `{}`: {}", e.0, err.message))
                    .hint = Some("expressions use integers, names, parentheses and C operators, e.g. `VFIO_BASE + 1` or `1 << 3`".into());
                None
            }
        }
    }

    fn register_values(&mut self) {
        let spec = self.spec;
        for (i, c) in spec.constants.iter().enumerate() {
            match (&c.value, &c.string) {
                (Some(v), None) => self.add_value(&c.name, Def::Const(i), Some(v)),
                (None, Some(_)) => {
                    self.check_ident(&c.name, "name");
                    if let Some((_, prev)) = self.values.get(c.name.as_str()) {
                        let prev = *prev;
                        self.diags
                            .error(
                                Code::DuplicateName,
                                c.name.span,
                                format!("`{}` is defined twice", *c.name),
                            )
                            .hint = Some(format!(
                            "the first definition is at line {}:{}",
                            prev.line, prev.column
                        ));
                    } else {
                        // Strings are not integers: registered so that names stay unique and an
                        // expression naming one gets a clear error.
                        self.values
                            .insert(c.name.value.clone(), (Def::Const(i), c.name.span));
                        self.state.insert(Def::Const(i), State::Failed);
                    }
                }
                _ => {
                    self.diags
                        .error(
                            Code::ValueOrString,
                            c.name.span,
                            format!(
                                "constant `{}` needs exactly one of `value` and `string`",
                                *c.name
                            ),
                        )
                        .hint = Some(
                        "write `value: 1` for an integer or `string: text` for a string".into(),
                    );
                }
            }
        }
        for (g, group) in spec.groups.iter().enumerate() {
            for (i, v) in group.values.iter().enumerate() {
                self.add_value(&v.name, Def::Group(g, i), Some(&v.value));
            }
        }
        for (f, set) in spec.flags.iter().enumerate() {
            for (i, b) in set.bits.iter().enumerate() {
                match (&b.bit, &b.value) {
                    (Some(bit), None) => {
                        self.add_value(&b.name, Def::Flag(f, i), None);
                        let e = self.parse_expr(bit);
                        self.exprs.insert(Def::Flag(f, i), e);
                        self.bit_defs.insert(Def::Flag(f, i));
                    }
                    (None, Some(v)) => self.add_value(&b.name, Def::Flag(f, i), Some(v)),
                    _ => {
                        self.diags
                            .error(Code::BitOrValue, b.name.span, format!("flag `{}` needs exactly one of `bit` and `value`", *b.name))
                            .hint = Some("`bit: 3` is the flag `1 << 3`; `value:` takes any expression, e.g. a mask".into());
                    }
                }
            }
        }
        for (e, en) in spec.enums.iter().enumerate() {
            for (i, v) in en.values.iter().enumerate() {
                self.add_value(&v.name, Def::Enum(e, i), v.value.as_ref());
            }
        }
        for io in &spec.ioctls {
            self.check_ident(&io.name, "ioctl name");
            if let Some((_, prev)) = self.values.get(io.name.as_str()) {
                let prev = *prev;
                self.diags
                    .error(
                        Code::DuplicateName,
                        io.name.span,
                        format!("`{}` is defined twice", *io.name),
                    )
                    .hint = Some(format!(
                    "the first definition is at line {}:{}",
                    prev.line, prev.column
                ));
            }
        }
        for (names, what) in [
            (
                spec.groups.iter().map(|g| &g.name).collect::<Vec<_>>(),
                "group",
            ),
            (
                spec.flags.iter().map(|g| &g.name).collect::<Vec<_>>(),
                "flag set",
            ),
        ] {
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for n in names {
                self.check_ident(n, what);
                if let Some(prev) = seen.insert(n.as_str(), n.span) {
                    self.diags
                        .error(
                            Code::DuplicateName,
                            n.span,
                            format!("{what} `{}` is defined twice", **n),
                        )
                        .hint = Some(format!(
                        "the first definition is at line {}:{}",
                        prev.line, prev.column
                    ));
                }
            }
        }
        for (i, g) in spec.groups.iter().enumerate() {
            self.group_ids.entry(g.name.value.clone()).or_insert(i);
        }
        for (i, f) in spec.flags.iter().enumerate() {
            self.flag_ids.entry(f.name.value.clone()).or_insert(i);
        }
    }

    /// Evaluate the value of a definition, following references.
    fn eval_def(&mut self, def: Def) -> Result<i128, EvalError> {
        match self.state.get(&def) {
            Some(State::Done(v)) => return Ok(*v),
            Some(State::Busy) => return Err(EvalError::Cycle(String::new())),
            Some(State::Failed) => return Err(EvalError::Unknown(String::new())),
            None => {}
        }
        if self.depth >= MAX_REF_DEPTH {
            return Err(EvalError::Overflow(format!(
                "constants refer to each other more than {MAX_REF_DEPTH} levels deep"
            )));
        }
        self.state.insert(def, State::Busy);
        self.depth += 1;
        let r = self.eval_def_inner(def);
        self.depth -= 1;
        self.state.insert(
            def,
            match r {
                Ok(v) => State::Done(v),
                Err(_) => State::Failed,
            },
        );
        r
    }

    fn eval_def_inner(&mut self, def: Def) -> Result<i128, EvalError> {
        let e = self.exprs.get(&def).cloned().flatten();
        match (def, e) {
            (d @ Def::Flag(..), Some(bit)) if self.bit_defs.contains(&d) => {
                let b = self.eval_expr(&bit)?;
                if !(0..64).contains(&b) {
                    return Err(EvalError::Overflow(format!("bit {b} is outside 0..=63")));
                }
                Ok(1i128 << b)
            }
            (Def::Enum(e, i), None) if i > 0 => Ok(self.eval_def(Def::Enum(e, i - 1))? + 1),
            (Def::Enum(..), None) => Ok(0),
            (_, Some(x)) => self.eval_expr(&x),
            (_, None) => Err(EvalError::Unknown(String::new())),
        }
    }

    fn eval_expr(&mut self, e: &Expr) -> Result<i128, EvalError> {
        e.eval(&mut |name: &str| match self.values.get(name).map(|v| v.0) {
            Some(def) => self.eval_def(def).map_err(|err| match err {
                EvalError::Cycle(s) if s.is_empty() => EvalError::Cycle(name.to_owned()),
                other => other,
            }),
            None => Err(EvalError::Unknown(name.to_owned())),
        })
    }

    /// Evaluate the expression of `def` (or `e`) and report any failure at `span`.
    fn value_of(
        &mut self,
        def: Option<Def>,
        e: Option<&Expr>,
        span: Span,
        what: &str,
    ) -> Option<i128> {
        let r = match (def, e) {
            (Some(d), _) => self.eval_def(d),
            (None, Some(e)) => self.eval_expr(e),
            (None, None) => return None,
        };
        match r {
            Ok(v) => Some(v),
            // Failures of a referenced item were reported where that item is defined.
            Err(EvalError::Unknown(n)) if n.is_empty() => None,
            Err(EvalError::Unknown(n)) => {
                let hint = match self.spec.constants.iter().find(|c| *c.name == n) {
                    Some(c) if c.string.is_some() => {
                        format!("`{n}` is a string constant; expressions take integers")
                    }
                    _ => self.suggest(&n),
                };
                self.diags
                    .error(
                        Code::UnknownName,
                        span,
                        format!("{what} names `{n}`, which this spec does not define"),
                    )
                    .hint = Some(hint);
                None
            }
            Err(EvalError::Cycle(n)) => {
                self.diags
                    .error(
                        Code::ExprCycle,
                        span,
                        format!("{what} depends on itself through `{n}`"),
                    )
                    .hint = Some(
                    "break the cycle: one of the constants must have a value of its own".into(),
                );
                None
            }
            Err(EvalError::Overflow(m)) => {
                self.diags
                    .error(
                        Code::ExprArith,
                        span,
                        format!("{what} cannot be computed: {m}"),
                    )
                    .hint = Some("check the operands; uapi values fit in 64 bits".into());
                None
            }
        }
    }

    fn suggest(&mut self, n: &str) -> String {
        let lower = n.to_ascii_lowercase();
        let mut best: Option<(&str, usize)> = None;
        self.suggestions += 1;
        let keys = if self.suggestions > MAX_SUGGESTIONS || n.len() > MAX_NAME_LEN {
            None
        } else {
            Some(self.values.keys())
        };
        for k in keys.into_iter().flatten() {
            if k.len().abs_diff(n.len()) > 3 {
                continue;
            }
            let d = edit_distance(&lower, &k.to_ascii_lowercase());
            if d <= 3 && best.is_none_or(|(b, bd)| d < bd || (d == bd && k.as_str() < b)) {
                best = Some((k, d));
            }
        }
        match best {
            Some((k, _)) => format!("did you mean `{k}`?"),
            None => "define it under `constants`, a group, a flag set or an enum".into(),
        }
    }

    fn int_ty(&mut self, t: &Option<Sp<String>>) -> Option<IntTy> {
        let t = t.as_ref()?;
        match IntTy::parse(t) {
            Some(ty) => Some(ty),
            None => {
                self.diags
                    .error(
                        Code::UnknownIntType,
                        t.span,
                        format!("`{}` is not an integer type", **t),
                    )
                    .hint = Some("use one of u8, u16, u32, u64, s8, s16, s32, s64".into());
                None
            }
        }
    }

    /// Fit a value to its type: values that fit the type, or its unsigned/signed
    /// counterpart of the same width (`~0` in a u32), are accepted and wrapped like C casts.
    fn fit(&mut self, v: i128, ty: IntTy, span: Span, what: &str) -> i128 {
        let bits = ty.bytes() * 8;
        let lo = -(1i128 << (bits - 1));
        let hi = (1i128 << bits) - 1;
        if v < lo || v > hi {
            self.diags
                .error(
                    Code::ValueRange,
                    span,
                    format!("{what} is {v}, which does not fit in {}", ty.spec_name()),
                )
                .hint = Some("give the item a wider `type`, or correct the value".into());
        }
        ty.wrap(v)
    }

    fn int_value(&mut self, def: Def, span: Span, ty: Option<IntTy>, what: &str) -> IntValue {
        let v = self.value_of(Some(def), None, span, what).unwrap_or(0);
        let ty = ty.unwrap_or_else(|| IntTy::infer(v));
        let value = self.fit(v, ty, span, what);
        let expr = self
            .exprs
            .get(&def)
            .cloned()
            .flatten()
            .unwrap_or(Expr::Num(v, v.to_string()));
        IntValue { expr, value, ty }
    }

    fn constants(&mut self) -> Vec<Const> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (i, c) in spec.constants.iter().enumerate() {
            let ty = self.int_ty(&c.ty);
            let value = match (&c.value, &c.string) {
                (Some(_), None) => ConstValue::Int(self.int_value(
                    Def::Const(i),
                    c.name.span,
                    ty,
                    &format!("constant `{}`", *c.name),
                )),
                (None, Some(s)) => {
                    if s.contains(|ch: char| ch == '\0' || !(ch.is_ascii_graphic() || ch == ' ')) {
                        self.diags
                            .error(Code::ValueRange, s.span, format!("string constant `{}` holds characters a C string literal would need escaped", *c.name))
                            .hint = Some("use printable ASCII only".into());
                    }
                    ConstValue::Str(s.value.clone())
                }
                _ => continue,
            };
            out.push(Const {
                c_name: c.name.value.clone(),
                rust_name: self.rust_or(
                    &c.rust_name,
                    names::const_name(&c.name, self.prefix.as_deref()),
                ),
                value,
                doc: doc(&c.doc),
                span: c.name.span,
            });
        }
        out
    }

    fn rust_or(&mut self, given: &Option<Sp<String>>, derived: String) -> String {
        match given {
            Some(n) => {
                let ok = {
                    let s = n.strip_prefix("r#").unwrap_or(n);
                    names::is_c_identifier(s)
                };
                if !ok {
                    self.diags
                        .error(
                            Code::BadIdentifier,
                            n.span,
                            format!("rust-name `{}` is not a Rust identifier", **n),
                        )
                        .hint = Some("use letters, digits and `_`".into());
                }
                names::rust_ident(n.value.clone())
            }
            None => derived,
        }
    }

    fn groups(&mut self) -> Vec<Group> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (g, group) in spec.groups.iter().enumerate() {
            let explicit = self.int_ty(&group.ty);
            let raw: Vec<i128> = (0..group.values.len())
                .map(|i| {
                    let v = &group.values[i];
                    self.value_of(
                        Some(Def::Group(g, i)),
                        None,
                        v.value.span,
                        &format!("value `{}`", *v.name),
                    )
                    .unwrap_or(0)
                })
                .collect();
            let ty = explicit.unwrap_or_else(|| {
                raw.iter()
                    .map(|v| IntTy::infer(*v))
                    .max_by_key(|t| (t.bytes(), t.signed()))
                    .unwrap_or(IntTy::U32)
            });
            let values = group
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let value = self.int_value(
                        Def::Group(g, i),
                        v.value.span,
                        Some(ty),
                        &format!("value `{}`", *v.name),
                    );
                    NamedValue {
                        c_name: v.name.value.clone(),
                        rust_name: self.rust_or(
                            &v.rust_name,
                            names::const_name(&v.name, self.prefix.as_deref()),
                        ),
                        value,
                        bit: None,
                        doc: doc(&v.doc),
                        span: v.name.span,
                    }
                })
                .collect();
            out.push(Group {
                c_name: group.name.value.clone(),
                rust_name: self.rust_or(&group.rust_name, names::type_name(&group.name, None)),
                ty,
                doc: doc(&group.doc),
                values,
                span: group.name.span,
            });
        }
        out
    }

    fn flag_sets(&mut self) -> Vec<FlagSet> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (f, set) in spec.flags.iter().enumerate() {
            let ty = self
                .int_ty(&set.ty)
                .or_else(|| self.flag_field_ty.get(&f).copied())
                .unwrap_or(IntTy::U32);
            let c_names: Vec<&str> = set.bits.iter().map(|b| b.name.as_str()).collect();
            let derived = names::member_names(&c_names, self.prefix.as_deref());
            let mut bits = Vec::new();
            for (i, b) in set.bits.iter().enumerate() {
                let span = b
                    .bit
                    .as_ref()
                    .or(b.value.as_ref())
                    .map_or(b.name.span, |s| s.span);
                let what = format!("flag `{}`", *b.name);
                let v = self
                    .value_of(Some(Def::Flag(f, i)), None, span, &what)
                    .unwrap_or(0);
                let value = self.fit(v, ty, span, &what);
                let (expr, bit) =
                    match (&b.bit, self.exprs.get(&Def::Flag(f, i)).cloned().flatten()) {
                        (Some(_), Some(bit_expr)) => {
                            let n = v.trailing_zeros();
                            let one = match n {
                                0..=30 => "1",
                                31 => "1U",
                                _ => "1ULL",
                            };
                            let e = Expr::Paren(Box::new(Expr::Binary(
                                BinOp::Shl,
                                Box::new(Expr::Num(1, one.into())),
                                Box::new(bit_expr),
                            )));
                            (e, Some(n))
                        }
                        (_, Some(e)) => (e, None),
                        (_, None) => (Expr::Num(v, v.to_string()), None),
                    };
                bits.push(NamedValue {
                    c_name: b.name.value.clone(),
                    rust_name: self.rust_or(&b.rust_name, derived[i].clone()),
                    value: IntValue { expr, value, ty },
                    bit,
                    doc: doc(&b.doc),
                    span: b.name.span,
                });
            }
            out.push(FlagSet {
                c_name: set.name.value.clone(),
                rust_name: self.rust_or(
                    &set.rust_name,
                    names::type_name(&set.name, self.prefix.as_deref()),
                ),
                ty,
                doc: doc(&set.doc),
                bits,
                span: set.name.span,
            });
        }
        out
    }

    fn enums(&mut self) -> Vec<Enum> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (e, en) in spec.enums.iter().enumerate() {
            if let Some(n) = &en.name {
                self.check_ident(n, "enum name");
            }
            let mut values: Vec<EnumValue> = Vec::new();
            if en.values.is_empty() {
                self.diags
                    .error(
                        Code::EmptyType,
                        en.values.span,
                        "the enum has no enumerators",
                    )
                    .hint = Some("C does not allow an empty enum; add values or remove it".into());
            }
            for (i, v) in en.values.iter().enumerate() {
                let span = v.value.as_ref().map_or(v.name.span, |x| x.span);
                let what = format!("enumerator `{}`", *v.name);
                let value = self
                    .value_of(Some(Def::Enum(e, i)), None, span, &what)
                    .unwrap_or(0);
                if v.value.is_none() && values.last().is_some_and(|p| p.value >= IntTy::S32.max()) {
                    self.diags
                        .error(
                            Code::ValueRange,
                            v.name.span,
                            format!("{what} has no value and follows {}: C counts enumerators as `int`", values.last().map_or(0, |p| p.value)),
                        )
                        .hint = Some("compilers reject the header (`overflow in enumeration values`); give it an explicit value".into());
                }
                if value < IntTy::S32.min() || value > IntTy::U32.max() {
                    self.diags
                        .error(
                            Code::ValueRange,
                            span,
                            format!("{what} is {value}, which a C enum cannot hold"),
                        )
                        .hint =
                        Some("C enumerators are `int`; use a constant for wider values".into());
                }
                values.push(EnumValue {
                    c_name: v.name.value.clone(),
                    rust_name: self.rust_or(
                        &v.rust_name,
                        names::const_name(&v.name, self.prefix.as_deref()),
                    ),
                    expr: v
                        .value
                        .as_ref()
                        .and_then(|_| self.exprs.get(&Def::Enum(e, i)).cloned().flatten()),
                    value,
                    doc: doc(&v.doc),
                    span: v.name.span,
                });
            }
            let ty = if values.iter().any(|v| v.value < 0) {
                IntTy::S32
            } else {
                IntTy::U32
            };
            out.push(Enum {
                c_name: en.name.as_ref().map(|n| n.value.clone()),
                ty,
                doc: doc(&en.doc),
                values,
                span: en.name.as_ref().map_or_else(
                    || en.values.first().map_or(Span::default(), |v| v.name.span),
                    |n| n.span,
                ),
            });
        }
        out
    }

    fn register_types(&mut self) {
        let spec = self.spec;
        for s in &spec.structs {
            self.check_ident(&s.name, "struct name");
            let kind = s.kind.as_ref().map_or(Kind::Struct, |k| k.value);
            if let Some(&prev) = self.type_ids.get(s.name.as_str()) {
                let p = self.types[prev].span;
                self.diags
                    .error(
                        Code::DuplicateName,
                        s.name.span,
                        format!("struct or union `{}` is defined twice", *s.name),
                    )
                    .hint = Some(format!(
                    "the first definition is at line {}:{}",
                    p.line, p.column
                ));
            } else {
                self.type_ids.insert(s.name.value.clone(), self.types.len());
            }
            let rust_name = self.rust_or(
                &s.rust_name,
                names::type_name(&s.name, self.prefix.as_deref()),
            );
            self.types.push(TypeDef {
                c_name: Some(s.name.value.clone()),
                rust_name,
                kind,
                doc: doc(&s.doc),
                fields: Vec::new(),
                parent: None,
                origin: None,
                extensible: None,
                payload: None,
                caps: None,
                span: s.name.span,
            });
        }
    }

    fn fields(
        &mut self,
        owner: TypeId,
        fields: &[spec::Field],
        kind: Kind,
        span: Span,
    ) -> Vec<Field> {
        if fields.is_empty() {
            self.diags
                .error(Code::EmptyType, span, format!("{} has no members", self.types[owner].rust_name))
                .hint = Some("C does not allow an empty struct or union; add the members, or an explicit `__u8 reserved` field".into());
        }
        let mut out = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            let ty_text = f.ty.trim();
            let inline_kind = match ty_text {
                "struct" => Some(Kind::Struct),
                "union" => Some(Kind::Union),
                _ => None,
            };
            let ty = match (inline_kind, &f.fields) {
                (Some(k), Some(members)) => {
                    let id = self.types.len();
                    self.types.push(TypeDef {
                        c_name: None,
                        // Named below, once the member's Rust name is known.
                        rust_name: String::new(),
                        kind: k,
                        doc: doc(&f.doc),
                        fields: Vec::new(),
                        parent: Some((owner, out.len())),
                        origin: None,
                        extensible: None,
                        payload: None,
                        caps: None,
                        span: f.ty.span,
                    });
                    let inner = self.fields(id, members, k, f.ty.span);
                    self.types[id].fields = inner;
                    Some(Ty::Named(id))
                }
                (Some(_), None) => {
                    self.diags
                        .error(Code::InlineFields, f.ty.span, format!("`type: {ty_text}` needs `fields` with the members of the inline {ty_text}"))
                        .hint = Some("add `fields:`, or name an existing type: `type: struct NAME`".into());
                    None
                }
                (None, Some(_)) => {
                    self.diags
                        .error(
                            Code::InlineFields,
                            f.ty.span,
                            format!("`fields` given, but the type is `{ty_text}`"),
                        )
                        .hint = Some(
                        "an inline type is written `type: struct` or `type: union` with `fields:`"
                            .into(),
                    );
                    None
                }
                (None, None) => self.parse_type(&f.ty),
            };
            let name = match &f.name {
                Some(n) => {
                    self.check_ident(n, "field name");
                    Some(n.value.clone())
                }
                None => {
                    if inline_kind.is_none() {
                        self.diags
                            .error(
                                Code::AnonymousMember,
                                f.ty.span,
                                "a member without a name must be an inline struct or union",
                            )
                            .hint =
                            Some("add `name:`, or make it `type: union` with `fields:`".into());
                    }
                    None
                }
            };
            let Some(ty) = ty else { continue };
            // Flexible arrays: last member of a struct only.
            if let Ty::Flex(elem) = &ty {
                if kind == Kind::Union {
                    self.diags
                        .error(
                            Code::FlexInvalid,
                            f.ty.span,
                            "a union cannot have a flexible array member",
                        )
                        .hint = Some(
                        "move the flexible array into the enclosing struct, after the union".into(),
                    );
                } else if i + 1 != fields.len() {
                    self.diags
                        .error(
                            Code::FlexNotLast,
                            f.ty.span,
                            "a flexible array member must be the last member",
                        )
                        .hint = Some("move it to the end of the struct".into());
                }
                if self.has_flex(elem) {
                    self.diags
                        .error(
                            Code::FlexInvalid,
                            f.ty.span,
                            "the elements of an array cannot end in a flexible array",
                        )
                        .hint = Some("use a fixed-size element type".into());
                }
            } else if self.has_flex(&ty) {
                let last_of_struct = kind == Kind::Struct && i + 1 == fields.len();
                if !last_of_struct || matches!(ty, Ty::Array(..)) {
                    self.diags
                        .error(Code::FlexInvalid, f.ty.span, "a type ending in a flexible array can only be the last member of a struct")
                        .hint = Some("move this member to the end, or give the inner array a fixed size".into());
                }
            }
            let flags = f.flags.as_ref().and_then(|n| {
                find_named(
                    &self.flag_ids,
                    &mut self.diags,
                    n,
                    Code::UnknownFlagSet,
                    "flag set",
                    "flags",
                )
            });
            if let (Some(id), Ty::Scalar(Scalar::Int(t) | Scalar::Aligned(t))) = (flags, &ty) {
                self.flag_field_ty.entry(id).or_insert(*t);
            }
            let group = f.values.as_ref().and_then(|n| {
                find_named(
                    &self.group_ids,
                    &mut self.diags,
                    n,
                    Code::UnknownGroup,
                    "value group",
                    "groups",
                )
            });
            let rust_name = match (&f.rust_name, &f.name) {
                (Some(_), _) => self.rust_or(&f.rust_name, String::new()),
                (None, Some(n)) => names::field_name(n),
                (None, None) => match &ty {
                    Ty::Named(id) => {
                        let members: Vec<String> = self.types[*id]
                            .fields
                            .iter()
                            .map(|m| m.rust_name.trim_start_matches("r#").to_owned())
                            .collect();
                        let joiner = if inline_kind == Some(Kind::Union) {
                            "_or_"
                        } else {
                            "_and_"
                        };
                        names::rust_ident(members.join(joiner))
                    }
                    _ => format!("anon{i}"),
                },
            };
            let flag = f.flag.as_ref().and_then(|n| {
                let def = self.values.get(n.as_str()).map(|v| v.0);
                match def {
                    Some(d) => self
                        .value_of(Some(d), None, n.span, "the field's flag")
                        .map(|v| (n.value.clone(), v)),
                    None => {
                        self.diags
                            .error(
                                Code::UnknownName,
                                n.span,
                                format!("`flag: {}` names no flag of this spec", **n),
                            )
                            .hint = Some(self.suggest(n));
                        None
                    }
                }
            });
            out.push(Field {
                c_name: name,
                rust_name,
                ty,
                doc: doc(&f.doc),
                flags,
                group,
                reserved: f.reserved,
                since: f.since.as_ref().map(|s| s.value),
                flag,
                span: f.name.as_ref().map_or(f.ty.span, |n| n.span),
            });
        }
        out
    }

    fn has_flex(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Flex(_) => true,
            Ty::Array(t, ..) => self.has_flex(t),
            Ty::Named(id) => self.types[*id]
                .fields
                .last()
                .is_some_and(|f| self.has_flex(&f.ty)),
            _ => false,
        }
    }

    /// `u32`, `aligned_u64`, `struct foo`, `u64 *`, `u8[16]`, `struct bar[]`, `u32[2][3]`.
    fn parse_type(&mut self, text: &Sp<String>) -> Option<Ty> {
        let bad = |this: &mut Self, msg: String| {
            this.diags
                .error(Code::BadTypeSyntax, text.span, msg)
                .hint = Some("write a type like `u32`, `aligned_u64`, `struct NAME`, `u8[16]`, `u8[]` or `u64 *`".into());
            None
        };
        let s = text.trim();
        let (base, dims) = match s.find('[') {
            Some(i) => (s[..i].trim(), &s[i..]),
            None => (s, ""),
        };
        let (base, pointers) = {
            let stars = base
                .chars()
                .rev()
                .take_while(|c| *c == '*' || c.is_whitespace())
                .filter(|c| *c == '*')
                .count();
            (
                base.trim_end_matches(|c: char| c == '*' || c.is_whitespace()),
                stars,
            )
        };
        if pointers > MAX_TYPE_LEVELS {
            return bad(
                self,
                format!("the type has {pointers} levels of pointers, more than {MAX_TYPE_LEVELS}"),
            );
        }
        let mut words = base.split_whitespace();
        let (tag, name) = match (words.next(), words.next(), words.next()) {
            (Some(t @ ("struct" | "union")), Some(n), None) => (Some(t), n),
            (Some(n), None, None) => (None, n),
            _ => return bad(self, format!("cannot read the type `{s}`")),
        };
        let mut ty = match (tag, name) {
            (None, "char") => Ty::Scalar(Scalar::Char),
            (None, "aligned_u64" | "__aligned_u64") => Ty::Scalar(Scalar::Aligned(IntTy::U64)),
            (None, "aligned_s64" | "__aligned_s64") => Ty::Scalar(Scalar::Aligned(IntTy::S64)),
            (None, n) if IntTy::parse(n).is_some() => Ty::Scalar(Scalar::Int(IntTy::parse(n)?)),
            (_, n) => match self
                .type_ids
                .get(n)
                .copied()
                .or_else(|| self.import_type(n))
                .as_ref()
            {
                Some(&id) => {
                    let k = self.types[id].kind;
                    let want = match tag {
                        Some("struct") => Some(Kind::Struct),
                        Some("union") => Some(Kind::Union),
                        _ => None,
                    };
                    if want.is_some_and(|w| w != k) {
                        self.diags
                            .error(
                                Code::UnknownType,
                                text.span,
                                format!("`{n}` is a {}, not a {}", kind_word(k), tag.unwrap_or("")),
                            )
                            .hint = Some(format!("write `{} {n}`", kind_word(k)));
                        return None;
                    }
                    Ty::Named(id)
                }
                None => {
                    let lower = n.to_ascii_lowercase();
                    self.suggestions += 1;
                    let keys = if self.suggestions > MAX_SUGGESTIONS || n.len() > MAX_NAME_LEN {
                        None
                    } else {
                        Some(self.type_ids.keys())
                    };
                    let best = keys
                        .into_iter()
                        .flatten()
                        .filter(|k| k.len().abs_diff(n.len()) <= 3)
                        .map(|k| (edit_distance(&lower, k), k))
                        .filter(|(d, _)| *d <= 3)
                        .min();
                    let hint = match best {
                        Some((_, k)) => format!("did you mean `{k}`?"),
                        None if names::is_c_identifier(n) => "define it under `structs:`; integer types are u8..u64, s8..s64, aligned_u64, char".into(),
                        None => "write a type like `u32` or `struct NAME`".into(),
                    };
                    self.diags
                        .error(Code::UnknownType, text.span, format!("unknown type `{n}`"))
                        .hint = Some(hint);
                    return None;
                }
            },
        };
        if pointers > 0 && matches!(ty, Ty::Scalar(Scalar::Aligned(_))) {
            self.diags
                .error(
                    Code::BadTypeSyntax,
                    text.span,
                    format!("`{s}` is a pointer to `{name}`, which C lays out differently from what it says"),
                )
                .hint = Some(
                "the kernel's `__aligned_u64` is a macro, so `__aligned_u64 *p` makes the pointer member itself 8-aligned; \
                 write `aligned_u64` for a user address, or `u64 *`"
                    .into(),
            );
            return None;
        }
        for _ in 0..pointers {
            ty = Ty::Ptr(Box::new(ty));
        }
        // Array suffixes, outermost first: `T[2][3]` is an array of 2 arrays of 3.
        let mut lens: Vec<Option<(u64, Expr)>> = Vec::new();
        let mut rest = dims.trim();
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('[') else {
                return bad(self, format!("unexpected `{rest}` in the type `{s}`"));
            };
            if lens.len() >= MAX_TYPE_LEVELS {
                return bad(
                    self,
                    format!("the type has more than {MAX_TYPE_LEVELS} array dimensions"),
                );
            }
            let Some(close) = closing_bracket(inner) else {
                return bad(self, format!("missing `]` in the type `{s}`"));
            };
            let len_text = inner[..close].trim();
            rest = inner[close + 1..].trim_start();
            if len_text.is_empty() {
                if !lens.is_empty() {
                    return bad(
                        self,
                        "only the first array dimension can be flexible (`[]`)".into(),
                    );
                }
                lens.push(None);
                continue;
            }
            let e = match expr::parse(len_text) {
                Ok(e) => e,
                Err(err) => {
                    return bad(
                        self,
                        format!("cannot read the array length `{len_text}`: {}", err.message),
                    );
                }
            };
            let v = self.value_of(None, Some(&e), text.span, "the array length")?;
            if !(1..=(1i128 << 32)).contains(&v) {
                self.diags
                    .error(
                        Code::ArrayLength,
                        text.span,
                        format!("array length {v} is not between 1 and 2^32"),
                    )
                    .hint = Some("for a variable-length tail use a flexible array `T[]`".into());
                return None;
            }
            lens.push(Some((v as u64, e)));
        }
        for l in lens.into_iter().rev() {
            ty = match l {
                Some((n, e)) => Ty::Array(Box::new(ty), n, e),
                None => Ty::Flex(Box::new(ty)),
            };
        }
        Some(ty)
    }

    fn ioctls(&mut self) -> Vec<Ioctl> {
        let spec = self.spec;
        let mut out = Vec::new();
        for io in &spec.ioctls {
            let field = |this: &mut Self, e: &Sp<spec::ExprText>, what: &str| -> IntValue {
                let parsed = this.parse_expr(e);
                let v = parsed
                    .as_ref()
                    .and_then(|x| {
                        this.value_of(
                            None,
                            Some(x),
                            e.span,
                            &format!("the {what} of `{}`", *io.name),
                        )
                    })
                    .unwrap_or(0);
                if !(0..=255).contains(&v) {
                    this.diags
                        .error(
                            Code::IoctlField,
                            e.span,
                            format!(
                                "the {what} of `{}` is {v}, which does not fit in 8 bits",
                                *io.name
                            ),
                        )
                        .hint = Some("ioctl type and number are 0..=255 each".into());
                }
                IntValue {
                    expr: parsed.unwrap_or(Expr::Num(v, v.to_string())),
                    value: v,
                    ty: IntTy::U8,
                }
            };
            let ty = field(self, &io.ty, "type");
            let nr = field(self, &io.nr, "number");
            let arg = io.arg.as_ref().and_then(|a| {
                let t = self.parse_type(a)?;
                if matches!(t, Ty::Flex(_)) && !matches!(t.element(), Ty::Scalar(_)) {
                    self.diags
                        .error(Code::IoctlArg, a.span, "an ioctl argument can be a flexible array of scalars only (a string or buffer)")
                        .hint = Some("name the struct itself: `arg: struct NAME`".into());
                }
                Some(t)
            });
            let pass = io.pass.as_ref().map_or(Pass::Pointer, |p| p.value);
            if pass == Pass::Value {
                let ok = matches!(arg, Some(Ty::Scalar(Scalar::Int(t))) if t.bytes() <= 4);
                if !ok {
                    let span = io.pass.as_ref().map_or(io.name.span, |p| p.span);
                    self.diags
                        .error(Code::IoctlArg, span, format!("`{}` passes its argument by value, which needs an integer of at most 32 bits as `arg`", *io.name))
                        .hint = Some("use `arg: u32` (or s32), or `pass: pointer`".into());
                }
            }
            if io.dir.value != spec::Dir::None && arg.is_none() {
                self.diags
                    .error(
                        Code::IoctlArg,
                        io.dir.span,
                        format!("`{}` encodes an argument size but has no `arg`", *io.name),
                    )
                    .hint = Some("name the argument type with `arg:`, or use `dir: none`".into());
            }
            if io.dir.value != spec::Dir::None && matches!(arg, Some(Ty::Flex(_))) {
                self.diags
                    .error(
                        Code::IoctlArg,
                        io.dir.span,
                        format!(
                            "`{}` encodes the size of a flexible array, which has none",
                            *io.name
                        ),
                    )
                    .hint = Some("use `dir: none` for variable-size arguments".into());
            }
            out.push(Ioctl {
                c_name: io.name.value.clone(),
                rust_name: self.rust_or(
                    &io.rust_name,
                    names::const_name(&io.name, self.prefix.as_deref()),
                ),
                dir: io.dir.value,
                ty,
                nr,
                arg,
                pass,
                returns: io
                    .returns
                    .as_ref()
                    .map_or(spec::Returns::Value, |r| r.value),
                doc: doc(&io.doc),
                span: io.name.span,
            });
        }
        out
    }

    /// Named types ordered so that every type comes after the types it embeds.
    fn order(&mut self) -> Vec<TypeId> {
        fn root(types: &[TypeDef], mut id: TypeId) -> TypeId {
            while let Some((p, _)) = types[id].parent {
                id = p;
            }
            id
        }
        fn deps(types: &[TypeDef], id: TypeId, out: &mut Vec<TypeId>) {
            for f in &types[id].fields {
                let mut t = &f.ty;
                while let Ty::Array(e, ..) | Ty::Flex(e) = t {
                    t = e;
                }
                if let Ty::Named(d) = t {
                    if types[*d].parent.is_some() {
                        deps(types, *d, out);
                    } else {
                        out.push(*d);
                    }
                }
            }
        }
        let n = self.types.len();
        let mut mark = vec![0u8; n]; // 0 new, 1 in progress, 2 done
        let mut order = Vec::new();
        let mut reported = false;
        let named: Vec<TypeId> = (0..n)
            .filter(|&i| self.types[i].parent.is_none() && self.types[i].origin.is_none())
            .collect();
        for start in named {
            let mut stack = vec![(start, None::<Vec<TypeId>>)];
            while let Some((id, pending)) = stack.pop() {
                let pending = match pending {
                    Some(p) => p,
                    None => {
                        if mark[id] == 2 {
                            continue;
                        }
                        if mark[id] == 1 {
                            continue;
                        }
                        mark[id] = 1;
                        let mut d = Vec::new();
                        deps(&self.types, id, &mut d);
                        d.reverse();
                        d
                    }
                };
                let mut pending = pending;
                match pending.pop() {
                    Some(d) => {
                        stack.push((id, Some(pending)));
                        let d = root(&self.types, d);
                        if mark[d] == 1 {
                            if !reported {
                                reported = true;
                                let t = &self.types[d];
                                self.diags
                                    .error(Code::RecursiveType, t.span, format!("{} contains itself", t.display_name_lite()))
                                    .hint = Some("a struct cannot embed itself; use a pointer (`u64` user address) instead".into());
                            }
                        } else if mark[d] == 0 {
                            stack.push((d, None));
                        }
                    }
                    None => {
                        mark[id] = 2;
                        order.push(id);
                    }
                }
            }
        }
        order
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
