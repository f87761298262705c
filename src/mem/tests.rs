//! Tests of `AddressSpace` against the real host mappings.
