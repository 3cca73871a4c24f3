import { keyFingerprint } from '../../src/domain/ssh-key';

/*
 * Keys on hosts are matched by the fingerprint OpenSSH prints, never by text. The expected value
 * is what `ssh-keygen -l` printed for this public key, a literal on purpose: the module must
 * agree with OpenSSH, not with itself.
 */

const BODY = 'AAAAC3NzaC1lZDI1NTE5AAAAIF8ji1zG063vp/I590NCP3mA7DlupKAhbijzA1KLtIxE';
const OPENSSH_FINGERPRINT = 'SHA256:T5EMs/mI2YLyVOtbFnJ2jMQecd8DUnF0/bNVRdRN0YU';

describe('keyFingerprint', () => {
  it('is the fingerprint ssh-keygen -l prints, unpadded', () => {
    expect(keyFingerprint(BODY)).toBe(OPENSSH_FINGERPRINT);
  });

  it('finds the same key when the body is broken by whitespace, as sshd accepts it', () => {
    expect(keyFingerprint(`${BODY.slice(0, 20)} \n\t${BODY.slice(20)}`)).toBe(OPENSSH_FINGERPRINT);
  });

  it.each([
    ['a body with a character outside base64', `${BODY.slice(0, 8)}!${BODY.slice(9)}`],
    ['a body whose length is not a multiple of 4', BODY.slice(0, -1)],
    ['a body that decodes to nothing', 'A==='],
    ['an empty body', ''],
  ])('gives no fingerprint for %s', (_name, body) => {
    expect(keyFingerprint(body)).toBeUndefined();
  });
});
