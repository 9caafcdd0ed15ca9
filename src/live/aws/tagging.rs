//! The Resource Groups Tagging API through the SDK: what carries the stack's tag in a Region,
//! whatever the spec still names.

use aws_sdk_resourcegroupstagging::types::TagFilter;

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::map;
use crate::live::aws::operations as ops;
use crate::live::aws::paging::all_pages;
use crate::live::error::LiveResult;
use crate::live::services::{TAGGED_TYPES, Tagged, Tagging};

impl Tagging for AwsAccount {
    async fn tagged(&self, region: &str, key: &str, value: &str) -> LiveResult<Tagged> {
        const OP: &str = ops::RESOURCEGROUPSTAGGING_GET_RESOURCES;
        let client = self.tagging(region);
        let filter = TagFilter::builder().key(key).values(value).build();
        let arns = all_pages(OP, region, |token| {
            let call = client
                .get_resources()
                .tag_filters(filter.clone())
                .set_resource_type_filters(Some(
                    TAGGED_TYPES.iter().map(|t| (*t).to_owned()).collect(),
                ))
                .set_pagination_token(token.filter(|t| !t.is_empty()));
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let arns: Vec<String> = page
                    .resource_tag_mapping_list()
                    .iter()
                    .filter_map(|m| m.resource_arn().map(str::to_owned))
                    .collect();
                let next = page
                    .pagination_token()
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned);
                Ok((arns, next))
            }
        })
        .await?;
        Ok(Tagged::from_arns(&arns))
    }
}
