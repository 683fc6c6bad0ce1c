//! Running a command and measuring it: wall time and the peak resident memory of the
//! process (and its waited-for children), from `wait4`.

use std::process::Command;
use std::time::{Duration, Instant};

/// One run of a command.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub wall: Duration,
    /// Peak resident set size in KiB.
    pub max_rss_kib: u64,
}

/// Run `cmd` to its end; an error names the command and shows its stderr when it fails.
pub fn run(cmd: &mut Command) -> Result<Run, String> {
    run_logged(cmd).map(|(r, _)| r)
}

/// [`run`], also returning what the command printed on stderr.
pub fn run_logged(cmd: &mut Command) -> Result<(Run, String), String> {
    run_accepting(cmd, &[0])
}

/// [`run_logged`] where any exit code of `accept` counts as success (`uapigen lint` exits 1
/// on findings, `check` on errors: measured work, not failures).
pub fn run_accepting(cmd: &mut Command, accept: &[i32]) -> Result<(Run, String), String> {
    let shown = format!("{cmd:?}");
    cmd.stdout(std::process::Stdio::null());
    cmd.stderr(std::process::Stdio::piped());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    // Drain stderr on a thread so that a chatty command cannot block on a full pipe.
    let err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut e) = err {
            let _ = std::io::Read::read_to_string(&mut e, &mut s);
        }
        s
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet waited for; both pointers are valid.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    let stderr = reader.join().unwrap_or_default();
    if r != pid {
        return Err(format!(
            "wait4 failed for {shown}: {}",
            std::io::Error::last_os_error()
        ));
    }
    if !(libc::WIFEXITED(status) && accept.contains(&libc::WEXITSTATUS(status))) {
        return Err(format!(
            "{shown} failed (status {status}):\n{}",
            last_lines(&stderr)
        ));
    }
    Ok((
        Run {
            wall,
            max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        },
        stderr,
    ))
}

/// Run `cmd` and return its stdout and stderr; an error when it fails.
pub fn output(cmd: &mut Command) -> Result<(String, String), String> {
    let shown = format!("{cmd:?}");
    let o = cmd
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    if !o.status.success() {
        return Err(format!(
            "{shown} failed ({}):\n{}",
            o.status,
            last_lines(&err)
        ));
    }
    Ok((out, err))
}

/// The last 15 lines of a command's stderr, for an error message.
fn last_lines(err: &str) -> String {
    let lines: Vec<&str> = err.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Median of some values (the mean of the middle two for an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Medians of wall time (ms) and peak memory (MiB) of some runs.
pub fn medians(runs: &[Run]) -> (f64, f64) {
    (
        median(runs.iter().map(|r| r.wall.as_secs_f64() * 1e3).collect()),
        median(runs.iter().map(|r| r.max_rss_kib as f64 / 1024.0).collect()),
    )
}
