//! A body's fields as the decoder found them, and reading one field as the type a message
//! needs (an id, a flag, a value, a list of node ids, a topology, a round), with the error kind
//! a malformed field is answered with. Absent and `null` optional fields read as their defaults.

use simd_json::prelude::*;
use smallvec::SmallVec;

use super::{DecodeErrorKind, Tv, invalid};
use crate::wire::encode::write_str;
use crate::wire::value::Value;

/// The fields of a body other than `type`, `msg_id` and `in_reply_to`, borrowing the decoder's
/// tape (`'t`) and the line (`'a`). Bodies are small: fields are found by a scan.
#[derive(Default)]
pub struct Fields<'t, 'a> {
    entries: SmallVec<[(&'a str, Tv<'t, 'a>); 8]>,
}

impl<'t, 'a> Fields<'t, 'a> {
    pub(super) fn new(entries: SmallVec<[(&'a str, Tv<'t, 'a>); 8]>) -> Self {
        Fields { entries }
    }

    /// The field `name` (the last one, if the body repeats it).
    #[inline]
    pub fn get(&self, name: &str) -> Option<Field<'t, 'a>> {
        self.entries
            .iter()
            .rev()
            .find(|(key, _)| *key == name)
            .map(|&(_, v)| Field(v))
    }

    /// Whether the body has a field `name`.
    pub fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|(key, _)| *key == name)
    }
}

/// One JSON value of a body, borrowing the decoder's tape (`'t`) and the line (`'a`).
#[derive(Clone, Copy)]
pub struct Field<'t, 'a>(pub(in crate::wire) Tv<'t, 'a>);

impl<'t, 'a> Field<'t, 'a> {
    /// `v`, or [`DecodeErrorKind::Missing`] for the field `name`.
    pub fn required(v: Option<Self>, name: &'static str) -> Result<Self, DecodeErrorKind> {
        v.ok_or(DecodeErrorKind::Missing(name))
    }

    /// An optional non-negative integer field: absent and `null` are `None`.
    pub fn optional_u64(
        v: Option<Self>,
        name: &'static str,
    ) -> Result<Option<u64>, DecodeErrorKind> {
        match v {
            None => Ok(None),
            Some(v) if v.0.is_null() => Ok(None),
            Some(v) => {
                v.0.as_u64()
                    .map(Some)
                    .ok_or_else(|| invalid(name, "a non-negative integer"))
            }
        }
    }

    /// An optional boolean field: absent is `false`.
    pub fn optional_bool(v: Option<Self>, name: &'static str) -> Result<bool, DecodeErrorKind> {
        match v {
            None => Ok(false),
            Some(v) => v.0.as_bool().ok_or_else(|| invalid(name, "a boolean")),
        }
    }

    /// The integer, if it is one that fits an `i64`.
    #[inline]
    pub fn as_i64(self) -> Option<i64> {
        self.0.as_i64()
    }

    /// The integer, if it is one that fits a `u64`.
    #[inline]
    pub fn as_u64(self) -> Option<u64> {
        self.0.as_u64()
    }

    /// The string, borrowed from the line, if it is one.
    #[inline]
    pub fn as_str(self) -> Option<&'a str> {
        self.0.into_string()
    }

    /// The elements, if it is an array.
    #[inline]
    pub fn elements(self) -> Option<impl ExactSizeIterator<Item = Field<'t, 'a>>> {
        let array = self.0.as_array()?;
        let len = array.len();
        Some(Elements {
            inner: array.iter(),
            len,
        })
    }

    /// The elements of an array of exactly `N` elements.
    pub fn exactly<const N: usize>(self) -> Option<[Field<'t, 'a>; N]> {
        let mut items = self.elements()?;
        if items.len() != N {
            return None;
        }
        Some(std::array::from_fn(|_| items.next().unwrap_or(self)))
    }

    /// The value as a [`Value`]: integers stay integers, anything else keeps its compact JSON
    /// text.
    #[inline]
    pub fn value(self) -> Value {
        match self.0.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Json(self.json_text()),
        }
    }

    /// The value's compact JSON text. A string (an `echo` always is one) is written in one
    /// allocation of its exact size; simd-json's generic encoder grows a `String` from empty,
    /// which cost three allocator calls for a short echo.
    pub fn json_text(self) -> Box<str> {
        match self.0.as_str() {
            Some(s) => {
                let mut text = Vec::with_capacity(s.len() + 2);
                write_str(&mut text, s);
                // `write_str` writes `s` and ASCII escapes only: always valid UTF-8.
                String::from_utf8(text)
                    .map_or_else(|_| self.0.encode().into_boxed_str(), String::into_boxed_str)
            }
            None => self.0.encode().into_boxed_str(),
        }
    }

    /// The members of an object, in the order they appear, if it is one.
    pub fn members(self) -> Option<impl Iterator<Item = (&'a str, Field<'t, 'a>)>> {
        let object = self.0.as_object()?;
        Some(object.iter().map(|(name, v)| (name, Field(v))))
    }

    /// An array of strings (node ids), or an error naming the field `name`.
    pub fn str_list(self, name: &'static str) -> Result<Vec<&'a str>, DecodeErrorKind> {
        let bad = || invalid(name, "an array of strings");
        self.elements()
            .ok_or_else(bad)?
            .map(|s| s.as_str().ok_or_else(bad))
            .collect()
    }

    /// A `topology`: an object of node id to neighbour ids, in the order they appear.
    pub fn topology(self) -> Result<Vec<(&'a str, Vec<&'a str>)>, DecodeErrorKind> {
        let object = self
            .0
            .as_object()
            .ok_or_else(|| invalid("topology", "an object of node id to neighbour ids"))?;
        object
            .iter()
            .map(|(node, neighbours)| Ok((node, Field(neighbours).str_list("topology")?)))
            .collect()
    }

    /// A `round`: absent or `null`, or an array of three non-negative integers.
    pub fn round(v: Option<Self>) -> Result<Option<[u64; 3]>, DecodeErrorKind> {
        let Some(v) = v.filter(|v| !v.0.is_null()) else {
            return Ok(None);
        };
        let bad = || invalid("round", "an array of three non-negative integers");
        let [a, b, c] = v.exactly::<3>().ok_or_else(bad)?;
        let n = |f: Field<'_, '_>| f.as_u64().ok_or_else(bad);
        Ok(Some([n(a)?, n(b)?, n(c)?]))
    }

    /// An optional array field, each element converted by `item` (which returns `None` for a
    /// malformed element); absent is empty.
    pub fn optional_list<T>(
        v: Option<Self>,
        name: &'static str,
        expected: &'static str,
        item: impl Fn(Field<'t, 'a>) -> Option<T>,
    ) -> Result<Vec<T>, DecodeErrorKind> {
        let Some(v) = v else {
            return Ok(Vec::new());
        };
        let elements = v.elements().ok_or_else(|| invalid(name, expected))?;
        let mut out = Vec::with_capacity(elements.len());
        for e in elements {
            out.push(item(e).ok_or_else(|| invalid(name, expected))?);
        }
        Ok(out)
    }
}

/// The elements of an array field.
struct Elements<'t, 'a> {
    inner: simd_json::tape::array::Iter<'t, 'a>,
    len: usize,
}

impl<'t, 'a> Iterator for Elements<'t, 'a> {
    type Item = Field<'t, 'a>;

    #[inline]
    fn next(&mut self) -> Option<Field<'t, 'a>> {
        let v = self.inner.next()?;
        self.len -= 1;
        Some(Field(v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl ExactSizeIterator for Elements<'_, '_> {}
