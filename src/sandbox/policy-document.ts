/** What IAM says of a policy document it refuses (MalformedPolicyDocument), or undefined when it accepts it. */
export function policyDocumentProblem(document: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return 'Syntax errors in policy.';
  }
  if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) return 'Missing required field Statement';
  return undefined;
}
