// Embeds the trained models when `models/` holds them (a fresh checkout
// does); without them the library still builds and says so at run time.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(rhetor_models)");
    // Read at run time: `env!` would bake in the directory the build script
    // was first compiled for, which a shared target directory reuses.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = std::path::Path::new(&manifest).join("../../models");
    let files = ["techniques.bin", "frames.bin", "genre.bin", "evidence.bin"];
    for f in files {
        println!("cargo::rerun-if-changed={}", dir.join(f).display());
    }
    if files.iter().all(|f| dir.join(f).is_file()) {
        println!("cargo::rustc-cfg=rhetor_models");
    }
    println!("cargo::rustc-check-cfg=cfg(rhetor_heads)");
    let heads = [
        "encoder-techniques.bin",
        "encoder-frames.bin",
        "encoder-genre.bin",
    ];
    for f in heads {
        println!("cargo::rerun-if-changed={}", dir.join(f).display());
    }
    if heads.iter().all(|f| dir.join(f).is_file()) {
        println!("cargo::rustc-cfg=rhetor_heads");
    }
    // Fine-tuned top layers, which the technique head may read.
    println!("cargo::rustc-check-cfg=cfg(rhetor_tuned)");
    let layers = dir.join("encoder-layers.bin");
    println!("cargo::rerun-if-changed={}", layers.display());
    if layers.is_file() {
        println!("cargo::rustc-cfg=rhetor_tuned");
    }
    // The span head over the encoder's word states (optional).
    println!("cargo::rustc-check-cfg=cfg(rhetor_span_head)");
    let span_head = dir.join("encoder-evidence.bin");
    println!("cargo::rerun-if-changed={}", span_head.display());
    if span_head.is_file() {
        println!("cargo::rustc-cfg=rhetor_span_head");
    }
}
