//! Service Quotas through the SDK: the account's own quota of rules per event bus.

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{code, map};
use crate::live::aws::operations as ops;
use crate::live::error::LiveResult;
use crate::live::services::{Quotas, RULES_QUOTA_CODE};

impl Quotas for AwsAccount {
    async fn rules_per_bus(&self, region: &str) -> LiveResult<Option<u32>> {
        const OP: &str = ops::SERVICEQUOTAS_GET_SERVICE_QUOTA;
        let out = self
            .quotas(region)
            .get_service_quota()
            .service_code("events")
            .quota_code(RULES_QUOTA_CODE)
            .send()
            .await;
        match out {
            Ok(o) => Ok(o
                .quota()
                .and_then(|q| q.value())
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(|v| v.min(f64::from(u32::MAX)) as u32)),
            // Not allowed to read it, or not known there: the default holds.
            Err(e)
                if matches!(
                    code(&e),
                    Some("AccessDeniedException" | "NoSuchResourceException")
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(map(OP, region, e)),
        }
    }
}
