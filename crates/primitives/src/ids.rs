//! Identifiers shared across contracts and their validation.

/// A model's id: a short slug (`[a-z0-9-]`, 1..=64 chars, no leading/trailing `-`).
pub type ModelId = String;

/// Version numbers are assigned per model, starting at 1.
pub type VersionNumber = u32;

/// Longest slug accepted for model ids, aliases and similar names.
pub const MAX_SLUG_LEN: usize = 64;

/// Checks that `value` is a slug; returns a message naming `what` otherwise.
pub fn validate_slug(what: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || value.len() > MAX_SLUG_LEN {
        return Err(format!("{what} must be 1 to {MAX_SLUG_LEN} characters"));
    }
    let ok_chars =
        value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.');
    if !ok_chars || value.starts_with(['-', '_', '.']) || value.ends_with(['-', '_', '.']) {
        return Err(format!(
            "{what} may only contain a-z, 0-9, '-', '_' and '.', and must start and end with a letter or digit"
        ));
    }
    Ok(())
}

/// Checks that a free-form string is at most `max` bytes.
pub fn validate_bounded(what: &str, value: &str, max: usize) -> Result<(), String> {
    if value.len() > max {
        return Err(format!("{what} is too long: {} bytes, at most {max}", value.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(validate_slug("model id", "llama-3.1_8b").is_ok());
        assert!(validate_slug("model id", "").is_err());
        assert!(validate_slug("model id", "-x").is_err());
        assert!(validate_slug("model id", "Upper").is_err());
        assert!(validate_slug("model id", &"a".repeat(65)).is_err());
        assert_eq!(validate_bounded("uri", "abcd", 3).unwrap_err(), "uri is too long: 4 bytes, at most 3");
    }
}
