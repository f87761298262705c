//! Structural checks on IR blocks: every argument defined before use,
//! argument counts as the opcode table says, immediates in range.

use super::*;

#[derive(Debug, PartialEq, Eq)]
pub struct VerifyError {
    pub inst: usize,
    pub msg: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IR instruction {}: {}", self.inst, self.msg)
    }
}

pub fn verify(block: &Block) -> Result<(), VerifyError> {
    let mut defined = vec![false; block.num_values as usize];
    let err = |inst: usize, msg: String| Err(VerifyError { inst, msg });
    if block.insts.len() > super::MAX_BLOCK_INSTS {
        return err(
            super::MAX_BLOCK_INSTS,
            format!(
                "{} instructions, more than MAX_BLOCK_INSTS",
                block.insts.len()
            ),
        );
    }
    for (i, inst) in block.insts.iter().enumerate() {
        let n = inst.op.num_args();
        for (k, a) in inst.args.iter().enumerate() {
            let optional = inst.op == Op::Call;
            if k >= n || (optional && a.is_none()) {
                if k >= n && !a.is_none() {
                    return err(
                        i,
                        format!("{} takes {n} arguments, slot {k} is set", inst.op.name()),
                    );
                }
                continue;
            }
            if a.is_none() || a.index() >= defined.len() || !defined[a.index()] {
                return err(i, format!("argument {a:?} used before it is defined"));
            }
        }
        match (inst.op.has_dst(), inst.dst.is_none()) {
            (true, true) => return err(i, format!("{} needs a result value", inst.op.name())),
            (false, false) => return err(i, format!("{} has no result value", inst.op.name())),
            (true, false) => {
                let d = inst.dst.index();
                if d >= defined.len() || defined[d] {
                    return err(
                        i,
                        format!("result {:?} out of range or defined twice", inst.dst),
                    );
                }
                defined[d] = true;
            }
            (false, true) => {}
        }
        let imm_ok = match inst.op.imm_kind() {
            _ if inst.op == Op::CheckAlign => inst.imm <= 4,
            ImmKind::None => inst.imm == 0,
            ImmKind::MemOp => inst.imm < 8,
            ImmKind::Rmw => (inst.imm >> 8) < RmwOp::ALL.len() as u64 && inst.imm & 0xf8 == 0,
            ImmKind::Cond => inst.imm < Cond::ALL.len() as u64,
            ImmKind::Fence => inst.imm < 2,
            ImmKind::Helper => inst.imm != 0,
            ImmKind::Const | ImmKind::StateOffset | ImmKind::GuestPc => true,
        };
        if !imm_ok {
            return err(
                i,
                format!("bad immediate {:#x} for {}", inst.imm, inst.op.name()),
            );
        }
    }
    let used = match block.term {
        Terminator::Branch { cond, .. } => Some(cond),
        Terminator::Indirect { target, .. } => Some(target),
        _ => None,
    };
    if let Some(v) = used {
        if v.index() >= defined.len() || !defined[v.index()] {
            return err(
                block.insts.len(),
                format!("terminator uses undefined {v:?}"),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_block() {
        let mut b = Builder::new(0);
        let x = b.const_(1);
        let y = b.add(x, x);
        b.set_reg(0, y);
        assert_eq!(
            verify(&b.finish(
                4,
                1,
                Terminator::Indirect {
                    target: y,
                    kind: IndirectKind::Jump
                }
            )),
            Ok(())
        );
    }

    #[test]
    fn rejects_use_before_definition() {
        let mut b = Builder::new(0);
        b.emit(Op::Add, &[Value(5), Value(6)], 0);
        let e = verify(&b.finish(4, 1, Terminator::Jump(4))).unwrap_err();
        assert_eq!(e.inst, 0);
        assert!(e.msg.contains("used before"), "{}", e.msg);
    }

    #[test]
    fn rejects_bad_condition_immediate() {
        let mut b = Builder::new(0);
        let x = b.const_(1);
        b.emit(Op::Cmp, &[x, x], 99);
        assert_eq!(
            verify(&b.finish(4, 1, Terminator::Jump(4)))
                .unwrap_err()
                .inst,
            1
        );
    }

    #[test]
    fn rejects_undefined_branch_condition() {
        let b = Builder::new(0);
        let blk = b.finish(
            4,
            1,
            Terminator::Branch {
                cond: Value(0),
                taken: 0,
                not_taken: 4,
            },
        );
        assert!(verify(&blk).is_err());
    }
}
