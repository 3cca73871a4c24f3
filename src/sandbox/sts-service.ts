import { queryService, QueryParams, reply, xmlReply, type ServiceHandler } from './service';
import { el } from './xml';

/** Namespace of STS's awsQuery responses. */
export const STS_XML_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** STS (awsQuery, version 2011-06-15): GetCallerIdentity and AssumeRole across the sandbox's accounts. */
export function stsService(): ServiceHandler {
  return queryService({
    name: 'sts',
    xmlNamespace: STS_XML_NAMESPACE,
    version: '2011-06-15',
    actions: {
      GetCallerIdentity: (c) => xmlReply(el('Arn', c.caller.arn) + el('UserId', c.caller.userId) + el('Account', c.account)),
      AssumeRole: (c) => {
        const p = new QueryParams(c.params);
        const roleArn = p.required('RoleArn');
        if (!roleArn.ok) return { kind: 'error', error: roleArn.error };
        const sessionName = p.required('RoleSessionName');
        if (!sessionName.ok) return { kind: 'error', error: sessionName.error };
        const duration = p.int('DurationSeconds');
        if (!duration.ok) return { kind: 'error', error: duration.error };
        const externalId = c.params.get('ExternalId');
        const input = {
          roleArn: roleArn.value,
          sessionName: sessionName.value,
          ...(duration.value !== undefined ? { durationSeconds: duration.value } : {}),
          ...(externalId !== undefined ? { externalId } : {}),
        };
        return reply(c.state.assumeRole(c.caller, input), (r) =>
          xmlReply(
            `<Credentials>${el('AccessKeyId', r.accessKeyId)}${el('SecretAccessKey', r.secretAccessKey)}${el('SessionToken', r.sessionToken)}${el('Expiration', r.expiration)}</Credentials>` +
              `<AssumedRoleUser>${el('AssumedRoleId', r.assumedRoleId)}${el('Arn', r.arn)}</AssumedRoleUser>`,
          ),
        );
      },
    },
  });
}
