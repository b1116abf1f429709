//! `-o` onto what a user may name: a folder, a missing folder, a device,
//! a FIFO, a symlink; the temporary file on SIGTERM, SIGINT and SIGKILL;
//! an earlier run's file when this run has no output; the file mode under
//! the user's umask.

#![cfg(unix)]

use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{run_in, Run};

const T1: &str = "examples/table1-declarations.csv";

fn table() -> String {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join(T1)
        .to_str()
        .unwrap()
        .to_string()
}

/// Runs a shell command line in `dir`, with `$B` the binary and `$T` table 1.
fn sh_in(dir: &Path, script: &str) -> Run {
    let out = Command::new("sh")
        .args(["-c", script])
        .env("B", env!("CARGO_BIN_EXE_cellbound"))
        .env("T", table())
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("spawn sh");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn temporaries(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.contains(".cellbound-"))
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

// ---- the path is checked before any work ----

#[test]
fn a_folder_is_refused_before_solving() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("adir")).unwrap();
    for out in ["adir/", "adir", ".", "nodir/"] {
        let r = run_in(dir.path(), &["bounds", &table(), "--open", "-o", out]);
        assert_eq!(r.status, 2, "{out}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("{out}: ")) && r.stderr.contains("; give a file name"),
            "{out}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("Not a directory"), "{}", r.stderr);
    }
    // A path ending with / names a folder even when none exists.
    let r = run_in(dir.path(), &["bounds", &table(), "--open", "-o", "nodir/"]);
    assert!(
        r.stderr.contains("nodir/: names a folder (it ends with /)"),
        "{}",
        r.stderr
    );
    assert_eq!(names(dir.path()), ["adir"]);
}

#[test]
fn a_missing_folder_is_refused_before_solving() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain"), "x").unwrap();
    for (out, says) in [
        ("nodir/x.json", "the folder nodir does not exist"),
        ("plain/x.json", "plain is not a folder"),
    ] {
        // A missing input is reported after the path, so the path was
        // checked first.
        let r = run_in(dir.path(), &["bounds", "missing.csv", "-o", out]);
        assert_eq!(r.status, 2, "{}", r.stderr);
        assert!(r.stderr.contains(says), "{out}: {}", r.stderr);
        assert!(r.stderr.contains(out), "{}", r.stderr);
        for cmd in ["audit", "explain"] {
            let r = run_in(
                dir.path(),
                &[cmd, "missing.csv", "--cell", "a,b", "-o", out],
            );
            assert_eq!(r.status, 2, "{cmd}: {}", r.stderr);
        }
        let r = run_in(
            dir.path(),
            &["synth", "--rows", "3", "--cols", "3", "-o", out],
        );
        assert_eq!(r.status, 2, "{}", r.stderr);
        assert!(r.stderr.contains(says), "{out}: {}", r.stderr);
    }
}

#[test]
fn a_read_only_folder_is_refused_before_solving() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // root may write anywhere: then there is nothing to refuse.
    if std::fs::write(ro.join("probe"), "x").is_ok() {
        return;
    }
    let r = run_in(dir.path(), &["bounds", "missing.csv", "-o", "ro/x.json"]);
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ro/x.json: cannot create a file in the folder ro"),
        "{}",
        r.stderr
    );
}

// ---- special files are written in place, symlinks followed ----

#[test]
fn dev_null_stays_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &["bounds", &table(), "--open", "-o", "/dev/null"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device());
    assert!(temporaries(Path::new("/dev")).is_empty());
}

#[test]
fn dev_stdout_writes_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &[
            "bounds",
            &table(),
            "--open",
            "--format",
            "csv",
            "-o",
            "/dev/stdout",
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("table,MRC,column,lower,upper,status\n"),
        "{}",
        r.stdout
    );
    // Standard output redirected to a file: appended to, not replaced.
    let r = sh_in(
        dir.path(),
        "echo before > log; $B bounds $T --open --format csv -o /dev/stdout >> log",
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
    assert!(log.starts_with("before\ntable,MRC,"), "{log}");
}

#[test]
fn a_fifo_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ff");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo here
    }
    let child = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(["bounds", &table(), "--open", "--format", "csv", "-o", "ff"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let got = std::fs::read_to_string(&fifo).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(got.starts_with("table,MRC,column,"), "{got}");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(names(dir.path()), ["ff"]);
}

#[test]
fn a_symlink_is_kept_and_its_target_written() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("real.json"), "previous run\n").unwrap();
    std::fs::set_permissions(
        other.join("real.json"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink("other/real.json", dir.path().join("link.json")).unwrap();
    // A dangling link: its target is created.
    std::os::unix::fs::symlink("other/new.json", dir.path().join("dangling.json")).unwrap();
    for link in ["link.json", "dangling.json"] {
        let r = run_in(dir.path(), &["bounds", &table(), "--open", "-o", link]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        let meta = std::fs::symlink_metadata(dir.path().join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} replaced");
        let text = std::fs::read_to_string(dir.path().join(link)).unwrap();
        assert!(text.contains("\"feasible\": true"), "{text}");
    }
    assert_eq!(mode(&other.join("real.json")), 0o640);
    assert_eq!(names(dir.path()), ["dangling.json", "link.json", "other"]);
    assert_eq!(names(&other), ["new.json", "real.json"]);
}

// ---- the temporary file on signals ----

/// Starts `bounds -o out.json` held for 30 s with its temporary file
/// written, and waits for that file to appear.
// The child is handed to the caller, which waits for it.
#[allow(clippy::zombie_processes)]
fn held(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(["bounds", &table(), "--open", "-o", "out.json"])
        .env("CELLBOUND_TEST_WRITE_PAUSE", "30")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(t) = temporaries(dir).pop() {
            return (child, t);
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no temporary file appeared");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(child: &Child, signal: &str) {
    let s = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(s.success());
}

#[test]
fn sigterm_and_sigint_remove_the_temporary_file() {
    for (signal, status) in [("-TERM", 143), ("-INT", 130)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("out.json"), "previous run\n").unwrap();
        let (mut child, tmp) = held(dir.path());
        assert!(
            tmp.starts_with(".out.json.cellbound-"),
            "named after its target: {tmp}"
        );
        // The handler may not be in place before the temporary exists.
        std::thread::sleep(Duration::from_millis(200));
        kill(&child, signal);
        let code = child.wait().unwrap().code();
        assert_eq!(code, Some(status), "{signal}");
        assert_eq!(names(dir.path()), ["out.json"], "{signal}");
        let text = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
        assert_eq!(text, "previous run\n");
    }
}

#[test]
fn a_temporary_left_by_sigkill_is_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, tmp) = held(dir.path());
    let pid = child.id();
    assert_eq!(tmp[..tmp.len() - 7], format!(".out.json.cellbound-{pid}"));
    kill(&child, "-KILL");
    child.wait().unwrap();
    assert_eq!(temporaries(dir.path()), std::slice::from_ref(&tmp));
    // Another target's run leaves it alone; the same target's removes it.
    std::fs::write(dir.path().join(".other.json.cellbound-1-abcdef"), "").unwrap();
    let r = run_in(
        dir.path(),
        &["bounds", &table(), "--open", "-o", "out.json"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(
        names(dir.path()),
        [".other.json.cellbound-1-abcdef", "out.json"]
    );
}

// ---- a stale file never stands in for this run ----

#[test]
fn a_run_without_output_removes_the_earlier_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prev.json"), "previous run\n").unwrap();
    // Infeasible under the default rule: exit 3, nothing to write.
    let r = run_in(
        dir.path(),
        &[
            "explain",
            &table(),
            "--cell",
            "MRC La Mitis,Volet 1",
            "-o",
            "prev.json",
        ],
    );
    assert_eq!(r.status, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("removed prev.json, an earlier run's output"),
        "{}",
        r.stderr
    );
    assert_eq!(names(dir.path()), Vec::<String>::new());
    // Bad input (exit 2) leaves the file as it was.
    std::fs::write(dir.path().join("prev.json"), "previous run\n").unwrap();
    let r = run_in(dir.path(), &["bounds", "missing.csv", "-o", "prev.json"]);
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("prev.json")).unwrap(),
        "previous run\n"
    );
    // bounds writes its infeasible answer (exit 3) in every format.
    let r = run_in(dir.path(), &["bounds", &table(), "-o", "prev.json"]);
    assert_eq!(r.status, 3, "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join("prev.json")).unwrap();
    assert!(text.contains("\"feasible\": false"), "{text}");
}

// ---- file modes under the user's umask ----

#[test]
fn a_new_file_gets_the_umask_mode_and_an_old_one_keeps_its_own() {
    const FILES: [&str; 3] = ["new.csv", "s.csv", "truth.csv"];
    for (umask, want) in [
        ("022", 0o644),
        ("002", 0o664),
        ("077", 0o600),
        ("027", 0o640),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let script = format!(
            "umask {umask} && $B bounds $T --open -o new.csv && \
             $B synth --rows 3 --cols 3 -o s.csv --truth truth.csv"
        );
        // First new files, then the same files overwritten under the same
        // umask after a chmod 604: their own mode stays.
        for (round, want) in [("new", want), ("overwritten", 0o604)] {
            let r = sh_in(dir.path(), &script);
            assert_eq!(r.status, 0, "{}", r.stderr);
            for f in FILES {
                let path = dir.path().join(f);
                assert_eq!(mode(&path), want, "umask {umask}: {f} {round}");
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o604)).unwrap();
            }
        }
    }
}
