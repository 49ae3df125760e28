//! A signed envelope from a peer: parsing must never panic.
#![no_main]
use detente_proto::envelope::UnverifiedEnvelope;
use detente_proto::limits::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = UnverifiedEnvelope::parse(data, &Limits::default());
});
