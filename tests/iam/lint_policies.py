#!/usr/bin/env python3
"""Lints IAM policy documents with parliament (pinned in the emulator venv, scripts/emulator.sh):
one JSON line per finding, {"file", "issue", "severity", "detail"}, community auditors included.
The integration test `policies` fails on any finding policies/lint-explained.json does not
explain."""
import json
import sys

from parliament import analyze_policy_string

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    policy = analyze_policy_string(text, include_community_auditors=True)
    for finding in policy.findings:
        print(json.dumps({
            "file": path,
            "issue": finding.issue,
            "severity": finding.severity,
            "detail": json.dumps(
                {"detail": finding.detail, "location": {
                    k: v for k, v in finding.location.items() if k != "filepath"
                }},
                sort_keys=True,
                default=str,
            ),
        }))
