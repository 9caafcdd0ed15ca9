#!/usr/bin/env python3
"""Executes the Trino SQL trailctl writes for Athena on an embedded engine, as a test oracle.

Input (a JSON file): {"rows": [...], "queries": [...]}: each row a CloudTrail record plus the
partition values of the folder it was delivered in ({"record", "account", "logtype", "region",
"day"});
each query Trino SQL over "db"."cloudtrail". Output (stdout, JSON): one list of result rows
(objects, every value as text or null) per query.

Every statement must parse with Trino's grammar (sqlglot's trino dialect, errors raised). It is
then transpiled to DuckDB and run over a table with the columns and types of the Athena
CloudTrail table (the Athena User Guide's; struct and array columns as DuckDB STRUCT and LIST,
the JSON text columns as VARCHAR, `readonly` as the text the JsonSerDe gives). Trino functions
DuckDB lacks are given exact stand-ins with Trino's NULL semantics:
- any_match(array, x -> p): true if p is true for some element; else NULL if p is NULL for
  some element; else false (an empty array: false).
- contains(CIDR, TRY_CAST(v AS IPADDRESS)): whether the address v is in the CIDR block; NULL
  when v is NULL or not an address (TRY_CAST gives NULL, and contains(…, NULL) is NULL).
- json_extract_scalar(json, '$["a"]["b"]'): the scalar at the path as text (a string without
  its quotes, a number or boolean as written); NULL for a missing path, a JSON null, an object
  or an array, or text that is not JSON.
"""
import ipaddress
import json
import sys

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

COLUMNS = """
  eventversion VARCHAR,
  useridentity STRUCT(
    type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR,
    accesskeyid VARCHAR, username VARCHAR,
    onbehalfof STRUCT(userid VARCHAR, identitystorearn VARCHAR),
    sessioncontext STRUCT(
      attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR),
      sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR),
      ec2roledelivery VARCHAR,
      webidfederationdata STRUCT(federatedprovider VARCHAR, attributes MAP(VARCHAR, VARCHAR)))),
  eventtime VARCHAR, eventsource VARCHAR, eventname VARCHAR, awsregion VARCHAR,
  sourceipaddress VARCHAR, useragent VARCHAR, errorcode VARCHAR, errormessage VARCHAR,
  requestparameters VARCHAR, responseelements VARCHAR, additionaleventdata VARCHAR,
  requestid VARCHAR, eventid VARCHAR, readonly VARCHAR,
  resources STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[],
  eventtype VARCHAR, apiversion VARCHAR, recipientaccountid VARCHAR, serviceeventdetails VARCHAR,
  sharedeventid VARCHAR, vpcendpointid VARCHAR, vpcendpointaccountid VARCHAR,
  eventcategory VARCHAR, sessioncredentialfromconsole VARCHAR, insightdetails VARCHAR,
  account VARCHAR, logtype VARCHAR, region VARCHAR, "timestamp" VARCHAR
"""

TOP = ["eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
       "userAgent", "errorCode", "errorMessage", "requestID", "eventID", "eventType",
       "apiVersion", "recipientAccountId", "sharedEventID", "vpcEndpointId",
       "vpcEndpointAccountId", "eventCategory", "sessionCredentialFromConsole"]
JSON_TEXT = ["requestParameters", "responseElements", "additionalEventData",
             "serviceEventDetails", "insightDetails"]


def text(v):
    """A JSON value as the Hive JsonSerDe gives it to a string column."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v, separators=(",", ":"))


def struct(v, shape):
    """A JSON object as a DuckDB struct of `shape` (lower-cased field names; text leaves)."""
    if not isinstance(v, dict):
        return None
    lower = {k.lower(): x for k, x in v.items()}
    out = {}
    for name, inner in shape.items():
        x = lower.get(name)
        if inner is None:
            out[name] = text(x)
        elif inner == "map":
            out[name] = {str(k): text(y) for k, y in x.items()} if isinstance(x, dict) else None
        else:
            out[name] = struct(x, inner)
    return out


IDENTITY = {
    "type": None, "principalid": None, "arn": None, "accountid": None, "invokedby": None,
    "accesskeyid": None, "username": None,
    "onbehalfof": {"userid": None, "identitystorearn": None},
    "sessioncontext": {
        "attributes": {"mfaauthenticated": None, "creationdate": None},
        "sessionissuer": {"type": None, "principalid": None, "arn": None, "accountid": None,
                          "username": None},
        "ec2roledelivery": None,
        "webidfederationdata": {"federatedprovider": None, "attributes": "map"},
    },
}


def row(r):
    rec = r["record"]
    out = {k.lower(): text(rec.get(k)) for k in TOP}
    out["readonly"] = text(rec.get("readOnly"))
    for k in JSON_TEXT:
        out[k.lower()] = text(rec.get(k))
    out["useridentity"] = struct(rec.get("userIdentity"), IDENTITY)
    res = rec.get("resources")
    out["resources"] = (
        [struct(x, {"arn": None, "accountid": None, "type": None}) for x in res]
        if isinstance(res, list) else None
    )
    out["account"], out["region"], out["timestamp"] = r["account"], r["region"], r["day"]
    out["logtype"] = r.get("logtype", "CloudTrail")
    return out


def cidr_contains(block, address):
    if block is None or address is None:
        return None
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(block, strict=False)
    except ValueError:
        return None


def json_scalar(doc, keys):
    """Trino's json_extract_scalar at the path whose keys are the JSON list `keys`."""
    if doc is None or keys is None:
        return None
    try:
        v = json.loads(doc)
    except ValueError:
        return None
    for key in json.loads(keys):
        if isinstance(v, dict) and isinstance(key, str) and key in v:
            v = v[key]
        elif isinstance(v, list) and isinstance(key, int) and 0 <= key < len(v):
            v = v[key]
        else:
            return None
    if v is None or isinstance(v, (dict, list)):
        return None
    return text(v)


def any_match(arr, lam):
    """Trino's any_match: true for some element, else NULL if NULL for some, else false."""
    var = lam.expressions[0]

    def over(test):
        return exp.Anonymous(
            this="len",
            expressions=[exp.Anonymous(
                this="list_filter",
                expressions=[arr.copy(), exp.Lambda(this=test, expressions=[var.copy()])],
            )],
        )

    some = exp.GT(this=over(lam.this.copy()), expression=exp.Literal.number(0))
    unknown = exp.GT(this=over(exp.Is(this=exp.Paren(this=lam.this.copy()), expression=exp.Null())),
                     expression=exp.Literal.number(0))
    return exp.Case(
        ifs=[exp.If(this=some, true=exp.true()), exp.If(this=unknown, true=exp.Null())],
        default=exp.false(),
    )


def stand_ins(tree):
    """The Trino functions DuckDB lacks, as their stand-ins (see the module's docstring)."""
    def fix(node):
        if isinstance(node, exp.Anonymous) and node.name.lower() == "any_match":
            arr, lam = node.expressions
            return any_match(arr, lam)
        if isinstance(node, exp.ArrayContains) and isinstance(node.expression, exp.TryCast):
            return exp.Anonymous(this="trailctl_cidr_contains",
                                 expressions=[node.this.copy(), node.expression.this.copy()])
        if isinstance(node, exp.JSONExtractScalar):
            keys = [k.this for k in node.expression.expressions
                    if isinstance(k, (exp.JSONPathKey, exp.JSONPathSubscript))]
            return exp.Anonymous(this="trailctl_json_scalar",
                                 expressions=[node.this.copy(), exp.Literal.string(json.dumps(keys))])
        return node
    return tree.transform(fix)


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    con = duckdb.connect()
    con.execute("CREATE SCHEMA db")
    con.execute(f"CREATE TABLE db.cloudtrail ({COLUMNS})")
    con.create_function("trailctl_cidr_contains", cidr_contains, ["VARCHAR", "VARCHAR"],
                        "BOOLEAN", null_handling="special")
    con.create_function("trailctl_json_scalar", json_scalar, ["VARCHAR", "VARCHAR"], "VARCHAR",
                        null_handling="special")
    # The rows go in through DuckDB's JSON reader, typed by the table's own columns.
    path = sys.argv[1] + ".rows.ndjson"
    with open(path, "w", encoding="utf-8") as f:
        for r in spec["rows"]:
            f.write(json.dumps(row(r)) + "\n")
    types = ", ".join(f"'{n}': '{t}'" for n, t in column_types(con).items())
    con.execute(f"INSERT INTO db.cloudtrail BY NAME SELECT * FROM "
                f"read_json('{path}', format='newline_delimited', columns={{{types}}})")
    results = []
    for q in spec["queries"]:
        tree = sqlglot.parse_one(q, read="trino", error_level=ErrorLevel.RAISE)
        cur = con.execute(stand_ins(tree).sql(dialect="duckdb"))
        names = [d[0] for d in cur.description]
        results.append([{n: text_cell(v) for n, v in zip(names, r)} for r in cur.fetchall()])
    json.dump(results, sys.stdout)


def column_types(con):
    return {name: typ for name, typ in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'db' AND table_name = 'cloudtrail' ORDER BY ordinal_position"
    ).fetchall()}


def text_cell(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


if __name__ == "__main__":
    main()
