//! IR optimisation passes (none yet: blocks run as the frontend emits them).
