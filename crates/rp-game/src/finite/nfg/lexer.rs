//! Tokens of a Gambit savefile, each with the line and column where it starts.
//!
//! Gambit's lexical rules: whitespace separates tokens (there is no comment syntax: the free text
//! of a game is a quoted string of the format itself); `{`, `}` and `,` are tokens of their own;
//! a number is `[+-]digits[.digits][(e|E)[+-]digits]`, `[+-]digits/digits` or `.digits`; a
//! string is quoted with `"`, may span lines, and inside it `\"` stands for `"` and `\\` for `\`
//! (any other backslash is kept as written); anything else up to whitespace or a delimiter is a
//! symbol (`NFG`, `R`, `D`). One deliberate strictness: a number must end at whitespace or a
//! delimiter, so `1.2.3` or `3x` is a bad number instead of silently becoming two tokens.

use super::{NfgError, NfgErrorKind};

/// A token's kind and text.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Token {
    /// A number, kept as written (converted by the parser, which knows what it expects).
    Number(String),
    /// A quoted string, unescaped.
    Text(String),
    /// A bare word.
    Symbol(String),
    LBrace,
    RBrace,
    Comma,
    Eof,
}

impl Token {
    /// How the token reads in an error message.
    pub(super) fn describe(&self) -> String {
        match self {
            Token::Number(t) => format!("number {t}"),
            Token::Text(t) => format!("string \"{}\"", truncate(t)),
            Token::Symbol(t) => format!("'{}'", truncate(t)),
            Token::LBrace => "'{'".into(),
            Token::RBrace => "'}'".into(),
            Token::Comma => "','".into(),
            Token::Eof => "end of file".into(),
        }
    }
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

/// A token with the 1-based line and column (in bytes) of its first character.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Located {
    pub(super) token: Token,
    pub(super) line: usize,
    pub(super) column: usize,
}

/// Splits bytes into tokens.
pub(super) struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    column: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            line: 1,
            column: 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        if c == b'\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn error(&self, line: usize, column: usize, kind: NfgErrorKind) -> NfgError {
        NfgError { line, column, kind }
    }

    /// The next token (`Eof` at the end, for ever).
    pub(super) fn next_token(&mut self) -> Result<Located, NfgError> {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.bump();
        }
        let (line, column) = (self.line, self.column);
        let token = match self.peek() {
            None => Token::Eof,
            Some(b'{') => self.single(Token::LBrace),
            Some(b'}') => self.single(Token::RBrace),
            Some(b',') => self.single(Token::Comma),
            Some(b'"') => Token::Text(self.string(line, column)?),
            Some(c) if c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.') => {
                Token::Number(self.number(line, column)?)
            }
            Some(_) => Token::Symbol(self.symbol(line, column)?),
        };
        Ok(Located {
            token,
            line,
            column,
        })
    }

    fn single(&mut self, token: Token) -> Token {
        self.bump();
        token
    }

    fn digits(&mut self, out: &mut String) -> usize {
        let mut n = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            out.push(char::from(c));
            self.bump();
            n += 1;
        }
        n
    }

    fn take_if(&mut self, wanted: &[u8], out: &mut String) -> bool {
        match self.peek() {
            Some(c) if wanted.contains(&c) => {
                out.push(char::from(c));
                self.bump();
                true
            }
            _ => false,
        }
    }

    fn number(&mut self, line: usize, column: usize) -> Result<String, NfgError> {
        let mut text = String::new();
        self.take_if(b"+-", &mut text);
        let whole = self.digits(&mut text);
        if self.take_if(b"/", &mut text) {
            self.digits(&mut text);
        } else {
            let frac = if self.take_if(b".", &mut text) {
                self.digits(&mut text)
            } else {
                0
            };
            if whole + frac > 0 && self.take_if(b"eE", &mut text) {
                self.take_if(b"+-", &mut text);
                self.digits(&mut text);
            }
        }
        if self.peek().is_some_and(|c| !is_delimiter(c)) {
            while let Some(c) = self.peek().filter(|&c| !is_delimiter(c)) {
                text.push(char::from(c));
                self.bump();
            }
            return Err(self.error(line, column, NfgErrorKind::BadNumber { text }));
        }
        Ok(text)
    }

    fn string(&mut self, line: usize, column: usize) -> Result<String, NfgError> {
        self.bump();
        let mut raw = Vec::new();
        loop {
            match self.bump() {
                None => return Err(self.error(line, column, NfgErrorKind::UnterminatedString)),
                Some(b'"') => break,
                Some(b'\\') => match self.peek() {
                    Some(c @ (b'"' | b'\\')) => {
                        raw.push(c);
                        self.bump();
                    }
                    _ => raw.push(b'\\'),
                },
                Some(c) => raw.push(c),
            }
        }
        String::from_utf8(raw).map_err(|_| self.error(line, column, NfgErrorKind::InvalidUtf8))
    }

    fn symbol(&mut self, line: usize, column: usize) -> Result<String, NfgError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| !is_delimiter(c)) {
            self.bump();
        }
        std::str::from_utf8(&self.bytes[start..self.pos])
            .map(str::to_string)
            .map_err(|_| self.error(line, column, NfgErrorKind::InvalidUtf8))
    }
}

fn is_delimiter(c: u8) -> bool {
    c.is_ascii_whitespace() || matches!(c, b'{' | b'}' | b',' | b'"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<Token> {
        let mut lexer = Lexer::new(s.as_bytes());
        let mut out = Vec::new();
        loop {
            let t = lexer.next_token().map(|l| l.token);
            match t {
                Ok(Token::Eof) => return out,
                Ok(t) => out.push(t),
                Err(e) => panic!("unexpected lexer error {e}"),
            }
        }
    }

    #[test]
    fn splits_numbers_strings_and_braces() {
        let t = tokens("{ \"a \\\"b\\\" \\\\ c\" -1.5e3, 2/7 .5}");
        assert_eq!(
            t,
            vec![
                Token::LBrace,
                Token::Text("a \"b\" \\ c".into()),
                Token::Number("-1.5e3".into()),
                Token::Comma,
                Token::Number("2/7".into()),
                Token::Number(".5".into()),
                Token::RBrace,
            ]
        );
    }

    #[test]
    fn positions_follow_multiline_strings() {
        let mut lexer = Lexer::new(b"\"x\ny\" 7");
        let first = lexer.next_token().expect("a string token");
        assert_eq!((first.line, first.column), (1, 1));
        let second = lexer.next_token().expect("a number token");
        assert_eq!((second.line, second.column), (2, 4));
    }

    #[test]
    fn a_number_glued_to_letters_is_bad() {
        let mut lexer = Lexer::new(b"  1.2.3");
        let err = lexer.next_token().expect_err("1.2.3 is not a number");
        assert_eq!((err.line, err.column), (1, 3));
        assert!(matches!(err.kind, NfgErrorKind::BadNumber { .. }));
    }
}
