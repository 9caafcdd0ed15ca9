//! IAM through the SDK: the forwarding role and its inline policy.

use std::collections::BTreeSet;

use aws_sdk_iam::types::Tag;
use serde_json::Value;

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{build, code, map};
use crate::live::aws::operations as ops;
use crate::live::error::LiveResult;
use crate::live::services::Iam;
use crate::model::observed::LiveRole;
use crate::model::tags::Tags;

/// IAM returns policy documents URL-encoded (RFC 3986); some emulators return them plain.
fn document(raw: &str) -> Option<Value> {
    serde_json::from_str(raw)
        .ok()
        .or_else(|| serde_json::from_str(&percent_decode(raw)).ok())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

const REGION: &str = "global";

impl Iam for AwsAccount {
    async fn role(&self, name: &str, policy_name: &str) -> LiveResult<Option<LiveRole>> {
        let client = self.iam();
        let role = match client.get_role().role_name(name).send().await {
            Ok(out) => match out.role {
                Some(r) => r,
                None => return Ok(None),
            },
            Err(e) if code(&e) == Some("NoSuchEntity") => return Ok(None),
            Err(e) => return Err(map(ops::IAM_GET_ROLE, REGION, e)),
        };
        let policy = match client
            .get_role_policy()
            .role_name(name)
            .policy_name(policy_name)
            .send()
            .await
        {
            Ok(out) => document(out.policy_document()),
            Err(e) if code(&e) == Some("NoSuchEntity") => None,
            Err(e) => return Err(map(ops::IAM_GET_ROLE_POLICY, REGION, e)),
        };
        Ok(Some(LiveRole {
            name: role.role_name().to_owned(),
            arn: role.arn().to_owned(),
            trust: role
                .assume_role_policy_document()
                .and_then(document)
                .unwrap_or(Value::Null),
            policy,
            boundary: role
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_owned),
            tags: role
                .tags()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
        }))
    }

    async fn create_role(
        &self,
        name: &str,
        trust: &Value,
        boundary: Option<&str>,
        tags: &Tags,
    ) -> LiveResult<()> {
        const OP: &str = ops::IAM_CREATE_ROLE;
        self.iam()
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust.to_string())
            .description("trailctl: a service role of the stack (EventBridge forwarding, CloudTrail log delivery)")
            .set_permissions_boundary(boundary.map(str::to_owned))
            .set_tags(Some(tags_to_api(OP, tags)?))
            .send()
            .await
            .map_err(|e| map(OP, REGION, e))?;
        Ok(())
    }

    async fn policy_exists(&self, arn: &str) -> LiveResult<bool> {
        match self.iam().get_policy().policy_arn(arn).send().await {
            Ok(_) => Ok(true),
            Err(e) if code(&e) == Some("NoSuchEntity") => Ok(false),
            Err(e) => Err(map(ops::IAM_GET_POLICY, REGION, e)),
        }
    }

    async fn put_role_boundary(&self, name: &str, boundary: &str) -> LiveResult<()> {
        self.iam()
            .put_role_permissions_boundary()
            .role_name(name)
            .permissions_boundary(boundary)
            .send()
            .await
            .map_err(|e| map(ops::IAM_PUT_ROLE_PERMISSIONS_BOUNDARY, REGION, e))?;
        Ok(())
    }

    async fn update_trust(&self, name: &str, trust: &Value) -> LiveResult<()> {
        self.iam()
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust.to_string())
            .send()
            .await
            .map_err(|e| map(ops::IAM_UPDATE_ASSUME_ROLE_POLICY, REGION, e))?;
        Ok(())
    }

    async fn put_role_policy(
        &self,
        name: &str,
        policy_name: &str,
        policy: &Value,
    ) -> LiveResult<()> {
        self.iam()
            .put_role_policy()
            .role_name(name)
            .policy_name(policy_name)
            .policy_document(policy.to_string())
            .send()
            .await
            .map_err(|e| map(ops::IAM_PUT_ROLE_POLICY, REGION, e))?;
        Ok(())
    }

    async fn tag_role(&self, name: &str, tags: &Tags) -> LiveResult<()> {
        const OP: &str = ops::IAM_TAG_ROLE;
        self.iam()
            .tag_role()
            .role_name(name)
            .set_tags(Some(tags_to_api(OP, tags)?))
            .send()
            .await
            .map_err(|e| map(OP, REGION, e))?;
        Ok(())
    }

    async fn untag_role(&self, name: &str, keys: &BTreeSet<String>) -> LiveResult<()> {
        self.iam()
            .untag_role()
            .role_name(name)
            .set_tag_keys(Some(keys.iter().cloned().collect()))
            .send()
            .await
            .map_err(|e| map(ops::IAM_UNTAG_ROLE, REGION, e))?;
        Ok(())
    }

    async fn delete_role(&self, name: &str, policy_name: &str) -> LiveResult<()> {
        let client = self.iam();
        match client
            .delete_role_policy()
            .role_name(name)
            .policy_name(policy_name)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if code(&e) == Some("NoSuchEntity") => {}
            Err(e) => return Err(map(ops::IAM_DELETE_ROLE_POLICY, REGION, e)),
        }
        client
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| map(ops::IAM_DELETE_ROLE, REGION, e))?;
        Ok(())
    }
}

fn tags_to_api(op: &'static str, tags: &Tags) -> LiveResult<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| build(op, REGION, e))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_read_plain_or_url_encoded() {
        let plain = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(document(plain), document(encoded));
        assert!(document(plain).is_some());
    }
}
