#!/bin/sh
# Lambda's exec wrapper for Warden's functions (AWS_LAMBDA_EXEC_WRAPPER in serverless.yml). The runtime calls it with
# its own command line, the Node binary first; this starts that same command with WARDEN_NODE_FLAGS right after the
# binary. Node accepts only some V8 flags in NODE_OPTIONS, and not the young generation's starting size, which spares a
# cold start a dozen garbage collections (bench/RESULTS.md, "Session 8").
# With WARDEN_NODE_FLAGS empty or unset it runs the command unchanged. test/deploy/lambda-node.test.ts runs it.
node="$1"
shift
# Word splitting of the flags is wanted: one flag per word, none with spaces (the template sets them). Pathname
# expansion is not: a flag is passed as written, never matched against files in the working directory.
set -f
# shellcheck disable=SC2086
exec "$node" $WARDEN_NODE_FLAGS "$@"
