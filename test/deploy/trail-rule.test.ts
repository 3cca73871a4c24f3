import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { TRAIL_EVENT_NAMES } from '../../src/domain/trail';
import { ROOT } from './sdk-calls';

/** Reads a CloudFormation / serverless YAML file, its short-form intrinsics (!Ref, !Sub…) kept as plain values. */
function readYaml(file: string): Record<string, unknown> {
  const customTags = ['!Ref', '!Sub', '!GetAtt', '!If', '!Equals', '!Not', '!Split', '!Join'].flatMap((tag) => [
    { tag, resolve: (value: unknown) => value },
    { tag, collection: 'seq' as const, resolve: (value: unknown) => value },
  ]);
  return parseDocument(readFileSync(path.join(ROOT, file), 'utf8'), { customTags }).toJS() as Record<string, unknown>;
}

type Pattern = { 'detail-type': string[]; source: string[]; detail: { eventSource: string[]; eventName: string[]; errorCode: unknown } };

const expectedSources = Object.keys(TRAIL_EVENT_NAMES).sort();
const expectedNames = [...new Set(Object.values(TRAIL_EVENT_NAMES).flat())].sort();

function expectWardenPattern(pattern: Pattern): void {
  expect(pattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
  expect([...pattern.source].sort()).toEqual(expectedSources.map((s) => `aws.${s.replace('.amazonaws.com', '')}`).sort());
  expect([...pattern.detail.eventSource].sort()).toEqual(expectedSources);
  expect([...pattern.detail.eventName].sort()).toEqual(expectedNames);
  // Failed calls changed nothing: they never reach the function (the function also drops them).
  expect(pattern.detail.errorCode).toEqual([{ exists: false }]);
}

describe('the CloudTrail event rule (issue 15)', () => {
  it("serverless.yml's trail function listens for exactly the write calls src/domain/trail.ts classifies", () => {
    const stack = readYaml('serverless.yml') as { functions: Record<string, { handler: string; events: { eventBridge?: { pattern: Pattern } }[] }> };
    const trail = stack.functions['trail'];
    expect(trail?.handler).toBe('src/lambda/trail.handler');
    const rule = trail?.events.find((e) => e.eventBridge !== undefined)?.eventBridge;
    expectWardenPattern(rule?.pattern as Pattern);
  });

  it('the member-account forwarding template forwards the same events to Warden’s bus, with a role that may only put events there', () => {
    const template = readYaml('deploy/trail-forwarding.yaml') as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const rule = template.Resources['ForwardTrailEvents'];
    expect(rule?.Type).toBe('AWS::Events::Rule');
    expectWardenPattern(rule?.Properties['EventPattern'] as Pattern);
    const role = template.Resources['ForwardingRole']?.Properties as { Policies: { PolicyDocument: { Statement: { Action: string; Resource: unknown }[] } }[] };
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'events:PutEvents', Resource: 'WardenEventBusArn' })]);
  });
});
