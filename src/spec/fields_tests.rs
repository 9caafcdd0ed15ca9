//! Tests of the field tables: tables that mirror model names agree with them; keys are unique.
use super::*;
use crate::model::alert::Protocol;
use crate::model::cost::Kind;

#[test]
fn tables_that_mirror_model_names_agree_with_them() {
    assert_eq!(keys(SUBSCRIPTION), Protocol::NAMES);
    assert_eq!(keys(EVENTS_PER_MONTH), Kind::ALL.map(Kind::key));
}

#[test]
fn every_table_names_each_key_once() {
    for table in [
        ROOT,
        BUCKET,
        TRAIL,
        ATHENA,
        CLOUDWATCH_LOGS,
        DATA_EVENTS,
        SELECTOR,
        FIELD_SELECTOR,
        TOPIC,
        SUBSCRIPTION,
        ALERT,
        ON,
        TEST,
        PRESET,
        COST,
        EVENTS_PER_MONTH,
    ] {
        let mut k = keys(table);
        k.sort_unstable();
        k.dedup();
        assert_eq!(k.len(), table.len());
    }
}
