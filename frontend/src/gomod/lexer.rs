//! One line of go.mod or go.work as tokens with their positions.
//!
//! The token rules follow the lexer of golang.org/x/mod `modfile/read.go` (`readToken`)
//! where gostage reads the tokens: words, `(`, `)`, quoted strings, and `//` comments to the
//! end of the line. Double-quoted strings are decoded as Go string literals, as
//! `modfile/rule.go` (`parseString`, which calls `strconv.Unquote`) does.

use super::GoModError;
use crate::vocabulary::Span;

/// One token of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Token {
    /// The word, `(` or `)`, or a quoted string's value without its quotes and with its
    /// escapes decoded.
    pub text: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column of the token's first character (a quoted string's opening quote),
    /// counted in characters.
    pub column: usize,
    /// Whether the token was a quoted string, so that `")"` is a value and not the end of
    /// a block.
    pub quoted: bool,
}

impl Token {
    /// Whether this is the unquoted punctuation `mark` (`(`, `)` or `=>`).
    pub fn is_punctuation(&self, mark: &str) -> bool {
        !self.quoted && self.text == mark
    }

    /// Where the token starts, as the positions gostage reports.
    pub fn span(&self) -> Span {
        Span {
            line: saturating_u32(self.line),
            column: saturating_u32(self.column),
        }
    }
}

/// `value` as a `u32`, or `u32::MAX` for a file too long to count (positions are for
/// people, and no real go.mod has four billion lines).
pub(super) fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Splits one line (without its line break) into tokens. A `//` outside quotes starts a
/// comment that runs to the end of the line.
///
/// Errors: [`GoModError::UnterminatedString`] for a quote that is not closed on its line,
/// [`GoModError::InvalidQuotedString`] for a double-quoted string that is not a Go string
/// literal (a bad escape, or escapes that do not make UTF-8 text).
pub(super) fn tokenize(line_text: &str, line: usize) -> Result<Vec<Token>, GoModError> {
    let mut tokens = Vec::new();
    let mut characters = line_text.chars().zip(1..).peekable();
    while let Some(&(character, column)) = characters.peek() {
        let token = |text: String, quoted: bool| Token {
            text,
            line,
            column,
            quoted,
        };
        match character {
            _ if character.is_whitespace() => {
                characters.next();
            }
            '(' | ')' => {
                characters.next();
                tokens.push(token(character.to_string(), false));
            }
            '"' | '`' => {
                characters.next();
                let mut body = String::new();
                let mut closed = false;
                while let Some((next, _)) = characters.next() {
                    if next == character {
                        closed = true;
                        break;
                    }
                    body.push(next);
                    // A backslash keeps the next character inside a double-quoted string.
                    if next == '\\' && character == '"' {
                        match characters.next() {
                            Some((escaped, _)) => body.push(escaped),
                            None => break,
                        }
                    }
                }
                if !closed {
                    return Err(GoModError::UnterminatedString { line });
                }
                let text = if character == '"' {
                    unquote(&body).ok_or(GoModError::InvalidQuotedString { line, column })?
                } else {
                    body
                };
                tokens.push(token(text, true));
            }
            _ => {
                let mut word = String::new();
                while let Some(&(next, _)) = characters.peek() {
                    if next.is_whitespace() || matches!(next, '(' | ')' | '"' | '`') {
                        break;
                    }
                    if next == '/' && word.ends_with('/') {
                        word.pop();
                        if !word.is_empty() {
                            tokens.push(token(word, false));
                        }
                        return Ok(tokens);
                    }
                    word.push(next);
                    characters.next();
                }
                tokens.push(token(word, false));
            }
        }
    }
    Ok(tokens)
}

/// The value of a Go double-quoted string literal's `body` (between the quotes), or `None`
/// when an escape is not one of Go's or the bytes it makes are not UTF-8.
///
/// Escapes as in the Go specification's "String literals" and `strconv.UnquoteChar`:
/// `\a \b \f \n \r \t \v \\ \"`, `\xHH` and `\OOO` (one byte each), `\uHHHH` and
/// `\UHHHHHHHH` (one Unicode code point). `\'` is only for rune literals, so it is refused.
fn unquote(body: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(body.len());
    let mut characters = body.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            let mut buffer = [0; 4];
            bytes.extend_from_slice(character.encode_utf8(&mut buffer).as_bytes());
            continue;
        }
        let escape = characters.next()?;
        let simple = match escape {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(byte) = simple {
            bytes.push(byte);
            continue;
        }
        match escape {
            'x' => bytes.push(u8::try_from(digits(&mut characters, 2, 16)?).ok()?),
            '0'..='7' => {
                let rest = digits(&mut characters, 2, 8)?;
                let value = escape.to_digit(8)? * 64 + rest;
                bytes.push(u8::try_from(value).ok()?);
            }
            'u' | 'U' => {
                let count = if escape == 'u' { 4 } else { 8 };
                let code_point = char::from_u32(digits(&mut characters, count, 16)?)?;
                let mut buffer = [0; 4];
                bytes.extend_from_slice(code_point.encode_utf8(&mut buffer).as_bytes());
            }
            _ => return None,
        }
    }
    String::from_utf8(bytes).ok()
}

/// The number written by exactly `count` next digits in `radix`, or `None` when fewer follow.
fn digits(characters: &mut std::str::Chars<'_>, count: usize, radix: u32) -> Option<u32> {
    let mut value: u32 = 0;
    for _ in 0..count {
        value = value * radix + characters.next()?.to_digit(radix)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line_text: &str) -> Vec<(String, usize, bool)> {
        match tokenize(line_text, 1) {
            Ok(tokens) => tokens
                .into_iter()
                .map(|token| (token.text, token.column, token.quoted))
                .collect(),
            Err(fault) => panic!("{line_text:?} should tokenize: {fault:?}"),
        }
    }

    #[test]
    fn tokens_carry_their_columns_in_characters() {
        assert_eq!(
            texts("\treplace é => \"./a b\" // comment"),
            vec![
                ("replace".to_string(), 2, false),
                ("é".to_string(), 10, false),
                ("=>".to_string(), 12, false),
                ("./a b".to_string(), 15, true),
            ]
        );
        assert_eq!(
            texts("use (  )"),
            vec![
                ("use".to_string(), 1, false),
                ("(".to_string(), 5, false),
                (")".to_string(), 8, false),
            ]
        );
        assert_eq!(texts("// only a comment"), vec![]);
        assert_eq!(
            texts("a//b"),
            vec![("a".to_string(), 1, false)],
            "`//` ends a word as in modfile/read.go"
        );
    }

    #[test]
    fn double_quoted_strings_are_go_string_literals() {
        let decoded = |literal: &str| unquote(literal);
        assert_eq!(decoded(r#"a\"b\\c"#).as_deref(), Some("a\"b\\c"));
        assert_eq!(
            decoded(r"\x41\101\u00e9\U0001F600\t").as_deref(),
            Some("AAé😀\t")
        );
        // Two escaped bytes that together are one UTF-8 character.
        assert_eq!(decoded(r"\xc3\xa9").as_deref(), Some("é"));
        for invalid in [
            r"\'",
            r"\q",
            r"\x4",
            r"\400",
            r"\xff",
            r"\ud800",
            r"\U00110000",
        ] {
            assert_eq!(decoded(invalid), None, "for {invalid:?}");
        }
        assert_eq!(texts("`raw \\n`"), vec![("raw \\n".to_string(), 1, true)]);
    }

    #[test]
    fn reports_unterminated_and_invalid_strings_with_positions() {
        assert_eq!(
            tokenize("a \"b", 4),
            Err(GoModError::UnterminatedString { line: 4 })
        );
        assert_eq!(
            tokenize("a \"b\\", 4),
            Err(GoModError::UnterminatedString { line: 4 })
        );
        assert_eq!(
            tokenize("replace a => \"./\\q\"", 2),
            Err(GoModError::InvalidQuotedString {
                line: 2,
                column: 14
            })
        );
    }
}
