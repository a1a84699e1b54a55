//! Argument values checked as clap parses them, so a bad one is refused with exit code 2 and
//! a message naming the argument, before anything is opened or sent.

use switchboard_engine::MAX_CLIENT_NAME_CHARS;
use switchboard_engine::core::Usd;
use switchboard_engine::router::{NameError, check_name, is_unsafe_char};

/// The longest base URL a custom provider may have.
const MAX_URL_CHARS: usize = 2_048;

/// Why an argument's value is refused; clap prints it after the argument's name.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ArgError {
    /// Not a number, or outside the range.
    #[error("the temperature is a number from 0 to 2 (0 is the most predictable)")]
    Temperature,
    /// An empty model id, which OpenRouter would silently replace with the account's default.
    #[error("the model id is empty; give one, e.g. openai/gpt-4o-mini")]
    EmptyModel,
    /// A model id nobody could have meant.
    #[error("the model id {0}")]
    Model(NameError),
    /// A name that cannot be shown or stored as given.
    #[error("the name {0}")]
    Name(NameError),
    /// A client key's name longer than the engine takes.
    #[error(
        "the name is {0} characters long; a client key's name has at most {MAX_CLIENT_NAME_CHARS}"
    )]
    ClientNameTooLong(usize),
    /// A base URL too long, or with invisible characters.
    #[error("the base URL must be at most {MAX_URL_CHARS} characters of visible text")]
    Url,
    /// Not an amount.
    #[error("\"{0}\" is not an amount of dollars like 5 or 0.50")]
    Amount(String),
    /// An amount that is not zero but rounds to zero.
    #[error(
        "{0} is not 0 but rounds to $0, which would refuse every request; Switchboard counts \
         to $0.000000000001, so give at least that (or 0 to refuse every request on purpose)"
    )]
    RoundsToZero(String),
}

/// `--temperature`: a finite number from 0 to 2 (NaN and infinity would be sent as `null`).
pub(crate) fn temperature(text: &str) -> Result<f32, ArgError> {
    let t: f32 = text.trim().parse().map_err(|_| ArgError::Temperature)?;
    if t.is_finite() && (0.0..=2.0).contains(&t) {
        Ok(t)
    } else {
        Err(ArgError::Temperature)
    }
}

/// `--model`: not empty, and a model id could be it.
pub(crate) fn model(text: &str) -> Result<String, ArgError> {
    match check_name(text) {
        Ok(()) => Ok(text.trim().to_owned()),
        Err(NameError::Empty) => Err(ArgError::EmptyModel),
        Err(e) => Err(ArgError::Model(e)),
    }
}

/// A name for a budget, a provider or an agent: visible text, at most 200 characters
/// (the router's `MAX_NAME_CHARS`).
pub(crate) fn name(text: &str) -> Result<String, ArgError> {
    check_name(text).map_err(ArgError::Name)?;
    Ok(text.to_owned())
}

/// A client key's name: visible text, at most 64 characters (the engine's
/// [`MAX_CLIENT_NAME_CHARS`]), without the spaces around it.
pub(crate) fn client_name(text: &str) -> Result<String, ArgError> {
    check_name(text).map_err(ArgError::Name)?;
    let name = text.trim();
    let chars = name.chars().count();
    if chars > MAX_CLIENT_NAME_CHARS {
        return Err(ArgError::ClientNameTooLong(chars));
    }
    Ok(name.to_owned())
}

/// A base URL: bounded and visible (its syntax is the engine's to check).
pub(crate) fn base_url(text: &str) -> Result<String, ArgError> {
    if text.chars().count() > MAX_URL_CHARS || text.chars().any(is_unsafe_char) {
        return Err(ArgError::Url);
    }
    Ok(text.to_owned())
}

/// `--limit`: dollars, with an optional `$`. An amount below what the ledger counts would
/// silently become $0, so it is refused rather than rounded.
pub(crate) fn limit(text: &str) -> Result<Usd, ArgError> {
    let amount = text.trim().trim_start_matches('$');
    let usd = Usd::parse(amount).map_err(|_| ArgError::Amount(text.to_owned()))?;
    // The digits before any exponent: a non-zero one means the amount was not zero.
    let mantissa = amount.split(['e', 'E']).next().unwrap_or_default();
    if usd == Usd::ZERO && mantissa.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        return Err(ArgError::RoundsToZero(text.to_owned()));
    }
    Ok(usd)
}

#[cfg(test)]
mod tests {
    use switchboard_engine::router::bounds::MAX_NAME_CHARS;

    use super::*;

    #[test]
    fn temperatures_must_be_finite_and_in_range() {
        assert_eq!(temperature("0.7").unwrap(), 0.7);
        assert_eq!(temperature("2").unwrap(), 2.0);
        for bad in [
            "NaN", "nan", "inf", "-inf", "infinity", "2.01", "-0.1", "warm",
        ] {
            assert!(temperature(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_that_round_to_zero_are_refused_and_zero_is_kept() {
        assert_eq!(limit("$0.50").unwrap(), Usd::parse("0.5").unwrap());
        assert_eq!(limit("0").unwrap(), Usd::ZERO);
        assert_eq!(limit("0.000e5").unwrap(), Usd::ZERO);
        assert_eq!(
            limit("0.000000000001").unwrap(),
            Usd::parse("1e-12").unwrap()
        );
        assert!(matches!(
            limit("0.0000000000001"),
            Err(ArgError::RoundsToZero(_))
        ));
        assert!(matches!(limit("1e-20"), Err(ArgError::RoundsToZero(_))));
        assert!(matches!(limit("NaN"), Err(ArgError::Amount(_))));
    }

    #[test]
    fn names_and_models_are_visible_text_of_bounded_length() {
        assert_eq!(name("Daily").unwrap(), "Daily");
        assert!(name(&"n".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(matches!(
            name(&"n".repeat(MAX_NAME_CHARS + 1)),
            Err(ArgError::Name(NameError::TooLong(201)))
        ));
        assert!(matches!(name("ev\u{1b}[31mil"), Err(ArgError::Name(_))));
        assert!(matches!(model(""), Err(ArgError::EmptyModel)));
        assert!(matches!(model("  "), Err(ArgError::EmptyModel)));
        assert_eq!(model(" openai/gpt-4o ").unwrap(), "openai/gpt-4o");
        assert!(base_url(&format!("http://{}", "h".repeat(MAX_URL_CHARS))).is_err());
    }

    #[test]
    fn client_names_are_trimmed_visible_and_at_most_64_characters() {
        assert_eq!(client_name(" claude-code ").unwrap(), "claude-code");
        assert!(client_name(&"n".repeat(MAX_CLIENT_NAME_CHARS)).is_ok());
        assert!(matches!(
            client_name(&"n".repeat(MAX_CLIENT_NAME_CHARS + 1)),
            Err(ArgError::ClientNameTooLong(65))
        ));
        assert!(matches!(client_name("a\u{202e}b"), Err(ArgError::Name(_))));
        assert!(matches!(
            client_name(" "),
            Err(ArgError::Name(NameError::Empty))
        ));
    }
}
