//! `uapigen explain CODE`: what an error code (`E0113`) or lint rule (`L0101`) means, with
//! an example for an error (a spec that gets it and the message, from the test fixtures of
//! `codegen/tests/errors`, the same as `docs/errors.md`).

use crate::diag::Code;
use crate::explain_examples::EXAMPLES;
use crate::rules::Rule;

/// The explanation of `code` (case-insensitive), or `None` for a code uapigen does not have.
pub fn explain(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    if let Some(r) = Rule::from_id(&code) {
        return Some(format!(
            "{} {}: {}\n\n{}\n\nAllow a finding where it is fine, with the reason: `allow: {{ {}: \"why\" }}` on the item.\n",
            r.id(),
            r.name(),
            r.summary(),
            r.explanation(),
            r.id()
        ));
    }
    let c = Code::ALL.iter().find(|c| c.as_str() == code)?;
    let mut s = format!("{}: {}\n", c.as_str(), c.summary());
    if let Some((_, spec, message)) = EXAMPLES.iter().find(|(k, ..)| *k == c.as_str()) {
        s.push_str("\nFor example, this spec:\n\n");
        for l in spec.lines() {
            s.push_str("    ");
            s.push_str(l);
            s.push('\n');
        }
        s.push_str("\ngets:\n\n");
        for l in message.lines() {
            s.push_str("    ");
            s.push_str(l);
            s.push('\n');
        }
    }
    s.push_str(
        "\nEvery way to get it, with the message: docs/errors.md; the keys: spec/README.md.\n",
    );
    Some(s)
}

/// The spec `uapigen init NAME` writes: a flag set, a struct with an argsz-style size and
/// flags, a value group and an ioctl, each with a doc, so that it passes `check` and `lint`
/// and shows the common keys.
pub fn starter_spec(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    format!(
        r#"# A starter spec: rename, then describe your header's items. The keys are in
# spec/README.md; `uapigen check {name}.yaml`, `uapigen lint {name}.yaml` and
# `uapigen generate {name}.yaml -o OUT` take it as it is.
name: {name}
header: linux/{name}.h
prefix: {name}
doc: What the {name} interface is for (write it in your own words).

constants:
  - {{ name: {upper}_TYPE, value: "0xE5", doc: The ioctl type byte. }}

flags:
  - name: {name}_setup_flags
    doc: Bits of {name}_setup.flags.
    bits:
      - {{ name: {upper}_SETUP_ENABLE, bit: 0, doc: Turn the device on. }}
      - {{ name: {upper}_SETUP_RESET, bit: 1, doc: Reset it first. }}

groups:
  - name: {name}_mode
    type: u32
    doc: Values of {name}_setup.mode.
    values:
      - {{ name: {upper}_MODE_OFF, value: 0, doc: Idle. }}
      - {{ name: {upper}_MODE_ON, value: 1, doc: Running. }}

structs:
  - name: {name}_setup
    doc: Argument of {upper}_SETUP.
    fields:
      - {{ name: argsz, type: u32, doc: Size of the structure; set by the caller. }}
      - {{ name: flags, type: u32, flags: {name}_setup_flags, doc: "{upper}_SETUP_* bits." }}
      - {{ name: mode, type: u32, values: {name}_mode, doc: What to run. }}
      - {{ name: reserved, type: u32, reserved: true, doc: Zero. }}
      - {{ name: limit, type: aligned_u64, doc: The most bytes the device may move. }}
    extensible: {{ size-field: argsz, style: minsz }}

ioctls:
  - name: {upper}_SETUP
    dir: none
    type: {upper}_TYPE
    nr: 1
    arg: struct {name}_setup
    doc: Set the device up.
"#
    )
}
