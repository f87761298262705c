//! Whole-computer emulation (softmmu, bus, devices, machines) will live here.
//! Nothing is built yet: user mode (the `emu` crate) comes first.
