//! Templates such as `"{First Name} {Last Name}"`: literal text with columns in braces.
//! `{{` and `}}` write a literal brace.

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Column(String),
}

/// Whether a mapping string is a template rather than a column name.
pub fn is_template(s: &str) -> bool {
    s.contains('{') || s.contains('}')
}

/// Split a template into its pieces.
pub fn parse(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut column = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    column.push(c);
                }
                if !closed {
                    return Err(format!(
                        "the template `{template}` has a `{{` that is never closed; \
                         write `{{{{` for a literal brace"
                    ));
                }
                let column = column.trim();
                if column.is_empty() {
                    return Err(format!("the template `{template}` has an empty `{{}}`"));
                }
                if column.contains('{') {
                    return Err(format!(
                        "the template `{template}` has a `{{` inside braces"
                    ));
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Column(column.to_owned()));
            }
            '}' => {
                return Err(format!(
                    "the template `{template}` has a `}}` without a `{{`; \
                     write `}}}}` for a literal brace"
                ));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(s: &str) -> Piece {
        Piece::Column(s.into())
    }

    fn text(s: &str) -> Piece {
        Piece::Text(s.into())
    }

    #[test]
    fn columns_and_text() {
        assert_eq!(
            parse("{First Name} {Last Name}").unwrap(),
            [col("First Name"), text(" "), col("Last Name")]
        );
        assert_eq!(
            parse("Hi {a}!").unwrap(),
            [text("Hi "), col("a"), text("!")]
        );
        assert_eq!(parse("{{x}} {a}").unwrap(), [text("{x} "), col("a")]);
        assert_eq!(parse("{ person.name }").unwrap(), [col("person.name")]);
    }

    #[test]
    fn broken_templates() {
        for bad in ["{First Name", "{}", "a } b", "{a {b}", "{a}{"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
