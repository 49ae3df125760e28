//! A sealed transport body from the network: parsing must never panic.
#![no_main]
use detente_proto::limits::Limits;
use detente_proto::seal::SealedEnvelope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = SealedEnvelope::parse(data, &Limits::default());
});
