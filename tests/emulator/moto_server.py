#!/usr/bin/env python3
"""trailctl's emulator: moto server (pinned moto[server]==5.2.5) plus the small patches that
end-to-end alert tests need. Copied from the team's reference launcher (shared/emulator/).

Run exactly like moto_server:  python moto_server.py -H 127.0.0.1 -p 5055
Extra option (ours): --parent-pid PID  exit when that process is gone, so a test run that ends
(or is killed) never leaves a server behind.

Patches (moto 5.2.x):
  1. EventBridge -> SNS targets: moto raises NotImplementedError (HTTP 500 on PutEvents)
     for any matching rule whose target is an SNS topic. We publish to the topic instead,
     so SNS -> SQS / HTTP subscriptions receive the event (E2E delivery).
  2. DISABLED rules: moto still delivers to their targets. We skip them.
  3. SNS and SQS targets are rendered by us: Input / InputPath honoured (moto ignores
     them), plain-text InputTemplate allowed (moto 500s: it json.loads the result), and
     the default payload keeps the "account" field (moto's drops it).
  4. events:TestEventPattern: moto returns an empty body. We evaluate the pattern with
     moto's own matcher and return {"Result": bool}.
  5. SNS http(s) subscriptions to an unreachable endpoint make Publish return 500.
     We log and ignore the delivery error (real SNS retries asynchronously).
Patches of ours (trailctl):
  6. cloudtrail:PutInsightSelectors appends to the trail's selectors, and [] does not clear
     them. Real CloudTrail replaces them ([] turns Insights off). We replace.
  7. s3:CreateBucket ignores CreateBucketConfiguration.Tags (general purpose buckets take
     tags at creation: CreateBucketConfiguration, S3 API reference). We apply them.
  8. cloudtrail:LookupEvents is missing (HTTP 500). We serve event history from records a
     test seeds with the emulator-only action TrailctlSeedEvents (same JSON protocol, body
     {"Region", "Records", "ThrottleFirst"}): one lookup attribute (ResourceName matches a
     record's resource ARN or its last segment, or a string of its requestParameters;
     EventName, EventSource, Username, ReadOnly, EventId), StartTime/EndTime, newest first,
     MaxResults <= 50, NextToken; the first ThrottleFirst calls answer ThrottlingException.
  9. athena:UpdateWorkGroup is missing (HTTP 500). We apply ConfigurationUpdates (result
     location, bytes-scanned cutoff set or removed, enforcement), description and state.
 10. logs:PutMetricFilter appends a second filter when one of that name exists on the log
     group. CloudWatch Logs replaces it (PutMetricFilter "creates or updates"). We replace.
 11. logs:AssociateKmsKey / DisassociateKmsKey are missing (HTTP 500). We set or clear the log
     group's kmsKeyId.
 12. logs:DeleteLogGroup leaves the group's metric filters and tags behind (a group created
     again under that name would show them). CloudWatch Logs deletes them with the group.
 13. sts:AssumeRole succeeds for a role that does not exist. We refuse (AccessDenied, as STS
     does) when the role's account is a member of an organization and has no such role, so a
     member account without OrganizationAccountAccessRole fails as it would in AWS. (Other
     accounts keep moto's behaviour: the tests reach their own accounts through it.)
 14. events:PutPermission with Principal "*" and a Condition stores the principal as
     {"AWS": "arn:aws:iam::*:root"}. EventBridge stores "*". We store "*".
IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT, or POST /moto-api/reset-auth), for the tests
that run trailctl with exactly the policies `trailctl policy` prints:
 15. moto recomputes each request's SigV4 signature over its own re-encoding of the body and
     rejects the Rust SDK's on a few calls (IAM CreateRole, SNS SetTopicAttributes, CloudWatch
     PutMetricAlarm). We check that the access key exists and trust the signature.
 16. moto knows the resource of a call only for S3, IAM roles and sts:AssumeRole; for every
     other service it evaluates against "*", which no scoped statement matches. There we
     match the action alone (a statement's resources are not checked), and CreateRole is
     evaluated against the ARN of the role it creates (moto: "*" until the role exists).
 17. An AccessDenied is answered in moto's own XML (ErrorResponse/Errors/Error) whatever the
     protocol: the JSON services (Glue, Athena, CloudTrail, EventBridge, Logs, KMS,
     Organizations) answer {"__type": "AccessDeniedException"}, the query services (IAM, STS,
     SNS, CloudWatch) ErrorResponse/Error, as AWS does.
 18. S3 names ?publicAccessBlock, ?encryption and ?ownershipControls s3:ListBucket (or
     s3:CreateBucket for PUT). We name the IAM actions: s3:Get/PutBucketPublicAccessBlock,
     s3:Get/PutEncryptionConfiguration, s3:Get/PutBucketOwnershipControls.
 19. CloudWatch's actions are named by its signing name (monitoring:PutMetricAlarm). We name
     them cloudwatch:*, as IAM does; the Resource Groups Tagging API's (tagging:GetResources)
     tag:*.
 20. A bucket policy's {"Bool": {"aws:SecureTransport": "false"}} condition is ignored, and a
     statement whose condition fails counts as an explicit Deny, so trailctl's
     DenyInsecureTransport statement denies every object read and write of its buckets. The
     emulator's loopback HTTP stands in for HTTPS (aws:SecureTransport is true), and a
     statement whose condition fails does not apply (IAM's evaluation logic).
 21. A trust policy's principal arn:aws:iam::ACCOUNT:root admits only that exact ARN. In IAM it
     stands for every principal of the account (whose own policies then decide): we admit them,
     so a management account's user assumes OrganizationAccountAccessRole in a member.
 22. The Resource Groups Tagging API (GetResources) lists no EventBridge rules (only buses).
     We list the rules of every bus too, as resource type events:rule.
"""
import json
import sys

from moto.core.utils import iso_8601_datetime_without_milliseconds, utcfromtimestamp
from moto.events import models as ev_models
from moto.events import responses as ev_responses
from moto.events.utils import EventTemplateParser
from moto.utilities.arns import parse_arn

_orig_send_to_targets = ev_models.Rule.send_to_targets


def _render(target, original_event):
    """Payload for one target, per EventBridge semantics (Input > InputPath > InputTransformer > event)."""
    if "Input" in target:
        return target["Input"]
    if "InputPath" in target:
        from jsonpath_ng.ext import parse

        m = parse(target["InputPath"]).find(original_event)
        return json.dumps(m[0].value) if m else "null"
    ev = dict(original_event)
    if isinstance(ev.get("time"), (int, float)):
        ev["time"] = iso_8601_datetime_without_milliseconds(utcfromtimestamp(ev["time"]))
    it = target.get("InputTransformer")
    if it:
        try:
            out = EventTemplateParser.parse(
                input_template=it.get("InputTemplate"),
                input_paths_map=it.get("InputPathsMap", {}),
                event=ev,
            )
            # same as moto's SQS path: a quoted-string template keeps its quotes
            return json.dumps(out)
        except ValueError:
            # non-JSON template (plain text): substitute placeholders textually
            from jsonpath_ng.ext import parse

            text = it.get("InputTemplate", "")
            for k, path in it.get("InputPathsMap", {}).items():
                m = parse(path).find(ev)
                v = m[0].value if m else ""
                text = text.replace(f"<{k}>", v if isinstance(v, str) else json.dumps(v))
            return text
    ev.pop("ingestion-time", None)  # moto-internal field, not in real events
    return json.dumps(ev)


def send_to_targets(self, original_event, transform_input=True):
    if getattr(self, "state", "ENABLED") not in ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"):
        return
    if not self.event_pattern.matches_event(original_event):
        return
    mine = [t for t in self.targets if parse_arn(t["Arn"]).service in ("sns", "sqs")]
    others = [t for t in self.targets if t not in mine]
    for t in mine:
        arn = parse_arn(t["Arn"])
        body = _render(t, original_event)
        if arn.service == "sns":
            from moto.sns import sns_backends

            sns_backends[arn.account][arn.region].publish(body, arn=t["Arn"])
        else:
            from moto.sqs import sqs_backends

            group_id = t.get("SqsParameters", {}).get("MessageGroupId")
            sqs_backends[arn.account][arn.region].send_message(
                queue_name=arn.resource_id, message_body=body, group_id=group_id
            )
    if others:  # logs, archives, event buses, api destinations: moto's own code
        saved = self.targets
        try:
            self.targets = others
            _orig_send_to_targets(self, original_event, transform_input)
        finally:
            self.targets = saved


ev_models.Rule.send_to_targets = send_to_targets


def test_event_pattern(self):
    pattern = ev_models.EventPattern.load(self._get_param("EventPattern"))
    event = json.loads(self._get_param("Event"))
    return json.dumps({"Result": bool(pattern.matches_event(event))})


ev_responses.EventsHandler.test_event_pattern = test_event_pattern

# 5. SNS http/https subscriptions: moto POSTs synchronously inside Publish and turns a
#    connection error into HTTP 500 for Publish (and so for PutEvents). Real SNS delivers
#    asynchronously with retries and never fails Publish. Swallow delivery errors.
from moto.sns import models as sns_models

_orig_sub_publish = sns_models.Subscription.publish


def _sub_publish(self, *a, **kw):
    if self.protocol in ("http", "https"):
        try:
            return _orig_sub_publish(self, *a, **kw)
        except Exception as e:  # noqa: BLE001
            print(f"moto_trailctl: SNS delivery to {self.endpoint} failed: {e}", file=sys.stderr)
            return None
    return _orig_sub_publish(self, *a, **kw)


sns_models.Subscription.publish = _sub_publish



def _watch_parent(pid):
    """Exit as soon as process `pid` is gone (the test binary that started us)."""
    import os
    import threading
    import time

    def loop():
        while True:
            try:
                os.kill(pid, 0)
            except OSError:
                os._exit(0)
            time.sleep(0.5)

    threading.Thread(target=loop, daemon=True).start()


# 6. PutInsightSelectors replaces the selectors, as in CloudTrail (moto appends).
from moto.cloudtrail import models as ct_models


def _put_insight_selectors(self, insight_selectors):
    self.insight_selectors = list(insight_selectors or [])


ct_models.Trail.put_insight_selectors = _put_insight_selectors


# 7. CreateBucket with tags (CreateBucketConfiguration.Tags.Tag), as S3 takes them.
from moto.s3 import responses as s3_responses
import xmltodict

_orig_bucket_put = s3_responses.S3Response._bucket_response_put


def _bucket_response_put(self, request, bucket_name, querystring):
    result = _orig_bucket_put(self, request, bucket_name, querystring)
    if querystring or not self.body:
        return result
    try:
        config = xmltodict.parse(self.body).get("CreateBucketConfiguration") or {}
    except Exception:
        return result
    tags = (config.get("Tags") or {}).get("Tag") or []
    if isinstance(tags, dict):
        tags = [tags]
    if tags:
        self.backend.put_bucket_tagging(bucket_name, {t["Key"]: t.get("Value") or "" for t in tags})
    return result


s3_responses.S3Response._bucket_response_put = _bucket_response_put


# 8. cloudtrail:LookupEvents, over records the tests seed (moto has no event history).
import datetime
import threading as _threading

from moto.cloudtrail import responses as ct_responses

_history = {}  # (account, region) -> [record]
_throttle = {}  # (account, region) -> calls still to throttle
_history_lock = _threading.Lock()


def _epoch(time_text):
    t = datetime.datetime.strptime(time_text[:19], "%Y-%m-%dT%H:%M:%S")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp())


def _seed_events(self):
    body = json.loads(self.body or "{}")
    key = (self.current_account, body.get("Region") or self.region)
    with _history_lock:
        _history.setdefault(key, []).extend(body.get("Records") or [])
        if body.get("ThrottleFirst"):
            _throttle[key] = int(body["ThrottleFirst"])
    return json.dumps({})


def _has_attribute(record, key, value):
    if key == "ResourceName":
        for r in record.get("resources") or []:
            arn = r.get("ARN") or ""
            if arn == value or arn.replace(":", "/").rsplit("/", 1)[-1] == value:
                return True
        params = record.get("requestParameters") or {}
        return isinstance(params, dict) and any(v == value for v in params.values())
    field = {
        "EventName": "eventName",
        "EventSource": "eventSource",
        "EventId": "eventID",
        "ReadOnly": "readOnly",
    }.get(key)
    if key == "Username":
        return (record.get("userIdentity") or {}).get("userName") == value
    if field is None:
        return False
    return str(record.get(field, "")).lower() == str(value).lower()


def _lookup_events(self):
    key = (self.current_account, self.region)
    with _history_lock:
        if _throttle.get(key, 0) > 0:
            _throttle[key] -= 1
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
            return 400, {"status": 400, "x-amzn-ErrorType": "ThrottlingException"}, body
        records = list(_history.get(key, []))
    params = json.loads(self.body or "{}")
    attrs = params.get("LookupAttributes") or []
    start, end = params.get("StartTime"), params.get("EndTime")
    limit = min(int(params.get("MaxResults") or 50), 50)
    offset = int(params.get("NextToken") or 0)

    def keep(r):
        t = _epoch(r.get("eventTime", "1970-01-01T00:00:00Z"))
        if start is not None and t < float(start):
            return False
        if end is not None and t > float(end):
            return False
        return all(_has_attribute(r, a["AttributeKey"], a["AttributeValue"]) for a in attrs)

    found = sorted((r for r in records if keep(r)), key=lambda r: r.get("eventTime", ""), reverse=True)
    page = found[offset : offset + limit]
    events = [
        {
            "EventId": r.get("eventID"),
            "EventName": r.get("eventName"),
            "ReadOnly": str(r.get("readOnly", "false")).lower(),
            "EventTime": _epoch(r.get("eventTime", "1970-01-01T00:00:00Z")),
            "EventSource": r.get("eventSource"),
            "Resources": [{"ResourceName": x.get("ARN"), "ResourceType": x.get("type")} for x in r.get("resources") or []],
            "CloudTrailEvent": json.dumps(r),
        }
        for r in page
    ]
    out = {"Events": events}
    if offset + limit < len(found):
        out["NextToken"] = str(offset + limit)
    return json.dumps(out)


ct_responses.CloudTrailResponse.trailctl_seed_events = _seed_events
ct_responses.CloudTrailResponse.lookup_events = _lookup_events


# 9. athena:UpdateWorkGroup (moto has none): ConfigurationUpdates applied as Athena applies them
#    (the result location, the bytes-scanned cutoff set or removed, enforcement), and the
#    description and state.
from moto.athena import responses as athena_responses


def _update_work_group(self):
    name = self._get_param("WorkGroup")
    wg = self.athena_backend.work_groups.get(name)
    if wg is None:
        return self.error("WorkGroup is not found.", 400)
    updates = self._get_param("ConfigurationUpdates") or {}
    config = wg.configuration
    result = updates.get("ResultConfigurationUpdates") or {}
    if "OutputLocation" in result:
        config.setdefault("ResultConfiguration", {})["OutputLocation"] = result["OutputLocation"]
    if result.get("RemoveOutputLocation"):
        config.get("ResultConfiguration", {}).pop("OutputLocation", None)
    if "BytesScannedCutoffPerQuery" in updates:
        config["BytesScannedCutoffPerQuery"] = updates["BytesScannedCutoffPerQuery"]
    if updates.get("RemoveBytesScannedCutoffPerQuery"):
        config.pop("BytesScannedCutoffPerQuery", None)
    if "EnforceWorkGroupConfiguration" in updates:
        config["EnforceWorkGroupConfiguration"] = updates["EnforceWorkGroupConfiguration"]
    if self._get_param("Description") is not None:
        wg.description = self._get_param("Description")
    if self._get_param("State") is not None:
        wg.state = self._get_param("State")
    return "{}"


athena_responses.AthenaResponse.update_work_group = _update_work_group


# 10. logs:PutMetricFilter replaces a filter of the same name on the same log group.
from moto.logs import metric_filters as logs_metric_filters
from moto.logs import models as logs_models
from moto.logs import responses as logs_responses

_orig_add_filter = logs_metric_filters.MetricFilters.add_filter


def _add_filter(self, filter_name, filter_pattern, log_group_name, metric_transformations):
    self.metric_filters = [
        f
        for f in self.metric_filters
        if not (f["filterName"] == filter_name and f["logGroupName"] == log_group_name)
    ]
    return _orig_add_filter(
        self, filter_name, filter_pattern, log_group_name, metric_transformations
    )


logs_metric_filters.MetricFilters.add_filter = _add_filter


# 11. logs:AssociateKmsKey / DisassociateKmsKey (moto has none).
def _set_kms_key(self, key_id):
    name = self._get_param("logGroupName")
    group = self.logs_backend.groups.get(name)
    if group is None:
        from moto.logs.exceptions import ResourceNotFoundException

        raise ResourceNotFoundException()
    group.kms_key_id = key_id
    return ""


def _associate_kms_key(self):
    return _set_kms_key(self, self._get_param("kmsKeyId"))


def _disassociate_kms_key(self):
    return _set_kms_key(self, None)


logs_responses.LogsResponse.associate_kms_key = _associate_kms_key
logs_responses.LogsResponse.disassociate_kms_key = _disassociate_kms_key


# 12. logs:DeleteLogGroup also deletes the group's metric filters and tags.
_orig_delete_log_group = logs_models.LogsBackend.delete_log_group


def _delete_log_group(self, log_group_name):
    group = self.groups.get(log_group_name)
    _orig_delete_log_group(self, log_group_name)
    self.filters.metric_filters = [
        f for f in self.filters.metric_filters if f["logGroupName"] != log_group_name
    ]
    if group is not None:
        self.tagger.delete_all_tags_for_resource(group.arn)


logs_models.LogsBackend.delete_log_group = _delete_log_group


# 13. AssumeRole into a member account of an organization needs the role to exist there.
from moto.iam import iam_backends as _iam_backends
from moto.organizations.models import organizations_backends as _org_backends
from moto.sts import models as sts_models
from moto.sts.exceptions import STSClientError

_orig_assume_role = sts_models.STSBackend.assume_role


def _assume_role(self, region_name, role_session_name, role_arn, policy, duration, external_id):
    arn = parse_arn(role_arn)
    if arn.account in _org_backends.master_accounts:
        name = arn.resource_id.split("/")[-1]
        roles = _iam_backends[arn.account]["global"].roles.values()
        if not any(r.name == name for r in roles):
            raise STSClientError(
                "AccessDenied",
                f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            )
    return _orig_assume_role(
        self, region_name, role_session_name, role_arn, policy, duration, external_id
    )


sts_models.STSBackend.assume_role = _assume_role


# 14. PutPermission with Principal "*" keeps "*".
_orig_put_permission_from_params = ev_models.EventsBackend._put_permission_from_params


def _put_permission_from_params(self, event_bus, action, principal, statement_id, condition):
    if principal == "*" and condition:
        if action != "events:PutEvents":
            raise ev_models.JsonRESTError(
                "ValidationException", "Provided value in parameter 'action' is not supported."
            )
        event_bus.add_permission(
            statement_id, action, "*", self._condition_param_to_stmt_condition(condition)
        )
        return
    _orig_put_permission_from_params(self, event_bus, action, principal, statement_id, condition)


ev_models.EventsBackend._put_permission_from_params = _put_permission_from_params


# 15-19. IAM enforcement.
from moto.core.exceptions import JsonRESTError as _JsonRESTError
from moto.iam import access_control as _ac
from moto.iam import responses as _iam_responses
from moto.s3 import responses as _s3_responses

_ac.IAMRequestBase.check_signature = lambda self: None  # 15

_orig_statement_permitted = _ac.IAMPolicyStatement.is_action_permitted


def _statement_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
    if not self._check_conditions(incoming_condition_values):
        return _ac.PermissionResult.NEUTRAL  # 20: a statement whose condition fails does not apply
    if resource == "*" and self._statement.get("Resource") not in (None, "*", ["*"]):
        statement = dict(self._statement, Resource="*")
        return _ac.IAMPolicyStatement(statement).is_action_permitted(
            action, resource, principal, incoming_condition_values
        )
    return _orig_statement_permitted(self, action, resource, principal, incoming_condition_values)


_ac.IAMPolicyStatement.is_action_permitted = _statement_permitted  # 16


def _resolve_role_arn(self, role_name):
    try:
        return self.backend.get_role(role_name).arn
    except Exception:  # the role does not exist yet: the ARN CreateRole gives it
        return f"arn:{self.partition}:iam::{self.current_account}:role/{role_name}"


_iam_responses.IamResponse._resolve_resource_arn = _resolve_role_arn  # 16


class _JsonAccessDenied(_JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("AccessDeniedException", message)


class _QueryAccessDenied(_ac.AccessDeniedError):
    """The query protocol's error document (ErrorResponse/Error, as IAM, STS, SNS and
    CloudWatch answer), not moto's ErrorResponse/Errors/Error."""

    def __init__(self, user_arn, action):
        super().__init__(user_arn=user_arn, action=action)
        from xmltodict import unparse

        self.description = unparse(
            {"ErrorResponse": {
                "Error": {"Type": "Sender", "Code": "AccessDenied", "Message": self.message},
                "RequestId": "trailctl-emulator",
            }},
            full_document=True,
        )


def _raise_access_denied(self):
    message = f"User: {self._access_key.arn} is not authorized to perform: {self._action}"
    target = self._headers.get("X-Amz-Target") or self._headers.get("x-amz-target")
    if target:
        raise _JsonAccessDenied(message)
    raise _QueryAccessDenied(self._access_key.arn, self._action)


_ac.IAMRequest._raise_access_denied = _raise_access_denied  # 17

for _method, _names in {
    "GET": {
        "publicAccessBlock": "GetBucketPublicAccessBlock",
        "encryption": "GetEncryptionConfiguration",
        "ownershipControls": "GetBucketOwnershipControls",
    },
    "PUT": {
        "publicAccessBlock": "PutBucketPublicAccessBlock",
        "encryption": "PutEncryptionConfiguration",
        "ownershipControls": "PutBucketOwnershipControls",
    },
    "DELETE": {
        "publicAccessBlock": "PutBucketPublicAccessBlock",
        "encryption": "PutEncryptionConfiguration",
        "ownershipControls": "PutBucketOwnershipControls",
    },
}.items():  # 18
    _s3_responses.ACTION_MAP["BUCKET"][_method] = {
        **_names,
        **_s3_responses.ACTION_MAP["BUCKET"][_method],
    }

_orig_request_init = _ac.IAMRequestBase.__init__


def _request_init(self, *args, **kwargs):
    _orig_request_init(self, *args, **kwargs)
    if self._action.startswith("monitoring:"):  # 19
        self._action = "cloudwatch:" + self._action.split(":", 1)[1]
    if self._action.startswith("tagging:"):  # 19
        self._action = "tag:" + self._action.split(":", 1)[1]


_ac.IAMRequestBase.__init__ = _request_init


# 20. aws:SecureTransport is true.
from moto.iam import policy_conditions as _pc

_orig_verify_condition = _pc.TrustCondition.verify_condition


def _verify_condition(self, actual_values):
    if self._condition == "Bool" and self._expected_value_source == ["aws:SecureTransport"]:
        expected = self._expected_value[0]
        expected = expected[0] if isinstance(expected, list) else expected
        return str(expected).lower() == "true"
    return _orig_verify_condition(self, actual_values)


_pc.TrustCondition.verify_condition = _verify_condition


# 21. arn:aws:iam::ACCOUNT:root as a principal: every principal of ACCOUNT.
_orig_check_principal = _ac.IAMPolicyStatement._check_principal


def _check_principal(self, principal):
    if _orig_check_principal(self, principal):
        return True
    expected = (self._statement.get("Principal") or {}).get("AWS")
    expected = expected if isinstance(expected, list) else [expected]
    account = principal.split(":")[4] if principal.count(":") >= 5 else None
    return any(
        isinstance(e, str) and e.endswith(":root") and e.split(":")[4] == account
        for e in expected
    )


_ac.IAMPolicyStatement._check_principal = _check_principal


# 22. GetResources lists EventBridge rules (moto lists only buses).
import moto.events.models as _events_models  # noqa: E402
from moto.core.resource_tagging import TaggedResource as _TaggedResource  # noqa: E402

_orig_events_tagged = _events_models.EventsBackend.iter_tagged_resources


def _events_tagged(self):
    yield from _orig_events_tagged(self)
    for bus in self.event_buses.values():
        for rule in bus.rules.values():
            yield _TaggedResource(
                arn=rule.arn,
                tags=self.tagger.get_tag_dict_for_resource(rule.arn),
                resource_type="events:rule",
            )


_events_models.EventsBackend.iter_tagged_resources = _events_tagged


# 23. PutBucketLogging reads the target bucket's policy statements as if every Principal were an
#     object: a statement with "Principal": "*" (the DenyInsecureTransport trailctl writes) raises
#     AttributeError (500). Such statements are skipped, as they grant the logging service nothing.
import json as _json  # noqa: E402
from moto.s3 import models as _s3_models  # noqa: E402

_orig_log_policy = _s3_models.FakeBucket._log_permissions_enabled_policy


def _log_permissions_enabled_policy(target_bucket, target_prefix):
    policy = target_bucket.policy
    if not policy:
        return False
    doc = _json.loads(policy.decode() if isinstance(policy, bytes) else policy)
    statements = [s for s in doc.get("Statement", []) if isinstance(s.get("Principal"), dict)]

    class _Target:
        pass

    proxy = _Target()
    proxy.policy = _json.dumps({**doc, "Statement": statements}).encode()
    proxy.partition = target_bucket.partition
    proxy.name = target_bucket.name
    return _orig_log_policy(proxy, target_prefix)


_s3_models.FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)


# 24. Service Quotas knows EventBridge's "Number of rules" (events / L-244521F2): moto knows only
#     VPC quotas. Its value is EventBridge's default for the Region unless the emulator-only
#     action TrailctlSetQuota raised it for an account and Region.
from moto.servicequotas import responses as _sq_responses  # noqa: E402

_quotas = {}
_orig_get_service_quota = _sq_responses.ServiceQuotasResponse.get_service_quota


def _get_service_quota(self):
    params = json.loads(self.body or "{}")
    if params.get("ServiceCode") != "events" or params.get("QuotaCode") != "L-244521F2":
        return _orig_get_service_quota(self)
    default = 100.0 if self.region in ("af-south-1", "eu-south-1") else 300.0
    value = _quotas.get((self.current_account, self.region), default)
    return json.dumps({"Quota": {
        "ServiceCode": "events", "ServiceName": "Amazon EventBridge (CloudWatch Events)",
        "QuotaArn": f"arn:aws:servicequotas:{self.region}:{self.current_account}:events/L-244521F2",
        "QuotaCode": "L-244521F2", "QuotaName": "Number of rules", "Value": value,
        "Unit": "None", "Adjustable": True, "GlobalQuota": False,
    }})


def _set_quota(self):
    params = json.loads(self.body or "{}")
    _quotas[(self.current_account, self.region)] = float(params["Value"])
    return json.dumps({})


_sq_responses.ServiceQuotasResponse.get_service_quota = _get_service_quota
_sq_responses.ServiceQuotasResponse.trailctl_set_quota = _set_quota


if __name__ == "__main__":
    from moto.server import main

    args = sys.argv[1:]
    if "--parent-pid" in args:
        i = args.index("--parent-pid")
        _watch_parent(int(args[i + 1]))
        del args[i : i + 2]
    main(args)
