//! Text form of IR blocks (`-d op`, golden files, test failure messages).

use super::*;

impl fmt::Display for Inst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.dst.is_none() {
            write!(f, "{:?} = ", self.dst)?;
        }
        write!(f, "{}", self.op.name())?;
        let mut sep = " ";
        for a in self
            .args
            .iter()
            .take(self.op.num_args())
            .filter(|a| !a.is_none())
        {
            write!(f, "{sep}{a:?}")?;
            sep = ", ";
        }
        match self.op.imm_kind() {
            ImmKind::None => Ok(()),
            ImmKind::Const => write!(f, "{sep}{:#x}", self.imm),
            ImmKind::StateOffset => write!(f, "{sep}state+{}", self.imm),
            ImmKind::GuestPc => write!(f, "{sep}pc={:#x}", self.imm),
            ImmKind::Cond => write!(f, "{sep}{:?}", Cond::from_imm(self.imm)),
            ImmKind::Fence => write!(f, "{sep}{:?}", FenceKind::from_imm(self.imm)),
            ImmKind::MemOp => write_memop(f, sep, MemOp::from_imm(self.imm)),
            ImmKind::Rmw => {
                let (op, mem) = RmwOp::from_imm(self.imm);
                write!(f, "{sep}{op:?}")?;
                write_memop(f, " ", mem)
            }
            // SAFETY: Call immediates are only ever made by Helper::to_imm.
            ImmKind::Helper => write!(f, "{sep}@{}", unsafe { Helper::from_imm(self.imm) }.name),
        }
    }
}

fn write_memop(f: &mut fmt::Formatter<'_>, sep: &str, m: MemOp) -> fmt::Result {
    write!(
        f,
        "{sep}{}{}",
        if m.signed { "s" } else { "u" },
        8 << m.log2_size
    )
}

impl fmt::Display for Terminator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Terminator::Jump(pc) => write!(f, "jump {pc:#x}"),
            Terminator::Branch {
                cond,
                taken,
                not_taken,
            } => {
                write!(f, "branch {cond:?} ? {taken:#x} : {not_taken:#x}")
            }
            Terminator::Indirect { target, kind } => write!(f, "indirect {target:?} ({kind:?})"),
            Terminator::Exit { reason, pc } => write!(f, "exit {reason:?} pc={pc:#x}"),
        }
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "block {:#x} ({} bytes, {} insns):",
            self.pc, self.size, self.insn_count
        )?;
        for inst in &self.insts {
            writeln!(f, "  {inst}")?;
        }
        match self.call_return {
            Some(ret) => writeln!(f, "  {} (call, returns to {ret:#x})", self.term),
            None => writeln!(f, "  {}", self.term),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_every_kind_of_line() {
        let mut b = Builder::new(0x1000);
        b.insn_start(0x1000);
        let x = b.get_reg(8);
        let c = b.const_(5);
        let s = b.add(x, c);
        let l = b.load(MemOp::S32, s);
        b.set_reg(16, l);
        let t = b.cmp(Cond::LtU, x, c);
        let blk = b.finish(
            4,
            1,
            Terminator::Branch {
                cond: t,
                taken: 0x2000,
                not_taken: 0x1004,
            },
        );
        assert_eq!(
            blk.to_string(),
            "block 0x1000 (4 bytes, 1 insns):\n  InsnStart pc=0x1000\n  v0 = GetReg state+8\n  \
             v1 = Const 0x5\n  v2 = Add v0, v1\n  v3 = Load v2, s32\n  SetReg v3, state+16\n  \
             v4 = Cmp v0, v1, LtU\n  branch v4 ? 0x2000 : 0x1004\n"
        );
    }
}
