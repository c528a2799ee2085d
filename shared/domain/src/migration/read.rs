//! Reads a JSON record field by field and keeps going after a bad one, so an import answer
//! lists every reason an account is refused, not only the first serde would stop at. Details
//! never repeat the value they refuse (the newtypes' own messages aside).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::sensitive;
use crate::{DomainError, Money, Quantity, error::FieldError, wire};

/// Lists and text have bounds so no record grows an answer or a row without limit.
const MAX_ITEMS: usize = 200;

pub(super) struct Reader<'a> {
    value: &'a Value,
    path: String,
    reasons: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(value: &'a Value) -> Self {
        Self::at(value, String::new())
    }

    fn at(value: &'a Value, path: String) -> Self {
        let mut r = Self {
            value,
            path,
            reasons: Vec::new(),
        };
        if !value.is_object() {
            r.reason("", "not_an_object", "Expected a JSON object.");
        }
        r
    }

    /// The record as given, for checks across fields.
    pub(super) fn raw(&self) -> &'a Value {
        self.value
    }

    pub(super) fn into_reasons(self) -> Vec<FieldError> {
        self.reasons
    }

    fn full(&self, key: &str) -> String {
        match (self.path.is_empty(), key.is_empty()) {
            (_, true) => self.path.clone(),
            (true, false) => key.to_owned(),
            (false, false) if key.starts_with('[') => format!("{}{key}", self.path),
            (false, false) => format!("{}.{key}", self.path),
        }
    }

    /// Records a reason about `key` (a path relative to this reader).
    pub(super) fn reason(&mut self, key: &str, code: &'static str, detail: &str) {
        let field = self.full(key);
        self.reasons.push(FieldError {
            field,
            code,
            detail: detail.to_owned(),
        });
    }

    fn broken(&mut self, key: &str, e: DomainError) {
        let field = self.full(key);
        self.reasons.push(FieldError {
            field,
            code: e.code(),
            detail: e.to_string(),
        });
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.value.get(key).filter(|v| !v.is_null())
    }

    fn required(&mut self, key: &str) -> Option<&'a Value> {
        let v = self.present(key);
        if v.is_none() && self.value.is_object() {
            self.reason(key, "missing_field", "This field is required.");
        }
        v
    }

    fn string(&mut self, key: &str, v: &'a Value) -> Option<&'a str> {
        let s = v.as_str();
        if s.is_none() {
            self.reason(key, "wrong_type", "Expected a string.");
        }
        s
    }

    pub(super) fn text<T>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Option<T> {
        let v = self.required(key)?;
        let s = self.string(key, v)?;
        parse(s).map_err(|e| self.broken(key, e)).ok()
    }

    /// `Some(None)` when absent or `null`; `None` when present and bad.
    pub(super) fn optional_text<T>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Option<Option<T>> {
        if self.present(key).is_none() {
            return Some(None);
        }
        self.text(key, parse).map(Some)
    }

    pub(super) fn optional_object<T>(
        &mut self,
        key: &str,
        read: impl Fn(&mut Reader<'a>) -> Option<T>,
    ) -> Option<Option<T>> {
        let Some(v) = self.present(key) else {
            return Some(None);
        };
        let path = self.full(key);
        self.nested(v, path, read).map(Some)
    }

    /// Reads the object `v` at `path` with `read`, keeping its reasons with this reader's.
    fn nested<T>(
        &mut self,
        v: &'a Value,
        path: String,
        read: impl Fn(&mut Reader<'a>) -> Option<T>,
    ) -> Option<T> {
        let mut child = Reader::at(v, path);
        let out = read(&mut child);
        self.reasons.append(&mut child.reasons);
        out
    }

    /// A list of objects; absent is empty.
    pub(super) fn list<T>(
        &mut self,
        key: &str,
        read: impl Fn(&mut Reader<'a>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Some(v) = self.present(key) else {
            return Some(Vec::new());
        };
        let Some(items) = v.as_array() else {
            self.reason(key, "wrong_type", "Expected a list.");
            return None;
        };
        if items.len() > MAX_ITEMS {
            self.reason(key, "too_many_items", "At most 200 items.");
            return None;
        }
        let mut out = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let path = self.full(&format!("{key}[{i}]"));
            let read = self.nested(item, path, &read);
            out = out.zip(read).map(|(mut all, one)| {
                all.push(one);
                all
            });
        }
        out
    }

    pub(super) fn quantity(&mut self, key: &str) -> Option<Quantity> {
        let v = self.required(key)?;
        let n = v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        });
        let Some(n) = n else {
            self.reason(key, "wrong_type", "Expected a whole number.");
            return None;
        };
        Quantity::new(u32::try_from(n).unwrap_or(u32::MAX))
            .map_err(|e| self.broken(key, e))
            .ok()
    }

    pub(super) fn date(&mut self, key: &str) -> Option<jiff::civil::Date> {
        let v = self.required(key)?;
        let s = self.string(key, v)?;
        let d = wire::parse_date(s);
        if d.is_none() {
            self.reason(key, "invalid_date", "Expected a date written YYYY-MM-DD.");
        }
        d
    }

    pub(super) fn flag(&mut self, key: &str) -> Option<bool> {
        let v = self.required(key)?;
        let b = v.as_bool();
        if b.is_none() {
            self.reason(key, "wrong_type", "Expected true or false.");
        }
        b
    }

    /// One of an enum's snake_case names.
    pub(super) fn enumerated<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let v = self.required(key)?;
        let s = self.string(key, v)?;
        let t = serde_json::from_value(Value::String(s.to_owned())).ok();
        if t.is_none() {
            self.reason(key, "invalid_value", "Not one of the documented values.");
        }
        t
    }

    /// An amount as a string (`"19.90"`) or a JSON number, at most two decimals.
    pub(super) fn money(&mut self, key: &str) -> Option<Money> {
        let v = self.required(key)?;
        let raw = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => {
                self.reason(key, "wrong_type", "Expected an amount.");
                return None;
            }
        };
        Money::parse(&raw).map_err(|e| self.broken(key, e)).ok()
    }

    /// Names every key the record should not have (a typo would otherwise drop data silently);
    /// a key that is itself a card number or IBAN is left to that refusal.
    pub(super) fn unknown_fields(&mut self, known: &[&str]) {
        let Some(map) = self.value.as_object() else {
            return;
        };
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !known.contains(&k.as_str()) && sensitive::detect(k).is_none())
            .cloned()
            .collect();
        for k in unknown {
            self.reason(&k, "unknown_field", "The export has no such field.");
        }
    }
}
