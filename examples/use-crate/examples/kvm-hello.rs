//! Run a tiny real-mode guest under KVM with uapigen's bindings only:
//! `cargo run -p uapigen-example-crate --example kvm-hello`.

fn main() {
    match uapigen_example_crate::kvm_hello() {
        Ok(r) => {
            println!("KVM API version {}", r.api_version);
            print!("guest wrote: {}", r.output);
            println!("exits: {}", r.exits.join(" "));
        }
        Err(e) => {
            eprintln!("kvm-hello: {e}");
            std::process::exit(1);
        }
    }
}
