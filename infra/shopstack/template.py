"""Reads template.yaml the way CloudFormation would for the parts the local stack emulates:
parameters (defaults), tables, queues and functions with their environment and events, with
the intrinsic functions (!Ref, !GetAtt, !Sub) resolved to local names."""

import re
from dataclasses import dataclass, field

import yaml

REGION = "eu-central-1"
ACCOUNT = "123456789012"


class _Tag:
    def __init__(self, name, value):
        self.name, self.value = name, value


def _loader():
    class Loader(yaml.SafeLoader):
        pass

    def construct(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return _Tag(suffix, value)

    Loader.add_multi_constructor("!", construct)
    return Loader


@dataclass
class Queue:
    logical_id: str
    properties: dict

    @property
    def name(self):
        return self.logical_id

    def url(self, endpoint):
        return f"{endpoint}/{ACCOUNT}/{self.name}"

    @property
    def arn(self):
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{self.name}"


@dataclass
class Function:
    logical_id: str
    binary: str
    timeout: int
    memory: int
    environment: dict
    http_routes: list = field(default_factory=list)  # (method, path)
    sqs_sources: list = field(default_factory=list)  # dicts: queue, batch_size, report_failures
    schedules: list = field(default_factory=list)  # (event name, expression)


@dataclass
class Stack:
    parameters: dict
    tables: dict  # logical id -> properties
    queues: dict  # logical id -> Queue
    functions: dict  # logical id -> Function
    cors: dict


def load(path, moto_endpoint, overrides=None):
    with open(path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=_loader())
    resources = doc.get("Resources", {})
    params = {k: str(v.get("Default", "")) for k, v in doc.get("Parameters", {}).items()}
    params.update(overrides or {})
    queues = {k: Queue(k, r.get("Properties", {})) for k, r in resources.items() if r["Type"] == "AWS::SQS::Queue"}
    tables = {k: r.get("Properties", {}) for k, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"}

    def ref(name):
        if name in params:
            return params[name]
        if name == "AWS::Region":
            return REGION
        if name == "AWS::AccountId":
            return ACCOUNT
        if name == "AWS::Partition":
            return "aws"
        if name == "AWS::URLSuffix":
            return "amazonaws.com"
        if name in queues:
            return queues[name].url(moto_endpoint)
        if name in resources:
            return name  # tables, APIs: the logical id is the local physical name
        raise KeyError(f"!Ref to unknown {name}")

    def get_att(name, attr):
        if name in queues:
            return {"Arn": queues[name].arn, "QueueName": queues[name].name, "QueueUrl": queues[name].url(moto_endpoint)}[attr]
        if name in tables and attr == "Arn":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        raise KeyError(f"!GetAtt {name}.{attr} is not emulated")

    def resolve(value):
        if isinstance(value, _Tag):
            if value.name == "Ref":
                return ref(value.value)
            if value.name == "GetAtt":
                parts = value.value.split(".", 1) if isinstance(value.value, str) else value.value
                return get_att(*parts)
            if value.name == "Sub":
                text = value.value if isinstance(value.value, str) else value.value[0]

                def sub(m):
                    token = m.group(1)
                    return str(get_att(*token.split(".", 1)) if "." in token else ref(token))

                return re.sub(r"\$\{([^}]+)\}", sub, text)
            raise KeyError(f"!{value.name} is not emulated")
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    for q in queues.values():
        q.properties = resolve(q.properties)
    globals_fn = doc.get("Globals", {}).get("Function", {})
    global_env = resolve(globals_fn.get("Environment", {}).get("Variables", {}))
    functions = {}
    cors = {}
    for logical_id, res in resources.items():
        if res["Type"] == "AWS::Serverless::HttpApi":
            cors = resolve(res.get("Properties", {}).get("CorsConfiguration", {}))
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res.get("Properties", {})
        env = dict(global_env)
        env.update(resolve(props.get("Environment", {}).get("Variables", {})))
        fn = Function(
            logical_id=logical_id,
            binary=res["Metadata"]["BuildProperties"]["Binary"],
            timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
            memory=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
            environment={k: str(v) for k, v in env.items()},
        )
        for event_name, event in props.get("Events", {}).items():
            eprops = event.get("Properties", {})
            if event["Type"] == "HttpApi":
                fn.http_routes.append((eprops["Method"].upper(), eprops["Path"]))
            elif event["Type"] == "SQS":
                queue_arn = resolve(eprops["Queue"])
                queue = next(q for q in queues.values() if q.arn == queue_arn)
                fn.sqs_sources.append(
                    {
                        "queue": queue,
                        "batch_size": int(eprops.get("BatchSize", 10)),
                        "window": int(eprops.get("MaximumBatchingWindowInSeconds", 0)),
                        "report_failures": "ReportBatchItemFailures" in eprops.get("FunctionResponseTypes", []),
                    }
                )
            elif event["Type"] in ("Schedule", "ScheduleV2"):
                fn.schedules.append((event_name, resolve(eprops.get("Schedule") or eprops.get("ScheduleExpression"))))
        functions[logical_id] = fn
    return Stack(parameters=params, tables=tables, queues=queues, functions=functions, cors=cors)
