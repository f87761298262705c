//! The emulator's own log: which `-d` items are on and where lines go
//! (stderr, or the `-D` file). Guest output never passes through here.

use std::fs::File;
use std::io::Write;
use std::sync::Mutex;

/// `-d` items, QEMU's names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogItems {
    /// Guest code of each new block, disassembled with capstone.
    pub in_asm: bool,
    /// IR of each new block, as the frontend made it.
    pub op: bool,
    /// IR of each new block after the optimisation passes.
    pub op_opt: bool,
    /// Host code of each new block (JIT), disassembled with iced-x86.
    pub out_asm: bool,
    /// A line per executed block.
    pub exec: bool,
    /// CPU state before each executed block.
    pub cpu: bool,
    /// Syscalls, strace-style.
    pub strace: bool,
    /// Unimplemented syscalls and other unsupported requests.
    pub unimp: bool,
    /// Guest memory map changes (mmap/munmap/mprotect/brk).
    pub page: bool,
    /// The engine's counters (translations, chaining, jump cache, return
    /// stack) when the guest exits.
    pub stats: bool,
}

/// One `-d help` line per item: (name, description).
pub const ITEMS: &[(&str, &str)] = &[
    ("in_asm", "show guest code of each translated block"),
    ("op", "show the IR of each translated block"),
    (
        "op_opt",
        "show the IR of each translated block after the passes",
    ),
    (
        "out_asm",
        "show the host code of each translated block (-accel jit)",
    ),
    ("exec", "show a line per executed block"),
    ("cpu", "show the CPU state before each executed block"),
    ("strace", "log system calls (same as -strace)"),
    ("unimp", "log unimplemented functionality"),
    ("page", "log guest memory map changes"),
    ("stats", "show translation and dispatch counters at exit"),
];

impl LogItems {
    /// Parses a `-d` list such as `in_asm,op`.
    pub fn parse(list: &str) -> Result<LogItems, String> {
        let mut items = LogItems::default();
        for name in list.split(',').filter(|s| !s.is_empty()) {
            let flag = match name {
                "in_asm" => &mut items.in_asm,
                "op" => &mut items.op,
                "op_opt" => &mut items.op_opt,
                "out_asm" => &mut items.out_asm,
                "exec" => &mut items.exec,
                "cpu" => &mut items.cpu,
                "strace" => &mut items.strace,
                "unimp" => &mut items.unimp,
                "page" => &mut items.page,
                "stats" => &mut items.stats,
                _ => return Err(format!("unknown -d item '{name}' (try -d help)")),
            };
            *flag = true;
        }
        Ok(items)
    }
}

/// The log sink.
pub struct Log {
    pub items: LogItems,
    file: Option<Mutex<File>>,
}

impl Log {
    pub fn new(items: LogItems, file: Option<File>) -> Log {
        Log {
            items,
            file: file.map(Mutex::new),
        }
    }

    /// Writes `text` (one or more complete lines).
    pub fn write(&self, text: &str) {
        match &self.file {
            Some(f) => {
                let _ = f
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .write_all(text.as_bytes());
            }
            None => {
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }
        }
    }
}
