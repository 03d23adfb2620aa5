//! Report data for admission by TDX quote.
//!
//! An inference node running in a TDX trust domain asks the attestation
//! contract for a challenge (`issue_tee_challenge`), then has its TD quote the
//! 64 bytes [`admission_report_data`] returns. The contract admits the node's
//! signing key only if the verified quote carries exactly these bytes: they
//! bind the quote to that contract, that signing key, the weights it will
//! serve and that challenge. Layout: `ai_commons_primitives::tee::admission_preimage`.

use ai_commons_primitives::receipt::Ed25519PublicKey;
use ai_commons_primitives::tee::{admission_preimage, admission_report_data as with_digest};
use ai_commons_primitives::Digest32;
use near_sdk::AccountId;
use sha2::{Digest, Sha256};

/// Weights digests in the order the contract binds them: ascending, no duplicates.
pub fn canonical_weights(weights_digests: &[Digest32]) -> Vec<Digest32> {
    let mut out = weights_digests.to_vec();
    out.sort();
    out.dedup();
    out
}

/// The 64 bytes a TD must put in its quote's report data to be admitted by
/// the inference-attestation contract `attestation_account` with
/// `signing_key`, serving `weights_digests` (any order; bound sorted), under
/// `challenge` (from the contract's `issue_tee_challenge`).
pub fn admission_report_data(
    attestation_account: &AccountId,
    signing_key: &Ed25519PublicKey,
    weights_digests: &[Digest32],
    challenge: &Digest32,
) -> [u8; 64] {
    let preimage = admission_preimage(
        attestation_account.as_str(),
        &signing_key.0,
        &canonical_weights(weights_digests),
        challenge,
    );
    with_digest(&Sha256::digest(preimage).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> (AccountId, Ed25519PublicKey, Vec<Digest32>, Digest32) {
        (
            "attest.near".parse().unwrap(),
            Ed25519PublicKey([3; 32]),
            vec![Digest32([2; 32]), Digest32([1; 32])],
            Digest32([9; 32]),
        )
    }

    #[test]
    fn report_data_is_sha256_of_the_preimage_then_zeros() {
        let (account, key, weights, challenge) = args();
        let rd = admission_report_data(&account, &key, &weights, &challenge);
        let sorted = [Digest32([1; 32]), Digest32([2; 32])];
        let want: [u8; 32] = Sha256::digest(admission_preimage("attest.near", &[3; 32], &sorted, &challenge)).into();
        assert_eq!(&rd[..32], &want);
        assert_eq!(&rd[32..], &[0u8; 32]);
    }

    #[test]
    fn every_bound_field_changes_the_report_data() {
        let (account, key, weights, challenge) = args();
        let base = admission_report_data(&account, &key, &weights, &challenge);
        // Order of the weights does not matter (they are bound sorted) ...
        let reversed: Vec<_> = weights.iter().rev().copied().collect();
        assert_eq!(admission_report_data(&account, &key, &reversed, &challenge), base);
        // ... but each field does.
        assert_ne!(admission_report_data(&"other.near".parse().unwrap(), &key, &weights, &challenge), base);
        assert_ne!(admission_report_data(&account, &Ed25519PublicKey([4; 32]), &weights, &challenge), base);
        assert_ne!(admission_report_data(&account, &key, &weights[..1], &challenge), base);
        assert_ne!(admission_report_data(&account, &key, &weights, &Digest32([8; 32])), base);
    }
}
