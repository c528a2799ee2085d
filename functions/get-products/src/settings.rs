//! The function's settings, read once at cold start, and its handler built from them.

use shop_domain::catalog::Region;

use crate::Handler;

/// The price region when `DEFAULT_REGION` is unset.
pub const DEFAULT_REGION: &str = "DE";

shop_adapters::settings! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        /// `DEFAULT_REGION`: prices shown when the request names no region.
        pub default_region: Region = |v| v.read("DEFAULT_REGION", DEFAULT_REGION, Region::parse),
    }
}

shop_adapters::function!(http Handler => list, Settings, |boot, settings| Handler {
    catalog: boot.catalog(),
    default_region: settings.default_region,
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_adapters::boot::prelude::*;

    #[test]
    fn the_default_region_applies_when_unset_and_a_bad_one_is_named() {
        let unset = Settings::from_vars(&Vars::given(&[])).unwrap();
        assert_eq!(
            Region::parse(DEFAULT_REGION).ok(),
            Some(unset.default_region)
        );
        let set = Settings::from_vars(&Vars::given(&[("DEFAULT_REGION", "AT")])).unwrap();
        assert_eq!(Region::parse("AT").ok(), Some(set.default_region));
        let bad = Settings::from_vars(&Vars::given(&[("DEFAULT_REGION", "??")])).unwrap_err();
        assert!(bad.to_string().contains("DEFAULT_REGION"), "{bad}");
    }
}
