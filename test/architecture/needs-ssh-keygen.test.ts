import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * jest.config.js leaves out suites marked `// needs: ssh-keygen` on a machine without OpenSSH's ssh-keygen, and says so;
 * every suite that makes keys or runs the host scripts must carry the mark, or that machine would see it fail instead.
 */
const root = path.resolve(__dirname, '..');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []));

describe('suites that need ssh-keygen', () => {
  it('are all marked, so a machine without it runs the rest and names them', () => {
    const unmarked = files(root).filter((file) => {
      if (file === __filename) return false;
      const text = readFileSync(file, 'utf8');
      return /\b(makeKey|runScript|runCommandText|INVENTORY_SH|REVOKE_SH|startSandboxWithHosts)\b/.test(text) && !text.startsWith('// needs: ssh-keygen');
    });
    expect(unmarked.map((f) => path.relative(root, f))).toEqual([]);
  });
});
