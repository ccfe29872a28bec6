//! What a browser sends from a form the server rendered, read from the HTML by the rules of
//! the HTML standard's `FormData` ("constructing the entry list"), for tests that compare what
//! the server judged with what the browser would read back from its markup.
//!
//! Only what our forms use: `<input>` (text-like, radio, checkbox), `<select>` (one choice)
//! with its `<option>`s, and `<textarea>`; disabled controls and buttons send nothing.

/// An option as read: its value, whether marked `selected`, whether `disabled`.
type Choice = (String, bool, bool);
/// A select being read: its name, whether disabled, its options so far.
type Select = (Option<String>, bool, Vec<Choice>);

/// The pairs a browser would send, in document order.
pub fn entries(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut select: Option<Select> = None;
    // The option being read: its attributes, and its text so far.
    let mut option: Option<(Vec<(String, String)>, String)> = None;
    let mut textarea: Option<(Vec<(String, String)>, String)> = None;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if let Some((_, t)) = option.as_mut() {
            t.push_str(&decode(text));
        }
        if let Some((_, t)) = textarea.as_mut() {
            t.push_str(&decode(text));
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name_end = tag
            .find(|c: char| c.is_ascii_whitespace() || c == '/')
            .unwrap_or(tag.len());
        let name = tag[..name_end].to_ascii_lowercase();
        let attrs = attributes(&tag[name_end..]);
        let attr = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        // An option ends at the next option, at its select's end, or at its own end tag.
        if matches!(name.as_str(), "option" | "select" | "optgroup")
            && let (Some((oattrs, otext)), Some((_, _, options))) = (option.take(), select.as_mut())
        {
            let value = oattrs
                .iter()
                .find(|(n, _)| n == "value")
                .map(|(_, v)| v.clone())
                // Without a value attribute, its text with white space collapsed.
                .unwrap_or_else(|| otext.split_ascii_whitespace().collect::<Vec<_>>().join(" "));
            let has = |k: &str| oattrs.iter().any(|(n, _)| n == k);
            options.push((value, has("selected"), has("disabled")));
        }
        match (closing, name.as_str()) {
            (false, "input") if attr("disabled").is_none() => {
                let Some(field) = attr("name") else { continue };
                let kind = attr("type").unwrap_or_default().to_ascii_lowercase();
                match kind.as_str() {
                    "radio" | "checkbox" => {
                        if attr("checked").is_some() {
                            out.push((field, attr("value").unwrap_or_else(|| "on".into())));
                        }
                    }
                    "submit" | "button" | "reset" | "image" | "file" => {}
                    // Text-like boxes lose their line breaks (the value sanitisation algorithm).
                    _ => out.push((
                        field,
                        attr("value").unwrap_or_default().replace(['\r', '\n'], ""),
                    )),
                }
            }
            (false, "select") => {
                select = Some((attr("name"), attr("disabled").is_some(), Vec::new()))
            }
            (true, "select") => {
                if let Some((Some(field), false, options)) = select.take() {
                    // One choice: the last option marked selected, else the first that may be chosen.
                    let chosen = options
                        .iter()
                        .rev()
                        .find(|(_, selected, _)| *selected)
                        .or_else(|| options.iter().find(|(_, _, disabled)| !disabled));
                    if let Some((value, _, _)) = chosen {
                        out.push((field, value.clone()));
                    }
                }
            }
            (false, "option") if select.is_some() => option = Some((attrs, String::new())),
            (false, "textarea") => textarea = Some((attrs, String::new())),
            (true, "textarea") => {
                if let Some((tattrs, text)) = textarea.take() {
                    let get = |k: &str| tattrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                    if let (Some(field), None) = (get("name"), get("disabled")) {
                        let text = text.strip_prefix('\n').unwrap_or(&text).to_string();
                        out.push((field, text));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Where a tag that starts `s` ends (a `>` outside quotes).
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// A tag's attributes, names lower-cased, values decoded (`checked` alone has an empty value).
fn attributes(mut s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if s.is_empty() {
            return out;
        }
        let end = s
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(s.len());
        let name = s[..end].to_ascii_lowercase();
        s = s[end..].trim_start();
        let value = match s.strip_prefix('=') {
            None => String::new(),
            Some(v) => {
                let v = v.trim_start();
                let (raw, rest) = match v.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let close = v[1..].find(q).map_or(v.len(), |i| i + 1);
                        (&v[1..close], v.get(close + 1..).unwrap_or(""))
                    }
                    _ => {
                        let e = v.find(|c: char| c.is_ascii_whitespace()).unwrap_or(v.len());
                        (&v[..e], &v[e..])
                    }
                };
                s = rest;
                decode(raw)
            }
        };
        out.push((name, value));
    }
}

/// Character references: the named ones a renderer writes, and numeric ones.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|i| *i < 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            e => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::entries;

    fn pairs(html: &str) -> Vec<(&'static str, String)> {
        entries(html)
            .into_iter()
            .map(|(k, v)| (&*Box::leak(k.into_boxed_str()), v))
            .collect()
    }

    #[test]
    fn reads_what_a_browser_sends() {
        let html = r#"<form><!-- a comment <input name="no"> -->
            <input type="text" name="a" value="x &amp; &quot;y&quot; &#x661;">
            <input name="b" value='1>2'><input type="text" name="off" value="1" disabled>
            <input type="radio" name="r" value="one"><input type="radio" name="r" value="two" checked>
            <input type="checkbox" name="c" checked><input type="submit" name="go" value="Go">
            <select name="s"><option value="">Choose</option><option value="2">Two</option></select>
            <select name="t"><option value="1" selected>1</option><option selected>  Three
              days </option></select>
            <select name="u"><option disabled>no</option><option>first</option></select>
            <textarea name="note">
line</textarea></form>"#;
        assert_eq!(
            pairs(html),
            vec![
                ("a", "x & \"y\" \u{661}".to_string()),
                ("b", "1>2".to_string()),
                ("r", "two".to_string()),
                ("c", "on".to_string()),
                ("s", String::new()),
                ("t", "Three days".to_string()),
                ("u", "first".to_string()),
                ("note", "line".to_string()),
            ]
        );
    }
}
