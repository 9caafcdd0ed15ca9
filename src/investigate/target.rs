//! What is being investigated: a resource name or ARN, and whether a CloudTrail record concerns
//! it.

use serde_json::Value;

/// The services whose events event history keeps in us-east-1 only: since 2021-11-22,
/// "events created by CloudFront, IAM, and AWS STS are recorded in the region in which they
/// were created, the US East (N. Virginia) Region, us-east-1" (CloudTrail User Guide, "Viewing
/// CloudTrail events with the AWS CLI"); AWS's notice of that change names console sign-in with
/// them. Organizations is managed through us-east-1 as well.
pub const GLOBAL_SERVICES: &[&str] = &["iam", "sts", "cloudfront", "signin", "organizations"];

/// A resource as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As written.
    pub text: String,
    /// Its name or id: the ARN's last segment (`orders` of `…:table/orders`), else the text.
    pub name: String,
    /// From an ARN: the service (`dynamodb`) and the Region, if the ARN has one.
    pub service: Option<String>,
    pub region: Option<String>,
    pub arn: Option<String>,
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("the resource to investigate is empty: give its name, id or ARN".into());
        }
        if let Some(rest) = text.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            let [_partition, service, region, _account, resource] = parts[..] else {
                return Err(format!(
                    "{text:?} is not an ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
                ));
            };
            if service.is_empty() || resource.is_empty() {
                return Err(format!("{text:?}: an ARN names a service and a resource"));
            }
            return Ok(Target {
                text: text.to_owned(),
                name: last_segment(resource).to_owned(),
                service: Some(service.to_owned()),
                region: (!region.is_empty()).then(|| region.to_owned()),
                arn: Some(text.to_owned()),
            });
        }
        Ok(Target {
            text: text.to_owned(),
            name: text.to_owned(),
            service: None,
            region: None,
            arn: None,
        })
    }

    /// Whether event history keeps this resource's events in us-east-1 only.
    pub fn global(&self) -> bool {
        self.service
            .as_deref()
            .is_some_and(|s| GLOBAL_SERVICES.contains(&s))
    }

    /// The Regions to look in: the ARN's Region, us-east-1 for a global service, else `regions`.
    pub fn regions(&self, regions: &[String]) -> Vec<String> {
        if self.global() {
            return vec![crate::model::event_sources::GLOBAL_REGION.to_owned()];
        }
        match &self.region {
            Some(r) => vec![r.clone()],
            None => regions.to_vec(),
        }
    }

    /// The values `LookupEvents` is asked for as `ResourceName`: the name, and the ARN.
    pub fn lookup_names(&self) -> Vec<String> {
        let mut out = vec![self.name.clone()];
        if let Some(arn) = &self.arn
            && arn != &self.name
        {
            out.push(arn.clone());
        }
        out
    }

    /// Whether a value names this resource: the name or id itself, the ARN, or an ARN ending in
    /// the name (when the target is a bare name; with an ARN, only of the same service).
    fn named_by(&self, value: &str) -> bool {
        if value == self.text || value == self.name || self.arn.as_deref() == Some(value) {
            return true;
        }
        let Some(rest) = value.strip_prefix("arn:") else {
            return false;
        };
        let service = rest.split(':').nth(1);
        let same_service = self.service.is_none() || self.service.as_deref() == service;
        same_service && last_segment(rest) == self.name
    }

    /// Whether a CloudTrail record concerns this resource: it is among the record's
    /// `resources`, or named anywhere in its `requestParameters` or `responseElements` (many
    /// delete calls carry no `resources`).
    pub fn concerned_by(&self, record: &Value) -> bool {
        let in_resources = record
            .get("resources")
            .and_then(Value::as_array)
            .is_some_and(|rs| {
                rs.iter().any(|r| {
                    ["ARN", "arn", "resourceName"]
                        .iter()
                        .filter_map(|k| r.get(*k).and_then(Value::as_str))
                        .any(|v| self.named_by(v))
                })
            });
        in_resources
            || ["requestParameters", "responseElements"]
                .iter()
                .filter_map(|k| record.get(*k))
                .any(|v| self.named_in(v))
    }

    fn named_in(&self, v: &Value) -> bool {
        match v {
            Value::String(s) => self.named_by(s),
            Value::Array(items) => items.iter().any(|i| self.named_in(i)),
            Value::Object(m) => m.values().any(|i| self.named_in(i)),
            _ => false,
        }
    }
}

/// What follows an ARN's last `/` or `:`.
fn last_segment(resource: &str) -> &str {
    resource.rsplit(['/', ':']).next().unwrap_or(resource)
}

#[cfg(test)]
mod tests {
    use super::Target;
    use serde_json::json;

    #[test]
    fn names_and_arns() {
        let t = Target::parse("arn:aws:dynamodb:eu-west-1:123456789012:table/orders").unwrap();
        assert_eq!(t.name, "orders");
        assert_eq!(t.service.as_deref(), Some("dynamodb"));
        assert_eq!(t.regions(&["us-east-1".into()]), ["eu-west-1"]);
        assert_eq!(t.lookup_names().len(), 2);
        let role = Target::parse("arn:aws:iam::123456789012:role/deploy").unwrap();
        assert!(role.global() && role.regions(&["eu-west-1".into()]) == ["us-east-1"]);
        let bare = Target::parse("sg-0abc").unwrap();
        assert_eq!(bare.regions(&["a".into(), "b".into()]), ["a", "b"]);
        assert!(Target::parse("arn:aws:s3").is_err() && Target::parse(" ").is_err());
        let bucket = Target::parse("arn:aws:s3:::acme-logs").unwrap();
        assert_eq!(
            (bucket.name.as_str(), bucket.region.as_deref()),
            ("acme-logs", None)
        );
    }

    #[test]
    fn a_record_concerns_a_target_named_anywhere_in_it() {
        let t = Target::parse("orders").unwrap();
        let delete =
            json!({"eventName": "DeleteTable", "requestParameters": {"tableName": "orders"}});
        assert!(t.concerned_by(&delete));
        let by_arn = json!({"resources": [{"ARN": "arn:aws:dynamodb:eu-west-1:1:table/orders"}]});
        assert!(t.concerned_by(&by_arn));
        let nested = json!({"responseElements": {"items": [{"id": "x"}, {"name": "orders"}]}});
        assert!(t.concerned_by(&nested));
        let other = json!({"requestParameters": {"tableName": "orders-archive"}});
        assert!(!t.concerned_by(&other));
        // With an ARN, an ARN of another service ending in the same name is not it.
        let arn = Target::parse("arn:aws:dynamodb:eu-west-1:1:table/orders").unwrap();
        let queue = json!({"requestParameters": {"queueUrl": "arn:aws:sqs:eu-west-1:1:orders"}});
        assert!(!arn.concerned_by(&queue) && t.concerned_by(&queue));
    }
}
