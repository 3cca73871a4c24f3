#!/usr/bin/env bash
# Packages the stack offline (defaults, then every operational parameter set) and runs cfn-lint over both templates.
# Needs cfn-lint (`pip install cfn-lint`). Ignored, each for a reason:
#   W3005  DependsOn that osls writes next to a GetAtt/Ref (the framework's template, harmless)
#   W8003  Fn::Equals over two literals: serverless params are resolved at packaging, so the conditions are constant
#   W1031  the ARN of the branch of Fn::If a condition rules out (anchorBucket '' vs a named log-archive bucket)
#   W1033  the same for protectedUserArns: with none given, the ruled-out branch splits an empty string
#   W1032  the same for identityCenterRoleArn: with none given, the ruled-out statement's Fn::Join gives ''
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v cfn-lint >/dev/null || { echo "cfn-lint is not installed (pip install cfn-lint)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export AWS_EC2_METADATA_DISABLED=true
npx serverless package --stage ci --package "$out/defaults" >/dev/null
npx serverless package --stage ci --package "$out/tuned" --param=scheduledMode=apply --param=alertEmail=oncall@example.com \
  --param=anchorBucket=log-archive-warden-anchors --param=tracing=true --param=slackProvisionedConcurrency=1 \
  --param=organizationId=o-abc123def4 --param=protectedUserArns=arn:aws:iam::123456789012:user/ops/alice \
  --param=identityCenterRoleArn=arn:aws:iam::123456789012:role/WardenIdentityCenter >/dev/null
cfn-lint --ignore-checks W3005 W8003 W1031 W1032 W1033 -- "$out/defaults/cloudformation-template-update-stack.json" "$out/tuned/cloudformation-template-update-stack.json" \
  deploy/member-account-role.yaml deploy/anchor-bucket.yaml deploy/trail-forwarding.yaml
echo "cfn-lint: packaged templates and deploy/*.yaml are clean"
