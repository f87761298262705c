//! `emu-binfmt` (register/unregister/status of binfmt_misc entries) will live here.
//! Nothing is built yet: see issue "Transparent execution and cross-debugging".
