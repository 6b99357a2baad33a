//! Compiles vendor/e5.c. On x86_64 twice — once with AVX2/FMA kernels, once without —
//! under different symbol names, so one binary runs fast where the CPU has AVX2 and still
//! runs where it has not (chosen at run time in `ffi`).

const SYMBOLS: &[&str] = &[
    "e5_load",
    "e5_load_mem",
    "e5_free",
    "e5_token_count",
    "e5_dim",
    "e5_embed",
    "e5_embed_batch",
    "e5_load_sae",
    "e5_sparse_dim",
    "e5_embed_sparse",
];

fn build(variant: &str, flags: &[&str]) {
    let mut b = cc::Build::new();
    b.file("vendor/e5.c").include("vendor").opt_level(3).warnings(false);
    for f in flags {
        b.flag(f);
    }
    for s in SYMBOLS {
        b.define(s, Some(format!("gk_{variant}_{s}").as_str()));
    }
    b.compile(&format!("e5_{variant}"));
}

fn main() {
    println!("cargo:rerun-if-changed=vendor/e5.c");
    println!("cargo:rerun-if-changed=vendor/e5.h");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_FEATURE_SEMANTIC").is_err() {
        return;
    }
    build("generic", &[]);
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64") {
        build("avx2", &["-mavx2", "-mfma"]);
    }
    println!("cargo:rustc-link-lib=m");
}
