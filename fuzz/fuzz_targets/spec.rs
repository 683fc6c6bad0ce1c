//! Spec bytes through the whole pipeline: parse, resolve, layout (every ABI), lint, every
//! emitter, the layout report and compat. Errors of `compile_str` are fine; panics, hangs
//! and crashes are not, and neither is a spec it accepts that an emitter cannot render
//! (everything `check` accepts generates output).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(model) = uapigen::compile_str("fuzz/spec.yaml", text) else { return };
    let _ = uapigen::lint::lint(&model);
    if let Err(e) = uapigen::files::render(
        std::slice::from_ref(&model),
        &uapigen::files::OutputDirs::crate_layout(),
        uapigen::emit::Mode::Build,
    ) {
        panic!("an accepted spec does not render: {e}");
    }
    let _ = uapigen::report::cross_abi_text(&model);
    let _ = uapigen::report::layout_text(&model, model.host());
    let _ = uapigen::compat::compare(&model, &model);
});
