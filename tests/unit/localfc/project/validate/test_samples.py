"""Every sample s.yaml in tests/samples/s-yaml: the exact problems ``validate`` reports.

One file per mistake, named after it; ``valid-*`` files must pass clean. Messages are what a
user reads, so they are asserted word for word (``{samples}`` / ``{repo}`` stand for paths).
"""
# ruff: noqa: E501  (each expected message stays on one line, greppable as the user sees it)

from __future__ import annotations

import pytest

from localfc.project.syaml import ProjectError
from localfc.project.validate import validate_file
from tests.fixtures.paths import REPO as REPO_ROOT

SAMPLES = (REPO_ROOT / "tests") / "samples" / "s-yaml"
REPO = REPO_ROOT

EXPECTED: dict[str, list[tuple[str, str, str, str, str]]] = {
    "alias-async-invoke-config.yaml": [
        (
            "warning",
            "checker",
            "asyncInvokeConfig.qualifier",
            "release-order",
            "asyncInvokeConfig points at alias 'prod', which must exist before it deploys; release order: s checker deploy --function -y → s checker version publish --description \"...\" → s checker alias publish --alias-name prod --version-id latest → s checker deploy -y",
        ),
    ],
    "alias-qualified-trigger.yaml": [
        (
            "warning",
            "checker",
            "triggers[0].qualifier",
            "release-order",
            "trigger 'http' points at alias 'prod', which must exist before it deploys; release order: s checker deploy --function -y → s checker version publish --description \"...\" → s checker alias publish --alias-name prod --version-id latest → s checker deploy --trigger http -y",
        ),
    ],
    "code-directory-missing.yaml": [
        (
            "error",
            "checker",
            "code",
            "code-missing",
            "directory './no-such-dir' does not exist ({samples}/no-such-dir)",
        ),
    ],
    "code-object-incomplete.yaml": [
        ("error", "checker", "code.ossObjectName", "prop-required", "missing required prop 'ossObjectName'"),
        ("error", "checker", "code.src", "prop-required", "missing required prop 'src'"),
    ],
    "cpu-memory-ratio.yaml": [
        (
            "error",
            "checker",
            "cpu",
            "cpu-memory-ratio",
            "cpu 0.25 vCPU with memorySize 2048 MB is 1:8 (vCPU:GB); FC needs 1:1 to 1:4, i.e. memorySize 256-1024 MB for 0.25 vCPU",
        ),
    ],
    "disk-size-invalid.yaml": [
        ("error", "checker", "diskSize", "prop-enum", "1024 is not one of 10240, 512"),
    ],
    "duplicate-function-name.yaml": [
        (
            "error",
            "checker-copy",
            "functionName",
            "duplicate-function",
            "'checker' in cn-hangzhou is also resource 'checker': the second deploy overwrites the first",
        ),
    ],
    "duplicate-trigger-name.yaml": [
        ("error", "checker", "triggers[1].triggerName", "duplicate-trigger", "'http' is also triggers[0]"),
    ],
    "edition-wrong.yaml": [
        ("error", "", "edition", "edition", "must be '3.0.0' for Serverless Devs 3.x and fc3, got '1.0.0'"),
    ],
    "env-reserved-prefix.yaml": [
        (
            "error",
            "checker",
            "environmentVariables.FC_MODE",
            "env-reserved",
            "FC_MODE: the FC_ prefix is reserved for FC's own variables (the runtime may delete it)",
        ),
    ],
    "env-too-large.yaml": [
        (
            "error",
            "checker",
            "environmentVariables",
            "env-size",
            "4129 bytes of names and values; FC allows 4096 in total (put large settings in a file or in OSS)",
        ),
    ],
    "env-value-not-string.yaml": [
        (
            "error",
            "checker",
            "environmentVariables.APP_MAX_BODY_BYTES",
            "prop-type",
            'expected a string, got 65536 (quote it: "65536")',
        ),
    ],
    "env-variable-unset.yaml": [
        (
            "error",
            "checker",
            "region",
            "variable",
            "${env('SAMPLE_UNSET_REGION')}: environment variable SAMPLE_UNSET_REGION is not set and has no default",
        ),
    ],
    "file-variable-missing.yaml": [
        (
            "error",
            "checker",
            "description",
            "variable",
            "${file('./missing-description.txt')}: cannot read {samples}/missing-description.txt: No such file or directory",
        ),
    ],
    "function-name-invalid.yaml": [
        (
            "error",
            "checker",
            "functionName",
            "function-name",
            "'1-checker': use letters, digits, '_' and '-', start with a letter or '_', at most 64 characters",
        ),
    ],
    "handler-async.yaml": [
        (
            "error",
            "checker",
            "handler",
            "handler-async",
            "'sample_handlers.async_handler' is `async def`: FC's Python runtime calls it without awaiting",
        ),
    ],
    "handler-factory-wrong-arity.yaml": [
        (
            "error",
            "checker",
            "handler",
            "handler-arity",
            "'sample_handlers.factory_handler' cannot be called with 2 positional argument(s): too many positional arguments",
        ),
    ],
    "handler-function-missing.yaml": [
        ("error", "checker", "handler", "handler-missing", "prime_checker.py has no top-level 'handle'"),
    ],
    "handler-import-fails.yaml": [
        (
            "error",
            "checker",
            "handler",
            "handler-module",
            "importing broken_import fails: ModuleNotFoundError: No module named 'module_that_is_not_installed'",
        ),
        (
            "error",
            "checker",
            "handler",
            "undeclared-import",
            "imports module_that_is_not_installed (broken_import.py:5), which no distribution in requirements.txt"
            " or the function's layers provides (no installed distribution provides it either: add the one that"
            " does to requirements.txt)",
        ),
    ],
    "handler-missing-context.yaml": [
        (
            "error",
            "checker",
            "handler",
            "handler-arity",
            "'sample_handlers.handler_without_context' takes 1 positional argument, FC passes 2",
        ),
    ],
    "handler-module-missing.yaml": [
        ("error", "checker", "handler", "handler-module", "no module 'handlers.nope' (handlers/nope.py) in {repo}"),
    ],
    "initializer-longer-than-timeout.yaml": [
        (
            "warning",
            "checker",
            "instanceLifecycleConfig.initializer.timeout",
            "initializer-timeout",
            "30 s is longer than the function timeout (10 s): a cold start can outlast the caller's deadline",
        ),
    ],
    "initializer-timeout-too-long.yaml": [
        (
            "error",
            "checker",
            "instanceLifecycleConfig.initializer.timeout",
            "initializer-timeout",
            "400 s; FC allows at most 300 s",
        ),
    ],
    "initializer-wrong-arity.yaml": [
        (
            "error",
            "checker",
            "instanceLifecycleConfig.initializer.handler",
            "handler-arity",
            "'handlers.prime_checker.handler' needs 2 positional argument(s), FC passes 1",
        ),
    ],
    "instance-concurrency-too-high.yaml": [
        ("error", "checker", "instanceConcurrency", "prop-range", "must be between 1 and 200, got 300"),
    ],
    "layers-not-list.yaml": [
        (
            "error",
            "checker",
            "layers",
            "prop-type",
            "expected a list, got 'acs:fc:cn-hangzhou:123:layers/x/versions/1'",
        ),
    ],
    "log-config-missing-logstore.yaml": [
        ("error", "checker", "logConfig.logstore", "prop-required", "missing required prop 'logstore'"),
    ],
    "max-async-retry-attempts-too-high.yaml": [
        ("error", "checker", "asyncInvokeConfig.maxAsyncRetryAttempts", "prop-range", "must be between 0 and 8, got 9"),
    ],
    "memory-as-string.yaml": [
        ("error", "checker", "memorySize", "prop-type", "expected a whole number, got '512MB'"),
    ],
    "memory-not-multiple-of-64.yaml": [
        (
            "error",
            "checker",
            "memorySize",
            "prop-range",
            "must be a multiple of 64 MB, got 1000 (nearest: 960 or 1024)",
        ),
    ],
    "memory-too-small.yaml": [
        ("error", "checker", "memorySize", "prop-range", "must be between 128 and 32768 MB, got 64"),
    ],
    "missing-handler.yaml": [
        (
            "error",
            "checker",
            "handler",
            "prop-required",
            "missing required prop 'handler' (runtime python3.10 needs it)",
        ),
    ],
    "missing-region.yaml": [
        ("error", "checker", "region", "prop-required", "missing required prop 'region'"),
    ],
    "oss-bucket-other-region.yaml": [
        (
            "error",
            "thumbnailer",
            "triggers[0].sourceArn",
            "oss-region",
            "bucket region cn-shanghai differs from the function's region cn-hangzhou; FC only binds buckets of its own region",
        ),
    ],
    "oss-cycle.yaml": [
        (
            "error",
            "resize",
            "environmentVariables.APP_OUTPUT_PREFIX",
            "oss-cycle",
            "OSS trigger cycle resize → watermark → resize: resize writes 'resized/' which fires watermark's trigger 'on-upload' (bucket photos, prefix 'resized/', suffix ''); watermark writes 'raw/marked/' which fires resize's trigger 'on-upload' (bucket photos, prefix 'raw/', suffix '')",
        ),
    ],
    "valid-oss-output-other-bucket.yaml": [],
    "oss-overlap.yaml": [
        (
            "error",
            "indexer",
            "triggers[0].triggerConfig.filter",
            "oss-overlap",
            "overlaps thumbnailer's trigger 'on-upload' (bucket photos, prefix 'uploads/', suffix '') on event(s) oss:ObjectCreated:CompleteMultipartUpload, oss:ObjectCreated:PostObject, oss:ObjectCreated:PutObject: OSS rejects overlapping notification rules on one bucket; make the prefixes or suffixes disjoint",
        ),
    ],
    "oss-self-loop-root-prefix.yaml": [
        (
            "error",
            "thumbnailer",
            "environmentVariables.APP_OUTPUT_PREFIX",
            "oss-loop",
            "outputs under 'thumbnails/' in bucket photos match its own trigger 'on-upload' (prefix '', suffix '.jpg'): each output would invoke it again; use an output prefix outside the trigger's prefix",
        ),
    ],
    "oss-self-loop.yaml": [
        (
            "error",
            "thumbnailer",
            "environmentVariables.APP_OUTPUT_PREFIX",
            "oss-loop",
            "outputs under 'uploads/thumbnails/' in bucket photos match its own trigger 'on-upload' (prefix 'uploads/', suffix ''): each output would invoke it again; use an output prefix outside the trigger's prefix",
        ),
    ],
    "oss-source-arn-malformed.yaml": [
        (
            "error",
            "thumbnailer",
            "triggers[0].sourceArn",
            "oss-source-arn",
            "'photos' is not acs:oss:<region>:<account>:<bucket>",
        ),
    ],
    "oss-wildcard-event.yaml": [
        (
            "warning",
            "thumbnailer",
            "triggers[0].triggerConfig.events",
            "oss-wildcard-event",
            "oss:ObjectCreated:* fires on every multipart step (a 3-part upload invokes 5 times); for one call per finished object list oss:ObjectCreated:PutObject, PostObject and CompleteMultipartUpload",
        ),
    ],
    "prestop-timeout-too-long.yaml": [
        (
            "error",
            "checker",
            "instanceLifecycleConfig.preStop.timeout",
            "prestop-timeout",
            "120 s; FC allows at most 90 s",
        ),
    ],
    "pythonpath-missing.yaml": [
        (
            "error",
            "checker",
            "environmentVariables.PYTHONPATH",
            "pythonpath",
            "requirements.txt is in the code directory but PYTHONPATH is not set: `s build` installs the requirements into /code/python, which Python searches only with PYTHONPATH: /code/python",
        ),
    ],
    "region-typo.yaml": [
        (
            "error",
            "checker",
            "region",
            "prop-enum",
            "'cn-hangzou' is not one of the 26 values fc3 accepts; did you mean 'cn-hangzhou'?",
        ),
    ],
    "runtime-nodejs.yaml": [
        (
            "error",
            "checker",
            "runtime",
            "python-runtime",
            "'nodejs18' is an FC runtime, but this project's adapter runs on python3.9, python3.10, python3.12",
        ),
    ],
    "runtime-python311.yaml": [
        (
            "error",
            "checker",
            "runtime",
            "prop-enum",
            "'python3.11' is not an FC 3.0 runtime (Python: python3.9, python3.10, python3.12)",
        ),
    ],
    "timeout-too-long.yaml": [
        ("error", "checker", "timeout", "prop-range", "must be between 1 and 86400 s, got 90000"),
    ],
    "trigger-config-not-mapping.yaml": [
        ("error", "checker", "triggers[0].triggerConfig", "prop-type", "expected a mapping, got 'anonymous'"),
    ],
    "trigger-http-bad-method.yaml": [
        (
            "error",
            "checker",
            "triggers[0].triggerConfig.methods[1]",
            "trigger-config",
            "'FETCH' is not one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT; did you mean 'PATCH'?",
        ),
    ],
    "trigger-http-missing-methods.yaml": [
        ("error", "checker", "triggers[0].triggerConfig.methods", "trigger-config", "missing required prop 'methods'"),
    ],
    "trigger-missing-name.yaml": [
        ("error", "checker", "triggers[0].triggerName", "prop-required", "missing required prop 'triggerName'"),
    ],
    "trigger-oss-missing-suffix.yaml": [
        (
            "error",
            "thumbnailer",
            "triggers[0].triggerConfig.filter.key.suffix",
            "trigger-config",
            "missing required prop 'suffix'",
        ),
    ],
    "trigger-timer-five-field-cron.yaml": [
        (
            "error",
            "checker",
            "triggers[0].triggerConfig.cronExpression",
            "cron-expression",
            "'0 4 * * *' has 5 fields; FC cron has 6 (seconds minutes hours day month weekday), e.g. '0 0 4 * * *'",
        ),
    ],
    "trigger-timer-missing-enable.yaml": [
        ("error", "checker", "triggers[0].triggerConfig.enable", "trigger-config", "missing required prop 'enable'"),
    ],
    "trigger-type-unknown.yaml": [
        (
            "error",
            "checker",
            "triggers[0].triggerType",
            "prop-enum",
            "'https' is not one of cdn_events, eventbridge, http, log, mns_topic, oss, tablestore, timer; did you mean 'http'?",
        ),
    ],
    "two-http-triggers.yaml": [
        ("error", "checker", "triggers[1]", "http-trigger-count", "FC 3.0 allows one HTTP trigger per function"),
    ],
    "undefined-variable.yaml": [
        ("error", "checker", "memorySize", "variable", "${vars.memory} is undefined (memory does not exist)"),
    ],
    "unknown-prop-typo.yaml": [
        (
            "warning",
            "checker",
            "memorysize",
            "unknown-prop",
            "unknown prop 'memorysize', fc3 ignores it; did you mean 'memorySize'?",
        ),
    ],
    "unknown-resource-reference.yaml": [
        (
            "error",
            "checker",
            "region",
            "variable",
            "${resources.detector.props.region}: no resource named 'detector' (resources: checker)",
        ),
    ],
    "unknown-template.yaml": [
        ("error", "checker", "extend", "template", "no template named 'python-default' (templates: python-defaults)"),
    ],
    "valid-full.yaml": [],
    "valid-minimal.yaml": [],
    "valid-oss-pipeline.yaml": [],
}

UNREADABLE = {
    "yaml-syntax-error.yaml": "yaml-syntax-error.yaml: YAML syntax error at line 9, column 6: did not find expected key",
    "no-resources.yaml": "no-resources.yaml: 'resources' must be a mapping with at least one resource",
}


def _found(name: str) -> list[tuple[str, str, str, str, str]]:
    result = validate_file(SAMPLES / name, environ={})
    return [
        (
            p.severity,
            p.resource,
            p.path,
            p.rule,
            p.message.replace(str(SAMPLES), "{samples}").replace(str(REPO), "{repo}"),
        )
        for p in result.problems
    ]


def test_every_sample_has_an_expectation() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.yaml")) == sorted([*EXPECTED, *UNREADABLE])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_problems(name: str) -> None:
    assert _found(name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_sample_is_one_clear_error(name: str) -> None:
    with pytest.raises(ProjectError) as caught:
        validate_file(SAMPLES / name, environ={})
    assert str(caught.value) == UNREADABLE[name]


def test_sample_names_say_what_is_wrong() -> None:
    # a broken sample reports at least one problem, a valid one none: the name is not a lie
    for name, problems in EXPECTED.items():
        if name.startswith("valid-"):
            assert problems == [], name
        else:
            assert problems, name
