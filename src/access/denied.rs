//! What an AccessDenied adds once a spec is loaded: the ARNs the spec gives the denied action
//! (from the operations table and `Names`) and the `trailctl policy` command for the spec.

use std::path::Path;

use crate::access::names::Names;
use crate::live::aws::operations::OPERATIONS;
use crate::live::error::explain_denials;
use crate::model::desired::Desired;

/// At most this many ARNs are named; the policy command prints them all.
const SHOWN: usize = 3;

/// Makes every AccessDenied from now on name the resources `d` gives the denied action and the
/// command that prints the policy for `spec`.
pub fn install(spec: &Path, d: &Desired) {
    let names = Names::of(d, d.account.as_deref().unwrap_or("*"));
    let file = spec.display().to_string();
    explain_denials(Box::new(move |operation| {
        let op = OPERATIONS.iter().find(|o| o.name == operation)?;
        let arns = names.arns(op.resource);
        let mut text = String::new();
        if !arns.is_empty() && arns != ["*"] {
            let shown: Vec<&str> = arns.iter().take(SHOWN).map(String::as_str).collect();
            text.push_str(" on ");
            text.push_str(&shown.join(", "));
            if arns.len() > SHOWN {
                text.push_str(&format!(" (and {} more)", arns.len() - SHOWN));
            }
        }
        let role = op.access.policy_role();
        text.push_str(&format!(
            "; `trailctl policy -f {file} --role {role}` prints what this spec needs"
        ));
        Some(text)
    }));
}

#[cfg(test)]
mod tests {
    use crate::live::error::{ErrorKind, LiveError};

    #[test]
    fn a_denial_names_the_action_the_resource_and_the_policy_command() {
        let spec = std::path::Path::new("spec.yaml");
        let dir = std::env::temp_dir().join(format!("trailctl-denied-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("spec.yaml");
        std::fs::write(
            &file,
            "version: 1\nstack: s\naccount: \"111122223333\"\nhome_region: us-east-1\nbuckets:\n  - name: acme-audit-logs\ntrails:\n  - name: audit\n    bucket: acme-audit-logs\n",
        )
        .unwrap();
        let d = crate::spec::load(&file).unwrap().desired;
        super::install(spec, &d);
        let e = LiveError::new(
            "S3:CreateBucket",
            Some("us-east-1"),
            ErrorKind::AccessDenied,
            "",
        );
        assert_eq!(
            e.to_string(),
            "S3:CreateBucket (us-east-1) was denied (AccessDenied) — the caller needs \
             s3:CreateBucket and s3:TagResource on arn:aws:s3:::acme-audit-logs; \
             `trailctl policy -f spec.yaml --role apply` prints what this spec needs"
        );
        let read = LiveError::new("STS:GetCallerIdentity", None, ErrorKind::AccessDenied, "");
        assert!(read.to_string().contains("--role plan`"), "{read}");
    }
}
