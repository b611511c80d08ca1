//! Harness of the end-to-end tests: the real `cratb` binary, as a command and as a server
//! child process, over a fresh SQLite file or a fresh PostgreSQL database (when
//! `CRATB_TEST_DATABASE_URL` is set).
#![allow(dead_code)]

// Each test file takes what it needs of these.
#[allow(unused_imports)]
pub use cratb_testkit::{Client, scalar_at};
use std::process::{Child, Command};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_cratb");
pub const COORD: &str = "coordination@demo.cratb.fr";

pub fn unique() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

/// A fresh database: a new PostgreSQL database when asked for, else a temporary SQLite file.
pub async fn fresh_database() -> String {
    cratb_testkit::fresh_database("cratb_e2e").await
}

/// Runs `cratb <args>`, which must succeed; returns its standard output.
pub fn cratb(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("CRATB_LOG", "warn")
        .output()
        .expect("run cratb");
    assert!(
        out.status.success(),
        "cratb {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The server child process, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// Its standard error (the log).
    pub log: std::path::PathBuf,
    /// Its standard output.
    pub out: std::path::PathBuf,
}

impl Server {
    /// `cratb serve --database <database> --mfa-optional` (these tests are about imports and
    /// restarts, their accounts sign in with a password), once it answers.
    pub async fn start(database: &str) -> Server {
        Self::serve(&["--database", database, "--mfa-optional"]).await
    }

    /// `cratb serve` on a free port with `args`, once it answers.
    pub async fn serve(args: &[&str]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (log, out) = (
            std::env::temp_dir().join(format!("cratb-e2e-{}.log", unique())),
            std::env::temp_dir().join(format!("cratb-e2e-{}.out", unique())),
        );
        let child = Command::new(BIN)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(args)
            .env("CRATB_LOG", "warn")
            .env_remove("CRATB_DATABASE_URL")
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start cratb serve");
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            out,
        };
        let http = reqwest::Client::new();
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("cratb serve exited ({status}): {}", server.log());
            }
            if let Ok(r) = http.get(server.url("/healthz")).send().await
                && r.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What it printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    /// Asks it to stop (SIGTERM) and waits until it has.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(sent.success());
        self.child.wait().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs in through the login form, which must succeed: the session's caller.
    pub async fn login(&self, email: &str, password: &str) -> Client {
        Client::login(&self.base, email, password).await
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The peak resident memory of the server so far, in bytes.
    pub fn peak_resident(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("VmHWM");
        let kib: u64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .expect("VmHWM in kB");
        kib * 1024
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.out);
    }
}

/// The password `cratb demo` (or `serve --demo`) printed for `email`.
pub fn demo_password(accounts: &str, email: &str) -> String {
    accounts
        .lines()
        .find(|l| l.split_whitespace().next() == Some(email))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("no demo account {email} in:\n{accounts}"))
        .to_owned()
}
