//! Words of Dockerfile arguments and of the shell scripts in `RUN`: quote removal and
//! variable expansion.
//!
//! parse-dockerfile hands over arguments as written (quotes, `$VAR` and, in shell form, the
//! escaped line breaks still in them), so this is the missing piece: the rules of BuildKit's
//! word lexer (`frontend/dockerfile/shell/lex.go` in moby/buildkit), which follow the POSIX
//! shell's, for `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`,
//! `${VAR+word}`, single and double quotes and the escape character. In shell mode (a `RUN`
//! script) `&&`, `||`, `;`, `|`, `&`, line breaks and `#` comments separate commands too, as
//! `sh` reads them. Command substitution (`$(…)`, backquotes) and any other `${…}` form stay as
//! written: the converter reports what it cannot evaluate instead of guessing.

/// What a variable holds where it is expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Variable {
    /// A value (possibly empty: `ENV A=`).
    Value(String),
    /// Declared by `ARG NAME` without a value: `${NAME:-word}` gives `word`, and `$NAME` stays
    /// as written because the value comes from a `--build-arg` the converter cannot see.
    Declared,
    /// Not declared in the Dockerfile (a platform ARG such as `TARGETARCH`, or a variable of
    /// the image): stays as written.
    Unknown,
}

/// One token of a shell script: a word after quote removal and expansion, or the end of a
/// simple command (`&&`, `||`, `;`, `|`, `&`, a line break).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Token {
    /// A word, quotes removed and variables expanded.
    Word(String),
    /// A command separator.
    Separator,
}

/// Splits `text` into words at unquoted white space, removing quotes and expanding
/// variables with `lookup` (`ENV A=1 B="two words"` → `A=1`, `B=two words`). `escape` is the
/// Dockerfile's escape character (`\`, or `` ` `` with `# escape=`).
pub(super) fn words(text: &str, escape: char, lookup: &dyn Fn(&str) -> Variable) -> Vec<String> {
    Lexer::new(text, escape, lookup, false)
        .tokens()
        .into_iter()
        .filter_map(|token| match token {
            Token::Word(word) => Some(word),
            Token::Separator => None,
        })
        .collect()
}

/// `text` as one word: quotes removed and variables expanded, white space kept (`WORKDIR`,
/// `USER`, the value of an `ENV` in its `ENV NAME value` form).
pub(super) fn word(text: &str, escape: char, lookup: &dyn Fn(&str) -> Variable) -> String {
    let mut lexer = Lexer::new(text, escape, lookup, false);
    lexer.keep_spaces = true;
    lexer
        .tokens()
        .into_iter()
        .fold(String::new(), |mut all, token| {
            if let Token::Word(word) = token {
                all.push_str(&word);
            }
            all
        })
}

/// The tokens of shell script `text` (a `RUN` in shell form, or a heredoc body run as a
/// script), with comments dropped.
pub(super) fn shell_tokens(
    text: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Variable,
) -> Vec<Token> {
    Lexer::new(text, escape, lookup, true).tokens()
}

/// `text` with the escaped line breaks of a shell-form instruction joined, and the comment and
/// blank lines between them dropped, as BuildKit's parser does before the shell sees the
/// command (`frontend/dockerfile/parser/parser.go`).
pub(super) fn join_continued_lines(text: &str, escape: char) -> String {
    let mut joined = String::new();
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim_start();
        if index > 0 && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        match line.strip_suffix(escape) {
            Some(continued) => joined.push_str(continued),
            None => {
                joined.push_str(line);
                joined.push('\n');
            }
        }
    }
    joined.trim_end_matches('\n').to_string()
}

struct Lexer<'a> {
    characters: Vec<char>,
    position: usize,
    escape: char,
    lookup: &'a dyn Fn(&str) -> Variable,
    shell: bool,
    keep_spaces: bool,
}

impl<'a> Lexer<'a> {
    fn new(text: &str, escape: char, lookup: &'a dyn Fn(&str) -> Variable, shell: bool) -> Self {
        Self {
            characters: text.chars().collect(),
            position: 0,
            escape,
            lookup,
            shell,
            keep_spaces: false,
        }
    }

    fn peek(&self) -> Option<char> {
        self.characters.get(self.position).copied()
    }

    fn tokens(&mut self) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut current = String::new();
        // A word that is only quotes (`""`) is still a word.
        let mut in_word = false;
        let finish = |current: &mut String, in_word: &mut bool, tokens: &mut Vec<Token>| {
            if *in_word {
                tokens.push(Token::Word(std::mem::take(current)));
                *in_word = false;
            }
        };
        while let Some(character) = self.peek() {
            if self.shell && character == '#' && !in_word {
                while self.peek().is_some_and(|next| next != '\n') {
                    self.position += 1;
                }
                continue;
            }
            if self.shell && matches!(character, '\n' | ';' | '&' | '|') {
                finish(&mut current, &mut in_word, &mut tokens);
                self.position += 1;
                // `&&` and `||` are one separator.
                if matches!(character, '&' | '|') && self.peek() == Some(character) {
                    self.position += 1;
                }
                if tokens.last() != Some(&Token::Separator) {
                    tokens.push(Token::Separator);
                }
                continue;
            }
            if character.is_whitespace() && !self.keep_spaces {
                finish(&mut current, &mut in_word, &mut tokens);
                self.position += 1;
                continue;
            }
            in_word = true;
            self.position += 1;
            match character {
                '\'' => {
                    while let Some(next) = self.peek() {
                        self.position += 1;
                        if next == '\'' {
                            break;
                        }
                        current.push(next);
                    }
                }
                '"' => self.double_quoted(&mut current),
                '$' => self.dollar(&mut current),
                '`' if self.escape != '`' => self.backquoted(&mut current),
                _ if character == self.escape => {
                    if let Some(next) = self.peek() {
                        self.position += 1;
                        if next != '\n' {
                            current.push(next);
                        }
                    }
                }
                _ => current.push(character),
            }
        }
        finish(&mut current, &mut in_word, &mut tokens);
        if tokens.last() == Some(&Token::Separator) {
            tokens.pop();
        }
        tokens
    }

    fn double_quoted(&mut self, current: &mut String) {
        while let Some(next) = self.peek() {
            self.position += 1;
            match next {
                '"' => return,
                '$' => self.dollar(current),
                '`' if self.escape != '`' => self.backquoted(current),
                // Inside double quotes the escape character escapes only these (POSIX
                // "Double-Quotes"; lex.go `processDoubleQuote`).
                _ if next == self.escape => match self.peek() {
                    Some(escaped @ ('"' | '$' | '`' | '\\')) => {
                        self.position += 1;
                        current.push(escaped);
                    }
                    _ => current.push(next),
                },
                _ => current.push(next),
            }
        }
    }

    /// A command substitution in backquotes, kept as written.
    fn backquoted(&mut self, current: &mut String) {
        current.push('`');
        while let Some(next) = self.peek() {
            self.position += 1;
            current.push(next);
            if next == '`' {
                return;
            }
        }
    }

    /// After a `$`: a variable, a `${…}` form, or a command substitution `$(…)` kept as
    /// written.
    fn dollar(&mut self, current: &mut String) {
        match self.peek() {
            Some('{') => self.braced(current),
            Some('(') => {
                current.push('$');
                let mut depth = 0usize;
                while let Some(next) = self.peek() {
                    self.position += 1;
                    current.push(next);
                    match next {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                return;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Some(first) if first == '_' || first.is_ascii_alphabetic() => {
                let name = self.name();
                match (self.lookup)(&name) {
                    Variable::Value(value) => current.push_str(&value),
                    Variable::Declared | Variable::Unknown => {
                        current.push_str(&format!("${{{name}}}"));
                    }
                }
            }
            _ => current.push('$'),
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(next) = self
            .peek()
            .filter(|next| *next == '_' || next.is_ascii_alphanumeric())
        {
            self.position += 1;
            name.push(next);
        }
        name
    }

    /// `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`; any other
    /// form stays as written.
    fn braced(&mut self, current: &mut String) {
        let start = self.position - 1;
        self.position += 1;
        let name = self.name();
        let rest_start = self.position;
        let mut depth = 1usize;
        while let Some(next) = self.peek() {
            self.position += 1;
            match next {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        let closed = depth == 0;
        let inner_end = if closed {
            self.position - 1
        } else {
            self.position
        };
        let rest: String = self.characters[rest_start..inner_end].iter().collect();
        let written: String = self.characters[start..self.position].iter().collect();
        if name.is_empty() || !closed {
            current.push_str(&written);
            return;
        }
        let variable = (self.lookup)(&name);
        let expand_word = |lexer: &Self, text: &str| word(text, lexer.escape, lexer.lookup);
        let (operator, operand) = if let Some(operand) = rest.strip_prefix(":-") {
            (":-", operand)
        } else if let Some(operand) = rest.strip_prefix(":+") {
            (":+", operand)
        } else if let Some(operand) = rest.strip_prefix('-') {
            ("-", operand)
        } else if let Some(operand) = rest.strip_prefix('+') {
            ("+", operand)
        } else if rest.is_empty() {
            ("", "")
        } else {
            current.push_str(&written);
            return;
        };
        let expanded = match (operator, variable) {
            ("", Variable::Value(value)) => value,
            (":-", Variable::Value(value)) if !value.is_empty() => value,
            (":-", Variable::Value(_) | Variable::Declared) => expand_word(self, operand),
            ("-", Variable::Value(value)) => value,
            ("-", Variable::Declared) => expand_word(self, operand),
            (":+", Variable::Value(value)) if !value.is_empty() => expand_word(self, operand),
            (":+", Variable::Value(_)) => String::new(),
            ("+", Variable::Value(_)) => expand_word(self, operand),
            _ => written,
        };
        current.push_str(&expanded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Variable {
        match name {
            "GO_VERSION" => Variable::Value("1.22".into()),
            "EMPTY" => Variable::Value(String::new()),
            "PORT" => Variable::Declared,
            _ => Variable::Unknown,
        }
    }

    #[test]
    fn expands_the_forms_buildkit_expands() {
        let cases = [
            ("golang:${GO_VERSION}-alpine", "golang:1.22-alpine"),
            ("golang:$GO_VERSION", "golang:1.22"),
            ("${PORT:-8080}", "8080"),
            ("${EMPTY:-x}", "x"),
            ("${EMPTY-x}", ""),
            ("${GO_VERSION:+set}", "set"),
            ("${EMPTY:+set}", ""),
            ("$TARGETARCH", "${TARGETARCH}"),
            ("${TARGETARCH:-amd64}", "${TARGETARCH:-amd64}"),
            ("${TARGETVARIANT#v}", "${TARGETVARIANT#v}"),
            ("'$GO_VERSION'", "$GO_VERSION"),
            ("\"go $GO_VERSION\"", "go 1.22"),
            ("a\\$GO_VERSION", "a$GO_VERSION"),
            ("$(git rev-parse HEAD)", "$(git rev-parse HEAD)"),
            ("$", "$"),
        ];
        for (text, expected) in cases {
            assert_eq!(word(text, '\\', &lookup), expected, "{text}");
        }
    }

    #[test]
    fn splits_words_at_unquoted_spaces() {
        assert_eq!(
            words("A=1 B=\"two words\" C='$GO_VERSION' \"\"", '\\', &lookup),
            ["A=1", "B=two words", "C=$GO_VERSION", ""]
        );
        // `# escape=`` ` with a Windows-style path keeps its backslashes.
        assert_eq!(words("C:\\go `$x", '`', &lookup), ["C:\\go", "$x"]);
    }

    #[test]
    fn separates_shell_commands_and_drops_comments() {
        let tokens = shell_tokens(
            "cd cmd && go build -ldflags=\"-s -w\" . # build\nls | wc -l; true || false &\n",
            '\\',
            &lookup,
        );
        let word = |text: &str| Token::Word(text.to_string());
        assert_eq!(
            tokens,
            [
                word("cd"),
                word("cmd"),
                Token::Separator,
                word("go"),
                word("build"),
                word("-ldflags=-s -w"),
                word("."),
                Token::Separator,
                word("ls"),
                Token::Separator,
                word("wc"),
                word("-l"),
                Token::Separator,
                word("true"),
                Token::Separator,
                word("false"),
            ]
        );
    }

    #[test]
    fn joins_continued_lines_without_their_comments() {
        assert_eq!(
            join_continued_lines("go build \\\n  # the output\n\n  -o /app .", '\\'),
            "go build   -o /app ."
        );
        assert_eq!(join_continued_lines("a `\n b\nc", '`'), "a  b\nc");
    }
}
