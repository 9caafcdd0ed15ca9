#!/usr/bin/env python3
"""Generates a CloudTrail archive in the S3 key layout for the backtest benchmark.

    scripts/gen-archive.py OUT_DIR [--mb 1100] [--seed 7]

Writes OUT_DIR/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_
YYYYMMDDTHHMMZ_RANDOM.json.gz objects, each a CloudTrail log file ({"Records": [...]}, compact
JSON as CloudTrail writes it), until the uncompressed total reaches --mb megabytes. The records
are the Stratus Red Team detonations in tests/fixtures/cloudtrail/stratus-red-team (Apache-2.0),
varied: new event and request ids, times spread over the days, three accounts, five Regions,
source addresses. A digest file per day is written too (the reader must skip it). Deterministic
for a seed. Generated at run time; never committed.
"""
import argparse
import datetime as dt
import gzip
import json
import os
import random
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "tests" / "fixtures" / "cloudtrail" / "stratus-red-team"
ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2", "us-west-2"]
PER_FILE = 2000  # records per log file (CloudTrail writes one about every 5 minutes per Region)


def load_records():
    out = []
    for f in sorted(RECORDS.glob("*.json")):
        data = json.loads(f.read_text())
        out.extend(r for r in data if isinstance(r, dict) and "eventSource" in r)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=1100)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    base = load_records()
    out = Path(args.out)
    target = args.mb * 1_000_000
    start = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc)
    days = 14
    written = compressed = files = 0
    seq = 0
    while written < target:
        account = ACCOUNTS[seq % len(ACCOUNTS)]
        region = REGIONS[(seq // len(ACCOUNTS)) % len(REGIONS)]
        day = start + dt.timedelta(days=(seq // (len(ACCOUNTS) * len(REGIONS))) % days)
        minute = rng.randrange(0, 24 * 60 - 5)
        t0 = day + dt.timedelta(minutes=minute)
        recs = []
        for _ in range(PER_FILE):
            r = dict(rng.choice(base))
            when = t0 + dt.timedelta(seconds=rng.randrange(0, 300))
            r["eventTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            r["eventID"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            r["requestID"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            r["awsRegion"] = region
            r["recipientAccountId"] = account
            r["sourceIPAddress"] = f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            recs.append(r)
        text = json.dumps({"Records": recs}, separators=(",", ":")).encode()
        d = out / "AWSLogs" / account / "CloudTrail" / region / t0.strftime("%Y/%m/%d")
        d.mkdir(parents=True, exist_ok=True)
        name = f"{account}_CloudTrail_{region}_{t0.strftime('%Y%m%dT%H%MZ')}_{rng.getrandbits(64):016x}.json.gz"
        body = gzip.compress(text, compresslevel=6, mtime=0)
        (d / name).write_bytes(body)
        written += len(text)
        compressed += len(body)
        files += 1
        seq += 1
    # One digest per account, Region and first day: not a log file, to be skipped.
    for account in ACCOUNTS:
        for region in REGIONS:
            d = out / "AWSLogs" / account / "CloudTrail-Digest" / region / start.strftime("%Y/%m/%d")
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{account}_CloudTrail-Digest_{region}_x_{start.strftime('%Y%m%dT%H%MZ')}.json.gz").write_bytes(
                gzip.compress(b'{"digestStartTime":"x"}', mtime=0))
    print(f"{files} objects, {written / 1e6:.0f} MB uncompressed, {compressed / 1e6:.0f} MB compressed in {out}")


if __name__ == "__main__":
    os.umask(0o022)
    main()
