// Embeds the trained models when `models/` holds them (a fresh checkout
// does); without them the library still builds and says so at run time.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(rhetor_models)");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
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
}
