#!/usr/bin/env bash
# The administrator's one-time step for a spec that builds IAM roles: create the stack's
# permissions boundary (the managed policy trailctl-STACK-boundary) as `trailctl policy --role
# boundary` prints it, in the caller's account and in each member ACCOUNT given (reached through
# OrganizationAccountAccessRole). An existing boundary is kept. Uses the emulator venv's boto3 and
# the standard AWS environment (AWS_ENDPOINT_URL for the emulator).
#   scripts/create-boundary.sh SPEC [ACCOUNT...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
spec=$1; shift
bin="${TRAILCTL_BIN:-target/debug/trailctl}"
document=$("$bin" policy -f "$spec" --role boundary 2>/dev/null)
"${TRAILCTL_EMULATOR_VENV:-.venv-emulator}/bin/python" - "$spec" "$document" "$@" <<'PY'
import re, sys, boto3
spec, document, members = sys.argv[1], sys.argv[2], sys.argv[3:]
stack = re.search(r"^stack:\s*['\"]?([^'\"\s]+)", open(spec).read(), re.M).group(1)
sessions = [boto3.Session(region_name="us-east-1")]
for account in members:
    c = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="administrator")["Credentials"]
    sessions.append(boto3.Session(
        region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]))
for session in sessions:
    iam = session.client("iam")
    try:
        iam.create_policy(PolicyName=f"trailctl-{stack}-boundary", PolicyDocument=document)
    except iam.exceptions.EntityAlreadyExistsException:
        pass
PY
