//! [`named_enum!`]: a fieldless enum declared together with its JSON names.

/// Declares a fieldless enum from one list of `Variant = "json_name"` pairs, with
/// `COUNT`, `ALL` (the variants in declaration order, so `ALL[v as usize] == v`) and
/// `NAMES` (the JSON names in the same order). One list keeps the three from drifting.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = $json:literal,)+ }) => {
        $(#[$meta])*
        $vis enum $name {
            $($variant,)+
        }

        impl $name {
            pub const COUNT: usize = [$($json),+].len();
            pub const ALL: [$name; Self::COUNT] = [$($name::$variant),+];
            /// JSON names, in the order of `ALL`.
            pub const NAMES: [&'static str; Self::COUNT] = [$($json),+];
        }
    };
}

pub(crate) use named_enum;

#[cfg(test)]
mod tests {
    use crate::types::{KindLabel, ProposalStatus};

    #[test]
    fn all_is_in_discriminant_order_and_names_are_the_serde_names() {
        for (i, label) in KindLabel::ALL.into_iter().enumerate() {
            assert_eq!(label.index(), i);
            assert_eq!(serde_json::to_string(&label).unwrap(), format!("\"{}\"", KindLabel::NAMES[i]));
        }
        for (i, status) in ProposalStatus::ALL.into_iter().enumerate() {
            assert_eq!(status.index(), i);
            let json = format!("\"{}\"", ProposalStatus::NAMES[i]);
            assert_eq!(serde_json::to_string(&status).unwrap(), json);
            assert_eq!(serde_json::from_str::<ProposalStatus>(&json).unwrap(), status);
        }
        assert_eq!((KindLabel::COUNT, ProposalStatus::COUNT), (31, 8));
    }
}
