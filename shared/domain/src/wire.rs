//! How request bodies are read, so that the server accepts exactly what openapi.yaml describes:
//!
//! - [`from_slice`]: JSON where every struct must be a JSON object. serde's derive also builds a
//!   struct from an array of its fields in order (`[null, null]` as a seat change), which no
//!   schema of the contract allows.
//! - [`date`] / [`optional_date`]: a calendar day as `YYYY-MM-DD` (RFC 3339 `full-date`, the
//!   contract's `format: date`) and nothing else; jiff alone also reads `20271121`.
//! - [`whole_number`]: an integer as JSON Schema means it, a number without a fractional part,
//!   so `2.0` is 2 as it is for the contract's `type: integer` (a JavaScript client cannot even
//!   tell them apart); `2.5` and `"2"` are refused.

use jiff::civil::Date;
use serde::{
    Deserialize, Deserializer,
    de::{
        self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
    },
};
use serde_json::Value;

/// Reads `bytes` as JSON into `T`, refusing an array wherever `T` (or a struct inside it)
/// expects an object.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let value: Value = serde_json::from_slice(bytes)?;
    T::deserialize(Strict(&value))
}

/// A `T` that must be written as a JSON object, whatever reader is used: serde's derive alone
/// also builds a struct from an array of its fields. For bodies whose reader is not
/// [`from_slice`]: `let change: Object<SeatChange> = json_body(req)?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object<T>(pub T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::<String, Value>::deserialize(d)?;
        T::deserialize(Strict(&Value::Object(map)))
            .map(Object)
            .map_err(de::Error::custom)
    }
}

/// A JSON value read like `&Value`, except that a struct must come from an object, at every
/// depth.
struct Strict<'a>(&'a Value);

impl<'de> Deserializer<'de> for Strict<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Object(map) => visitor.visit_map(Entries {
                entries: map.iter(),
                value: None,
            }),
            scalar => scalar.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    /// A map only from an object: `null` is no empty map (serde_json's own map reader would
    /// take it as one, and `Object<T>` would then read `null` as a `T` of defaults).
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct identifier ignored_any
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

struct Items<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(Strict(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'a> {
    entries: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key.as_str().into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value without its key"))?;
        seed.deserialize(Strict(value))
    }
}

/// A calendar day written `YYYY-MM-DD`, for `#[serde(deserialize_with = "wire::date")]`.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let raw = String::deserialize(d)?;
    parse_date(&raw).ok_or_else(|| {
        de::Error::invalid_value(de::Unexpected::Str(&raw), &"a date written YYYY-MM-DD")
    })
}

/// [`date`] for an optional field (with `#[serde(default)]`): absent or `null` is `None`.
pub fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => parse_date(&raw).map(Some).ok_or_else(|| {
            de::Error::invalid_value(de::Unexpected::Str(&raw), &"a date written YYYY-MM-DD")
        }),
    }
}

/// `YYYY-MM-DD` with a day that exists; anything else (`20271121`, `2027-1-5`, `2027-02-30`,
/// signs, spaces) is `None`.
pub fn parse_date(raw: &str) -> Option<Date> {
    let b = raw.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shape.then(|| raw.parse::<Date>().ok()).flatten()
}

/// An integer in JSON Schema's sense (`2`, `2.0`, `2e0`), for
/// `#[serde(deserialize_with = "wire::whole_number")]`. Out-of-range values are left to the
/// newtype that takes the number (`Quantity`), so they keep their own error code.
pub fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct Whole;
    impl Visitor<'_> for Whole {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<i64, E> {
            Ok(n)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<i64, E> {
            Ok(i64::try_from(n).unwrap_or(i64::MAX))
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<i64, E> {
            if n.is_finite() && n.fract() == 0.0 {
                // Saturates far outside every range a caller checks next.
                #[allow(clippy::cast_possible_truncation)]
                Ok(n as i64)
            } else {
                Err(E::invalid_type(de::Unexpected::Float(n), &self))
            }
        }
    }
    d.deserialize_any(Whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: Option<u32>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        list: Vec<Inner>,
        #[serde(default, deserialize_with = "optional_date")]
        day: Option<Date>,
        #[serde(default, deserialize_with = "whole_number")]
        n: i64,
    }

    #[test]
    fn structs_come_from_objects_only_at_every_depth() {
        let ok: Outer =
            from_slice(br#"{"inner":{"a":1},"list":[{"a":null}],"day":"2027-11-21","n":3}"#)
                .unwrap();
        assert_eq!(ok.inner, Some(Inner { a: Some(1) }));
        assert_eq!(ok.list, vec![Inner { a: None }]);
        for bad in [
            "[null, null, null, null]",
            "[]",
            r#"{"inner":[1]}"#,
            r#"{"list":[[null]]}"#,
            r#"{"x":1}"#,
            "null",
            "",
        ] {
            assert!(from_slice::<Outer>(bad.as_bytes()).is_err(), "{bad}");
        }
        // What plain serde_json lets through.
        assert!(serde_json::from_str::<Outer>("[null, [], null, 0]").is_ok());
    }

    #[test]
    fn an_object_wrapper_refuses_arrays_with_any_reader() {
        let ok: Object<Outer> = serde_json::from_str(r#"{"n":1.0}"#).unwrap();
        assert_eq!(ok.0.n, 1);
        for bad in ["[null, [], null, 0]", r#"{"inner":[null]}"#, "3", "null"] {
            assert!(serde_json::from_str::<Object<Outer>>(bad).is_err(), "{bad}");
            // Through both readers at once, as the HTTP glue reads bodies.
            assert!(
                from_slice::<Object<Outer>>(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
        let map = from_slice::<std::collections::HashMap<String, u32>>(b"null");
        assert!(map.is_err(), "null is no map");
    }

    #[test]
    fn dates_are_yyyy_mm_dd_only() {
        assert_eq!(
            parse_date("2027-11-21"),
            Some(jiff::civil::date(2027, 11, 21))
        );
        for bad in [
            "20271121",
            "2027-1-21",
            "2027-11-21T00:00",
            " 2027-11-21",
            "+2027-11-2",
            "2027-02-30",
            "2027/11/21",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
            assert!(from_slice::<Outer>(format!(r#"{{"day":"{bad}"}}"#).as_bytes()).is_err());
        }
        assert_eq!(from_slice::<Outer>(br#"{"day":null}"#).unwrap().day, None);
    }

    #[test]
    fn whole_numbers_as_json_schema_counts_them() {
        for (raw, n) in [
            ("2", 2),
            ("2.0", 2),
            ("2e0", 2),
            ("-3", -3),
            ("100000.0", 100_000),
        ] {
            let got: Outer = from_slice(format!(r#"{{"n":{raw}}}"#).as_bytes()).unwrap();
            assert_eq!(got.n, n, "{raw}");
        }
        for bad in ["2.5", "\"2\"", "true", "null", "1e400"] {
            assert!(
                from_slice::<Outer>(format!(r#"{{"n":{bad}}}"#).as_bytes()).is_err(),
                "{bad}"
            );
        }
    }
}
