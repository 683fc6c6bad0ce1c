//! Diagnostics: every spec error has a stable code, a YAML location, a message and a hint.
//!
//! Errors are collected (never the first one only) and rendered either as one plain line
//! per error (`file:line:col: error[E…]: message (hint: …)`, for build.rs and proc macros)
//! or through miette with the offending YAML line underlined (the CLI).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::spec::Span;

macro_rules! codes {
    ($($variant:ident = $code:literal: $summary:literal,)*) => {
        /// Every error code uapigen can report.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// All codes, for the error catalog.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code, e.g. `E0101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// One line on what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    Yaml = "E0001": "the file is not valid YAML or does not match the spec format",
    DuplicateName = "E0101": "a name is defined twice",
    BadIdentifier = "E0102": "a name is not a valid C identifier",
    UnknownType = "E0103": "a type name does not refer to a struct or union of the spec",
    BadTypeSyntax = "E0104": "a type string cannot be parsed",
    UnknownIntType = "E0105": "an integer type is not one of u8..u64 or s8..s64",
    UnknownFlagSet = "E0106": "a field refers to a flag set that does not exist",
    UnknownGroup = "E0107": "a field refers to a value group that does not exist",
    RustNameClash = "E0108": "two items get the same Rust name",
    ValueOrString = "E0109": "a constant needs exactly one of `value` and `string`",
    BitOrValue = "E0110": "a flag needs exactly one of `bit` and `value`",
    InlineFields = "E0111": "`fields` goes with `type: struct` or `type: union`, and only there",
    AnonymousMember = "E0112": "only inline struct or union members may be anonymous",
    Attribute = "E0113": "a `packed`, `aligned` or `bits` attribute is invalid or where it cannot apply",
    Arch = "E0114": "an `arch` list is empty, names no architecture, or reaches beyond the spec's",
    ArchMismatch = "E0115": "an item refers to something that does not exist on all of its architectures",
    License = "E0116": "`license` is not an SPDX license expression",
    ExprSyntax = "E0201": "an expression cannot be parsed",
    UnknownName = "E0202": "an expression names something the spec does not define",
    ExprCycle = "E0203": "constants refer to each other in a cycle",
    ExprArith = "E0204": "C leaves an expression undefined (overflow, shift, division by zero), wraps it silently, or computes it differently on 32- and 64-bit ABIs",
    ValueRange = "E0205": "a value does not fit its type",
    Macro = "E0206": "a function-like macro has bad parameters, or a body Rust cannot compute the way C does",
    EmptyType = "E0301": "a struct, union or enum has no members",
    FlexNotLast = "E0302": "a flexible array member is not the last member of a struct",
    FlexInvalid = "E0303": "a flexible array member is where C does not allow one",
    RecursiveType = "E0304": "a struct contains itself",
    ArrayLength = "E0305": "an array length is zero, negative or too large",
    TypeTooLarge = "E0306": "a type is larger than uapigen supports (4 GiB)",
    IoctlField = "E0401": "an ioctl's type or number does not fit in 8 bits",
    IoctlSize = "E0402": "an ioctl argument is too large for the ioctl encoding",
    IoctlArg = "E0403": "an ioctl argument does not fit how the ioctl passes it",
    IoctlNumber = "E0404": "an ioctl's number is given in no way or in two ways, or a literal number does not fit in 32 bits",
    IoctlFd = "E0405": "an `fds` kind is named twice or is not a lowercase identifier, or an ioctl's `fd` or `gives` names no kind of `fds` (or `gives` an ioctl that returns no fd)",
    PayloadField = "E0501": "a payload, extensibility or capability key names a field that is missing or of the wrong kind",
    PayloadVariant = "E0502": "a payload or capability variant is malformed",
    DuplicateTag = "E0503": "two variants of a payload have the same tag",
    Extensible = "E0504": "an extensible struct breaks the extension rules (size field first, later fields last)",
    Uses = "E0505": "a used spec cannot be found or uses this one back",
    Include = "E0506": "an `includes` entry is not a relative path to a `.h` header",
    ArgRule = "E0507": "a `rules` entry has no kind or two, names a field that cannot hold it, or a mask or bound that cannot be checked",
    Since = "E0508": "a `since` is not a kernel version such as `6.2`, or one name has two",
    UnknownLint = "E0601": "an `allow` names no lint rule, or gives no reason",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read a spec: [`read_regular`], but a spec that is a symbolic link is refused. A spec's
/// text is quoted back in diagnostics, so a link in a folder of specs (or a `uses` entry
/// reaching one) would otherwise make uapigen print a file from anywhere: a key, a token.
pub fn read_spec_bytes(path: &Path, cap: usize) -> std::io::Result<Option<Vec<u8>>> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a symbolic link: uapigen reads a spec only from a regular file, not through a \
             link (name the link's target, or copy the spec)",
        ));
    }
    read_regular(path, cap)
}

/// Read at most `cap` bytes of a regular file (following symlinks); anything else (a FIFO,
/// a device, a directory, a socket) is refused before it is opened, so that a read can
/// neither hang nor grow without bound. `Ok(None)`: the file is longer than `cap`.
pub fn read_regular(path: &Path, cap: usize) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a directory, FIFO, device or socket)",
        ));
    }
    let file = std::fs::File::open(path)?;
    // A file swapped for a FIFO between the two calls still cannot make this read more.
    let mut out = Vec::new();
    file.take(cap as u64 + 1).read_to_end(&mut out)?;
    Ok((out.len() <= cap).then_some(out))
}

/// A source file that diagnostics point into.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Byte offset of the start of each line, computed when a diagnostic first needs it, so
    /// that placing and quoting many diagnostics costs one pass over the file, not one each.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        // A line ends at `\n`, `\r\n` or a lone `\r`, as YAML and miette count lines.
        self.line_starts.get_or_init(|| {
            let b = self.text.as_bytes();
            std::iter::once(0)
                .chain((0..b.len()).filter_map(|i| match b[i] {
                    b'\n' => Some(i + 1),
                    b'\r' if b.get(i + 1) != Some(&b'\n') => Some(i + 1),
                    _ => None,
                }))
                .collect()
        })
    }

    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts()
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset of a 1-based line and (character) column.
    fn offset_of(&self, line: u32, column: u32) -> usize {
        let starts = self.line_starts();
        let Some(&begin) = starts.get((line as usize).wrapping_sub(1)) else {
            return self.text.len();
        };
        let end = starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.text.len());
        let l = &self.text[begin..end];
        let col = column.saturating_sub(1) as usize;
        begin
            + l.char_indices()
                .nth(col)
                .map_or(l.trim_end_matches(['\r', '\n']).len(), |(b, _)| b)
    }
}

/// Quoting a span reads only the lines around it (miette's own reader for a string counts
/// lines from the start of the text, once per diagnostic).
impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let starts = self.line_starts();
        let first = self.line_of(span.offset());
        let last = self.line_of(span.offset() + span.len().saturating_sub(1));
        // One line more on each side than the context asks for: miette's reader decides at
        // the line ends around the window whether a line belongs to the context.
        let from_line = first.saturating_sub(context_lines_before + 1);
        let from = starts[from_line];
        let to = starts
            .get(last + context_lines_after + 2)
            .copied()
            .unwrap_or(self.text.len());
        let window = &self.text.as_bytes()[from..to];
        let local = miette::SourceSpan::from((span.offset().saturating_sub(from), span.len()));
        let c = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new(
            c.data(),
            (c.span().offset() + from, c.span().len()).into(),
            c.line() + from_line,
            c.column(),
            c.line_count() + from_line,
        )))
    }
}

/// One spec error.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub hint: Option<String>,
    pub span: Span,
    pub file: Option<Arc<SourceFile>>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: shorten(message.into()),
            hint: None,
            span,
            file: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    fn path(&self) -> &Path {
        self.file
            .as_deref()
            .map_or(Path::new("<spec>"), |f| f.path.as_path())
    }

    /// `file:line:col: error[E0101]: message (hint: ...)`
    pub fn plain(&self) -> String {
        let mut s = format!(
            "{}:{}:{}: error[{}]: {}",
            self.path().display(),
            self.span.line,
            self.span.column,
            self.code,
            self.message
        );
        if let Some(h) = &self.hint {
            s.push_str(" (hint: ");
            s.push_str(h);
            s.push(')');
        }
        s
    }

    /// The byte range of the span, recomputed from line/column when the parser gave none.
    fn byte_range(&self) -> (usize, usize) {
        let Some(file) = &self.file else {
            return (0, 0);
        };
        let start = if self.span.offset > 0 || (self.span.line <= 1 && self.span.column <= 1) {
            self.span.offset
        } else {
            file.offset_of(self.span.line, self.span.column)
        };
        let start = start.min(file.text.len());
        let rest = &file.text[start..];
        let len = if self.span.len > 0 {
            self.span.len
        } else {
            rest.find(['\n', ',', '}', ']']).unwrap_or(rest.len())
        };
        let mut len = len.min(rest.len()).min(MAX_LABEL);
        while !rest.is_char_boundary(len) {
            len -= 1;
        }
        (start, len)
    }

    /// Whether the line of the error is too long to show as a snippet (minified YAML): the
    /// graphical renderer is then skipped for the plain line.
    fn line_too_long(&self) -> bool {
        let Some(file) = &self.file else {
            return false;
        };
        let (start, _) = self.byte_range();
        let text = file.text.as_bytes();
        let begin = text[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| start + i);
        end - begin > MAX_SNIPPET_LINE
    }
}

/// The longest message kept: values quoted back from the spec are cut to this.
const MAX_MESSAGE: usize = 1024;
/// The longest stretch of source one label underlines.
const MAX_LABEL: usize = 1024;
/// Lines longer than this are not shown as a snippet.
const MAX_SNIPPET_LINE: usize = 4096;

/// Cut a message that quotes a huge value back to [`MAX_MESSAGE`] bytes.
fn shorten(mut s: String) -> String {
    if s.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("… (cut)");
    }
    s
}

/// `file:line:col: message`; the code, the hint and the snippet are rendered by miette
/// (or by [`Diagnostic::plain`]).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path().display(),
            self.span.line,
            self.span.column,
            self.message
        )
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.hint
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }
    // No snippet of a line too long to show (minified YAML), for any miette handler: the
    // graphical one fails past column 65535.
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        if self.line_too_long() {
            return None;
        }
        self.file.as_ref().map(|f| &**f as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.line_too_long() {
            return None;
        }
        self.file.as_ref()?;
        let (start, len) = self.byte_range();
        Some(Box::new(std::iter::once(miette::LabeledSpan::new(
            Some(format!(
                "{}:{}:{}",
                self.path().display(),
                self.span.line,
                self.span.column
            )),
            start,
            len,
        ))))
    }
}

/// All errors of one run, in the order they were found. Every pass collects its errors
/// here (never only the first) and ends with [`Diagnostics::finish`], which turns the
/// collection into the pass's result: a collection dropped unread is a warning
/// (`#[must_use]`), so no error can be lost on the way.
#[derive(Clone, Debug, Default)]
#[must_use = "errors collected here must reach the caller: end with `finish`"]
pub struct Diagnostics {
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    pub fn error(&mut self, code: Code, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.list.push(Diagnostic::new(code, span, message));
        let last = self.list.len() - 1;
        &mut self.list[last]
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The end of a pass: `value` when nothing was reported, every error otherwise.
    pub fn finish<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Attach the file to every diagnostic that has none yet.
    pub fn attach(&mut self, file: &Arc<SourceFile>) {
        for d in &mut self.list {
            if d.file.is_none() {
                d.file = Some(file.clone());
            }
        }
    }

    /// Plain rendering, one line per error.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for d in &self.list {
            out.push_str(&d.plain());
            out.push('\n');
        }
        out
    }

    /// Rendering through miette's graphical handler, without colors (feature `cli`).
    #[cfg(feature = "cli")]
    pub fn fancy(&self) -> String {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(100);
        let mut out = String::new();
        for d in &self.list {
            if d.line_too_long() || handler.render_report(&mut out, d).is_err() {
                out.push_str(&d.plain());
            }
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.plain().trim_end())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use miette::SourceCode;

    use super::SourceFile;

    /// The windowed reader gives what miette's own reader of the whole text gives, for every
    /// span of some texts with every kind of line end, with and without context lines.
    #[test]
    fn windowed_spans_equal_miettes_whole_text_reader() {
        let texts = [
            "name: a\nheader: linux/a.h\nconstants:\n  - { name: A, value: 1 }\n",
            "one\r\ntwo\r\n\r\nthree\rfour\n\nfive",
            "no line end at all",
            "\n\n\nx\n",
        ];
        for text in texts {
            let f = SourceFile::new("t.yaml", text);
            for start in 0..text.len() {
                for len in [0, 1, 3, 7] {
                    let len = len.min(text.len() - start);
                    for ctx in [0, 1, 2] {
                        let span = miette::SourceSpan::from((start, len));
                        let want = text.read_span(&span, ctx, ctx);
                        let got = f.read_span(&span, ctx, ctx);
                        match (want, got) {
                            (Ok(w), Ok(g)) => {
                                let case = format!("{text:?} at {start}+{len}, context {ctx}");
                                assert_eq!(w.data(), g.data(), "{case}");
                                assert_eq!(w.span(), g.span(), "{case}");
                                assert_eq!(w.line(), g.line(), "{case}");
                                assert_eq!(w.column(), g.column(), "{case}");
                            }
                            (Err(_), Err(_)) => {}
                            (w, g) => panic!(
                                "{text:?} at {start}+{len}: miette {:?}, windowed {:?}",
                                w.is_ok(),
                                g.is_ok()
                            ),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn offsets_of_lines_and_columns() {
        let f = SourceFile::new("t.yaml", "ab\r\ncd\ref\né");
        assert_eq!(f.offset_of(1, 1), 0);
        assert_eq!(f.offset_of(1, 9), 2);
        assert_eq!(f.offset_of(2, 2), 5);
        assert_eq!(f.offset_of(3, 1), 7);
        assert_eq!(f.offset_of(4, 1), 10);
        assert_eq!(f.offset_of(9, 1), f.text.len());
    }
}
