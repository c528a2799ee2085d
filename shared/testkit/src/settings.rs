//! Settings tests without the environment: a function's `Settings::from_vars` read from a
//! base set of variables (what the template always sets) and the test's own, and the check that
//! every bad value stops the start naming its variable.

use shop_adapters::boot::config::{ConfigError, Vars};

/// The settings `from_vars` reads from `extra` over `base` (a variable in both is `extra`'s).
pub fn read<S>(
    from_vars: impl Fn(&Vars) -> Result<S, ConfigError>,
    base: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Result<S, ConfigError> {
    from_vars(&Vars::given(&[extra, base].concat()))
}

/// The settings of a protected function `from_vars` reads from `extra` over the variables
/// that trust the test tokens ([`crate::customer::jwt_vars`]).
pub fn read_protected<S>(
    from_vars: impl Fn(&Vars) -> Result<S, ConfigError>,
    extra: &[(&str, &str)],
) -> Result<S, ConfigError> {
    read(from_vars, &crate::customer::jwt_vars(), extra)
}

/// As [`read_protected`], for values that must start: the error, if any, fails the test.
pub fn protected<S>(
    from_vars: impl Fn(&Vars) -> Result<S, ConfigError>,
    extra: &[(&str, &str)],
) -> S {
    read_protected(from_vars, extra).unwrap_or_else(|e| panic!("{extra:?}: {e}"))
}

/// Asserts that each of `bad` (a variable and a value it refuses), set over `base`, stops
/// `from_vars` with an error that names the variable.
pub fn assert_each_bad_value_named<S>(
    from_vars: impl Fn(&Vars) -> Result<S, ConfigError>,
    base: &[(&str, &str)],
    bad: &[(&str, &str)],
) {
    for &(name, value) in bad {
        let err = read(&from_vars, base, &[(name, value)]).err();
        let err = err.unwrap_or_else(|| panic!("{name}={value} was accepted"));
        assert!(err.to_string().contains(name), "{name}={value}: {err}");
    }
}

/// Asserts that `base` starts `from_vars` and that without each of `needed` (taken out of
/// `base`) the start stops, saying which variable is not set.
pub fn assert_each_needed<S>(
    from_vars: impl Fn(&Vars) -> Result<S, ConfigError>,
    base: &[(&str, &str)],
    needed: &[&str],
) {
    assert!(
        from_vars(&Vars::given(base)).is_ok(),
        "{base:?} did not start"
    );
    for name in needed {
        let without: Vec<_> = base.iter().copied().filter(|(n, _)| n != name).collect();
        let err = from_vars(&Vars::given(&without))
            .err()
            .map(|e| e.to_string());
        let expected = format!("environment variable {name} is not set");
        assert_eq!(err.as_deref(), Some(expected.as_str()), "without {name}");
    }
}
