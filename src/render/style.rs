//! Colour, decided once per run: on only for a terminal, and never with `NO_COLOR` or `--no-color`.

/// Whether output is coloured. Renderers take this instead of asking the terminal themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Never,
    Always,
}

impl Color {
    fn paint(self, code: &str, text: &str) -> String {
        match self {
            Color::Never => text.to_owned(),
            Color::Always => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }

    pub fn red(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    pub fn green(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    pub fn yellow(self, text: &str) -> String {
        self.paint("1;33", text)
    }

    pub fn cyan(self, text: &str) -> String {
        self.paint("36", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
}
