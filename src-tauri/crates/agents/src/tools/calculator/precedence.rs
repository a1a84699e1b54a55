//! Rewrites an expression with `^` into a fully parenthesized one, so exmex evaluates powers
//! the way people write them: right-associative (`2^3^2` is `2^(3^2)` = 512) and binding
//! tighter than a unary minus (`-3^2` is `-(3^2)` = -9).
//!
//! exmex has neither: its binary operators are all left-associative, and its unary operators
//! always bind tightest (its documentation says so), and no crate that evaluates to `f64` with
//! functions is maintained and permissively licensed (see Cargo.toml). Fixing the grouping
//! before exmex sees the text keeps exmex's numbers, functions and constants, and every
//! expression without `^` reaches exmex untouched. The parser is a small Pratt parser over
//! exmex's tokens; where it groups, it writes parentheses, so exmex's own priorities never
//! decide anything.

use std::fmt::Write as _;

/// Why the expression could not be regrouped; said to the model as is.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct Unparsable(String);

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// Digits and dots, as exmex reads numbers.
    Number(String),
    /// A function, constant or named binary operator (`atan2`, `min`, `max`).
    Name(String),
    /// One of `+ - * / ^`.
    Op(char),
    Open,
    Close,
    Comma,
}

fn tokens(text: &str) -> Result<Vec<Token>, Unparsable> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_digit() || c == '.' {
            let mut end = start;
            while let Some(&(i, d)) = chars.peek()
                && (d.is_ascii_digit() || d == '.')
            {
                end = i + d.len_utf8();
                chars.next();
            }
            out.push(Token::Number(text[start..end].to_owned()));
        } else if c.is_alphabetic() || c == '_' {
            let mut end = start;
            while let Some(&(i, d)) = chars.peek()
                && (d.is_alphanumeric() || d == '_')
            {
                end = i + d.len_utf8();
                chars.next();
            }
            out.push(Token::Name(text[start..end].to_owned()));
        } else {
            chars.next();
            out.push(match c {
                '+' | '-' | '*' | '/' | '^' => Token::Op(c),
                '(' => Token::Open,
                ')' => Token::Close,
                ',' => Token::Comma,
                other => {
                    return Err(Unparsable(format!("unexpected character {other:?}")));
                }
            });
        }
    }
    Ok(out)
}

/// exmex's binary operators that are written as names: `y atan2 x`, `2 max 3`.
const NAMED_BINARY: [&str; 3] = ["atan2", "min", "max"];

fn is_named_binary(name: &str) -> bool {
    NAMED_BINARY.contains(&name)
}

/// How tightly a binary operator binds, left and right; a right power lower than the left
/// makes it right-associative. Named operators bind loosest, as in exmex.
fn binding(token: &Token) -> Option<(u8, u8)> {
    match token {
        Token::Name(name) if is_named_binary(name) => Some((1, 2)),
        Token::Op('+' | '-') => Some((3, 4)),
        Token::Op('*' | '/') => Some((5, 6)),
        Token::Op('^') => Some((10, 9)),
        _ => None,
    }
}

/// A unary `+`/`-` binds below `^` (so `-3^2` is `-(3^2)`) and above `*`.
const UNARY: u8 = 7;

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    /// An expression whose operators bind at least as tightly as `min`, written out with
    /// every grouping parenthesized.
    fn expression(&mut self, min: u8) -> Result<String, Unparsable> {
        let mut left = self.prefix()?;
        while let Some(token) = self.peek() {
            let Some((left_power, right_power)) = binding(token) else {
                break;
            };
            if left_power < min {
                break;
            }
            let op = match token {
                Token::Name(name) => format!(" {name} "),
                Token::Op(c) => c.to_string(),
                _ => break,
            };
            self.at += 1;
            let right = self.expression(right_power)?;
            left = format!("({left}{op}{right})");
        }
        Ok(left)
    }

    /// A unary sign and what it applies to, or a primary followed by its powers.
    fn prefix(&mut self) -> Result<String, Unparsable> {
        match self.peek() {
            Some(Token::Op(sign @ ('+' | '-'))) => {
                let sign = *sign;
                self.next();
                let operand = self.expression(UNARY)?;
                Ok(format!("({sign}{operand})"))
            }
            _ => self.primary(),
        }
    }

    /// Whether the next token can be a function's operand without parentheses: a number, or
    /// a name that is not a binary operator (`sin PI`, but not `PI max 2`).
    fn operand_follows(&self) -> bool {
        match self.peek() {
            Some(Token::Number(_)) => true,
            Some(Token::Name(next)) => !is_named_binary(next),
            _ => false,
        }
    }

    fn primary(&mut self) -> Result<String, Unparsable> {
        match self.next() {
            Some(Token::Number(n)) => Ok(n),
            Some(Token::Open) => {
                let inner = self.group()?;
                Ok(format!("({inner})"))
            }
            // A function applies to the primary right after it, as in exmex (`sqrt(16)^2` is
            // 16); a name with no operand after it is a constant such as `PI`.
            Some(Token::Name(name)) => {
                if self.peek() == Some(&Token::Open) {
                    self.next();
                    let args = self.group()?;
                    Ok(format!("{name}({args})"))
                } else if self.operand_follows() {
                    let operand = self.primary()?;
                    Ok(format!("{name}({operand})"))
                } else {
                    Ok(name)
                }
            }
            Some(Token::Op(op)) => Err(Unparsable(format!("{op:?} is missing an operand"))),
            Some(Token::Close) => Err(Unparsable("\")\" has no matching \"(\"".to_owned())),
            Some(Token::Comma) => Err(Unparsable("\",\" outside a function call".to_owned())),
            None => Err(Unparsable("the expression ends too early".to_owned())),
        }
    }

    /// The inside of parentheses up to the closing one: one expression, or several separated
    /// by commas (a function's arguments).
    fn group(&mut self) -> Result<String, Unparsable> {
        let mut out = self.expression(0)?;
        loop {
            match self.next() {
                Some(Token::Close) => return Ok(out),
                Some(Token::Comma) => {
                    let next = self.expression(0)?;
                    let _ = write!(out, ", {next}");
                }
                _ => return Err(Unparsable("a \"(\" is never closed".to_owned())),
            }
        }
    }
}

/// `expression` with its powers grouped; unchanged when it has no `^`.
pub(super) fn group_powers(expression: &str) -> Result<String, Unparsable> {
    if !expression.contains('^') {
        return Ok(expression.to_owned());
    }
    let mut parser = Parser {
        tokens: tokens(expression)?,
        at: 0,
    };
    let out = parser.expression(0)?;
    match parser.peek() {
        None => Ok(out),
        Some(Token::Close) => Err(Unparsable("\")\" has no matching \"(\"".to_owned())),
        Some(other) => Err(Unparsable(format!("unexpected {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_group_to_the_right_and_under_a_sign() {
        assert_eq!(group_powers("2^3^2").unwrap(), "(2^(3^2))");
        assert_eq!(group_powers("-3^2").unwrap(), "(-(3^2))");
        assert_eq!(group_powers("2^-1").unwrap(), "(2^(-1))");
        assert_eq!(group_powers("E^E^E^E").unwrap(), "(E^(E^(E^E)))");
        assert_eq!(
            group_powers("1 + 2 * 3 ^ 2 / 4 - 5").unwrap(),
            "((1+((2*(3^2))/4))-5)"
        );
        assert_eq!(group_powers("sqrt(16)^2").unwrap(), "(sqrt(16)^2)");
        assert_eq!(group_powers("PI max 2^2").unwrap(), "(PI max (2^2))");
        assert_eq!(group_powers("sin PI ^ 2").unwrap(), "(sin(PI)^2)");
        assert_eq!(group_powers("atan2(1, 2^2)").unwrap(), "atan2(1, (2^2))");
    }

    #[test]
    fn expressions_without_powers_are_left_to_exmex() {
        assert_eq!(group_powers("2 max 3").unwrap(), "2 max 3");
        assert_eq!(group_powers("---1").unwrap(), "---1");
    }

    #[test]
    fn malformed_powers_are_explained() {
        for bad in ["2^", "^2", "(2^3", "2^3)", "2^3 $ 1", "2^,"] {
            assert!(group_powers(bad).is_err(), "{bad}");
        }
    }
}
