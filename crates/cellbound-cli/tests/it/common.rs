//! Helpers shared by the tests that run the binary on small tables.

use std::path::Path;
use std::process::{Command, Stdio};

/// A path in the repository.
pub fn path(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `cellbound` with `args`: exit status, standard output, standard
/// error.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Writes `text` to `dir/name` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// `cellbound bounds TABLE [flags] --witnesses --format json` written to
/// `dir/bounds.json` (it must exit 0), read back.
pub fn witnessed(dir: &Path, table: &str, flags: &[&str]) -> serde_json::Value {
    let bounds = dir.join("bounds.json");
    let mut args = vec!["bounds", table];
    args.extend_from_slice(flags);
    args.extend([
        "--witnesses",
        "--format",
        "json",
        "-o",
        bounds.to_str().unwrap(),
    ]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&std::fs::read_to_string(&bounds).unwrap()).unwrap()
}

/// The synthetic cube `synth --shape cube --dims DIMS`, written to
/// `dir/cube.json`, and its [`witnessed`] bounds under `--open`: the
/// table's path and the bounds file.
pub fn witnessed_cube(dir: &Path, dims: &str) -> (String, serde_json::Value) {
    let table = dir.join("cube.json");
    let t = table.to_str().unwrap();
    let (code, _, err) = run(&["synth", "--shape", "cube", "--dims", dims, "-o", t]);
    assert_eq!(code, 0, "{err}");
    let json = witnessed(dir, t, &["--open"]);
    (t.to_string(), json)
}

/// `cellbound verify TABLE` on a bounds file `json`, written to
/// `dir/NAME.json`: exit status and standard output.
pub fn verify_json(dir: &Path, table: &str, json: &serde_json::Value, name: &str) -> (i32, String) {
    let out = dir.join(format!("{name}.json"));
    std::fs::write(&out, serde_json::to_string(json).unwrap()).unwrap();
    let (code, stdout, _) = run(&["verify", table, out.to_str().unwrap()]);
    (code, stdout)
}

/// What a run of the binary gave: exit status (-1 for a signal), standard
/// output and standard error.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cellbound` with `args` in the folder `dir`, with no standard
/// input.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("spawn cellbound");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
