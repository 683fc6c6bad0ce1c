//! C's value and type of each integer name of a module, indexed once, and the macros that
//! are not integer constant expressions.

use std::collections::{BTreeSet, HashMap};

use super::{ConstValue, Module, ice};
use crate::expr::{CValue, Expr};

impl Module {
    /// C's value and type of a name the header defines as an integer (`#define` or
    /// enumerator), as the header defines it; names of used specs too.
    pub fn c_value_of(&self, name: &str) -> Option<CValue> {
        self.c_values.get(name).copied()
    }

    /// The index of [`Module::c_value_of`], from the module's items.
    pub fn index_c_values(&self) -> HashMap<String, CValue> {
        let mut map = HashMap::new();
        for (n, v) in self.c_values() {
            map.entry(n.to_owned()).or_insert(v);
        }
        map
    }

    fn c_values(&self) -> impl Iterator<Item = (&str, CValue)> {
        let consts = self.constants.iter().filter_map(|c| match &c.value {
            ConstValue::Int(v) => Some((c.c_name.as_str(), v.c)),
            ConstValue::Str(_) => None,
        });
        let groups = self
            .groups
            .iter()
            .flat_map(|g| &g.values)
            .chain(self.flag_sets.iter().flat_map(|f| &f.bits))
            .map(|v| (v.c_name.as_str(), v.value.c));
        // An enum with a value outside `int` gives its enumerators the enum's type in C23
        // and `unsigned int` in C++: they are not `int`s there, so they count as unknown.
        let enums = self
            .enums
            .iter()
            .filter(|e| e.is_int())
            .flat_map(|e| &e.values)
            .map(|v| (v.c_name.as_str(), CValue::int(v.value)));
        let imported = self.imported.iter().map(|(n, v)| (n.as_str(), *v));
        consts.chain(groups).chain(enums).chain(imported)
    }

    /// The macros of [`Module::not_ice`], computed from the items' expressions.
    pub fn compute_not_ice(&self) -> BTreeSet<String> {
        let values: HashMap<&str, CValue> = self.c_values().collect();
        let exprs: HashMap<&str, &Expr> = self
            .constants
            .iter()
            .filter_map(|c| match &c.value {
                ConstValue::Int(v) => Some((c.c_name.as_str(), &v.expr)),
                ConstValue::Str(_) => None,
            })
            .chain(
                self.groups
                    .iter()
                    .flat_map(|g| &g.values)
                    .chain(self.flag_sets.iter().flat_map(|f| &f.bits))
                    .map(|v| (v.c_name.as_str(), &v.value.expr)),
            )
            .collect();
        let mut memo: HashMap<&str, bool> = HashMap::new();
        let mut out = BTreeSet::new();
        for name in exprs.keys() {
            if !ice::ice_of(name, &exprs, &values, &mut memo, 0) {
                out.insert((*name).to_owned());
            }
        }
        out
    }
}
