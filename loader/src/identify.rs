//! File type detection (`identify`): ELF, Mach-O (thin or fat), `#!` scripts
//! parsed like Linux's binfmt_script, or unknown.

/// What kind of executable a file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind<'a> {
    Elf,
    MachO,
    /// A `#!` script: run `interpreter [arg] <script path> <argv[1..]>`.
    Script {
        interpreter: &'a [u8],
        arg: Option<&'a [u8]>,
    },
    Unknown,
}

/// Linux's BINPRM_BUF_SIZE: how much of a script's first line is looked at.
pub const BINPRM_BUF_SIZE: usize = 256;

/// Classify a file by its leading bytes. Never fails: junk is `Unknown`.
pub fn identify(bytes: &[u8]) -> FileKind<'_> {
    if bytes.starts_with(b"\x7fELF") {
        return FileKind::Elf;
    }
    if is_macho(bytes) {
        return FileKind::MachO;
    }
    if bytes.starts_with(b"#!") {
        return parse_script(bytes).unwrap_or(FileKind::Unknown);
    }
    FileKind::Unknown
}

/// Mach-O thin (0xfeedface / 0xfeedfacf) in either byte order, or a fat/universal
/// header (0xcafebabe / 0xcafebabf) with a small architecture count; Java class
/// files share 0xcafebabe but have a version word >= 45 there.
pub(crate) fn is_macho(bytes: &[u8]) -> bool {
    let word =
        |at: usize| -> Option<[u8; 4]> { bytes.get(at..at.checked_add(4)?)?.try_into().ok() };
    let Some(magic) = word(0) else {
        return false;
    };
    let be = u32::from_be_bytes(magic);
    let le = u32::from_le_bytes(magic);
    if [be, le]
        .iter()
        .any(|&m| m == 0xfeed_face || m == 0xfeed_facf)
    {
        return true;
    }
    let fat_be = be == 0xcafe_babe || be == 0xcafe_babf;
    let fat_le = le == 0xcafe_babe || le == 0xcafe_babf;
    if !(fat_be || fat_le) {
        return false;
    }
    let Some(n) = word(4) else {
        return false;
    };
    let count = if fat_be {
        u32::from_be_bytes(n)
    } else {
        u32::from_le_bytes(n)
    };
    (1..20).contains(&count)
}

fn spacetab(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// binfmt_script's first-line parse over the zero-padded 256-byte buffer.
fn parse_script(bytes: &[u8]) -> Option<FileKind<'_>> {
    let n = bytes.len().min(BINPRM_BUF_SIZE);
    let head = bytes.get(..n)?;
    // The kernel's buffer is zero-filled past the end of a short file.
    let at = |i: usize| -> u8 { head.get(i).copied().unwrap_or(0) };
    let buf_end = BINPRM_BUF_SIZE - 1;
    let next_non_spacetab = |from: usize, to: usize| (from..to).find(|&i| !spacetab(at(i)));
    let next_terminator = |from: usize, to: usize| {
        (from..to).find(|&i| {
            let c = at(i);
            spacetab(c) || c == 0
        })
    };

    let mut i_end = match head.iter().position(|&c| c == b'\n') {
        Some(nl) => nl,
        None => {
            // No newline in the buffer: the line may have been cut short. Accept it
            // only if the interpreter path is visibly terminated within the buffer.
            let first = next_non_spacetab(2, buf_end)?;
            next_terminator(first, buf_end)?;
            buf_end
        }
    };
    // Trim trailing spaces/tabs ("#!" itself stops this).
    while i_end > 2 && spacetab(at(i_end - 1)) {
        i_end -= 1;
    }
    let i_name = next_non_spacetab(2, i_end)?;
    let i_sep = next_terminator(i_name, i_end);
    let name_end = i_sep.unwrap_or(i_end);
    let arg = match i_sep {
        Some(sep) if at(sep) != 0 => next_non_spacetab(sep, i_end).map(|a| {
            // The argument is a C string: it also ends at the first NUL.
            let end = (a..i_end).find(|&i| at(i) == 0).unwrap_or(i_end);
            head.get(a..end.min(n)).unwrap_or(&[])
        }),
        _ => None,
    };
    let interpreter = head.get(i_name..name_end.min(n))?;
    if interpreter.is_empty() {
        return None;
    }
    Some(FileKind::Script { interpreter, arg })
}
