#!/usr/bin/env python3
"""The Stratus Red Team archive (tests/fixtures/cloudtrail/s3-layout, Apache-2.0) with its
anonymised Region names mapped to real ones, keys and records alike, into target/demo-archive:
one Region to eu-west-1, one to ap-southeast-2 (where the CIS baseline has no rule), the rest to
us-east-1. A backtest of it shows alerts firing and what EventBridge would have withheld."""
import collections, gzip, json, os, shutil
src, dst = "tests/fixtures/cloudtrail/s3-layout/AWSLogs", "target/demo-archive/AWSLogs"
shutil.rmtree("target/demo-archive", ignore_errors=True)
files = [os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs]
moved = {"apiso-northsouth-3r": "eu-west-1", "apiso-westcentral-3r": "ap-southeast-2"}
real = collections.defaultdict(lambda: "us-east-1", moved)
for f in sorted(files):
    log = json.load(gzip.open(f))
    fake = log["Records"][0]["awsRegion"]
    for r in log["Records"]:
        r["awsRegion"] = real[r["awsRegion"]]
    rel = os.path.relpath(f, src).replace(f"/{fake}/", f"/{real[fake]}/").replace(f"_{fake}_", f"_{real[fake]}_")
    out = os.path.join(dst, rel)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    # Two files of one Region and minute would collide: keep them apart.
    while os.path.exists(out):
        out = out.replace(".json.gz", "-1.json.gz")
    with gzip.open(out, "wt") as g:
        json.dump(log, g)
