import { DOCUMENT_NAMES } from '../../src/adapters/aws/ssm/documents';
import { actionList, resourceList, resourceText, type Json, type Statement } from './sdk-calls';

const DOCUMENT_ARNS = new Set(Object.values(DOCUMENT_NAMES).map((name) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:document/${name}`));
const INSTANCE_ARNS = new Set([
  'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*',
  'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:managed-instance/*',
]);

/** Whether an action pattern (`ssm:SendCommand`, `ssm:Send*`, `ssm:*`, `*`) covers SendCommand. */
const coversSendCommand = (action: string): boolean =>
  new RegExp(`^${action.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test('ssm:SendCommand');

/**
 * Why these statements would let the role run a command of its choosing, or on an instance not tagged for Warden:
 * SendCommand only on Warden's own documents, and on instances only under `ssm:resourceTag/Warden` equal to `tagValue`.
 * Empty when the statements are safe.
 */
export function sendCommandProblems(statements: readonly Statement[], tagValue: Json): string[] {
  const problems: string[] = [];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    const raw = statement as unknown as Record<string, Json>;
    if ('NotAction' in raw || 'NotResource' in raw) {
      problems.push(`${statement.Sid ?? '?'}: NotAction/NotResource in an Allow can reach SendCommand`);
      continue;
    }
    if (!actionList(statement).some(coversSendCommand)) continue;
    const sid = statement.Sid ?? '?';
    if (actionList(statement).some((a) => a !== 'ssm:SendCommand')) problems.push(`${sid}: SendCommand shares a statement with ${actionList(statement).join(', ')}`);
    const resources = resourceList(statement).map(resourceText);
    const documents = resources.filter((r) => DOCUMENT_ARNS.has(r));
    const instances = resources.filter((r) => INSTANCE_ARNS.has(r));
    for (const r of resources) if (!DOCUMENT_ARNS.has(r) && !INSTANCE_ARNS.has(r)) problems.push(`${sid}: SendCommand on ${r}`);
    if (documents.length > 0 && instances.length > 0) problems.push(`${sid}: documents and instances in one statement (the tag condition would apply to both)`);
    if (instances.length > 0) {
      const condition = JSON.stringify(statement.Condition ?? null);
      if (condition !== JSON.stringify({ StringEquals: { 'ssm:resourceTag/Warden': tagValue } })) problems.push(`${sid}: SendCommand on instances without the Warden tag condition (${condition})`);
    }
  }
  return problems;
}
