//! ANSI colours for the shell's own messages, off when NO_COLOR is set or the stream is
//! not a terminal (https://no-color.org).

/// Colours text when enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Paint {
    pub enabled: bool,
}

impl Paint {
    /// Colours on when `is_terminal` and NO_COLOR is unset or empty.
    pub fn detect(is_terminal: bool) -> Paint {
        Paint {
            enabled: is_terminal && no_color_unset(),
        }
    }

    fn wrap(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold red: error kinds and carets.
    pub fn red(self, text: &str) -> String {
        self.wrap("1;31", text)
    }

    /// Yellow: warnings and notices.
    pub fn yellow(self, text: &str) -> String {
        self.wrap("33", text)
    }

    /// Cyan: the `hint:` label.
    pub fn cyan(self, text: &str) -> String {
        self.wrap("36", text)
    }
}

/// Whether NO_COLOR is absent (an empty value counts as absent, per no-color.org).
pub fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
