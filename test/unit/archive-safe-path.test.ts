import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSafeRelPath, openInsideRoot, resolveInsideRoot } from '../../src/archive/safe-path.js';

describe('archive path safety', () => {
  it.each([
    ['140926/ccd_1/26sep10023.fits', true],
    ['a', true],
    ['', false],
    ['/etc/passwd', false],
    ['../x', false],
    ['140926/../../x', false],
    ['140926/./x', false],
    ['140926//x', false],
    ['140926\\..\\x', false],
    ['140926/x\0.fits', false],
    ['140926/%2e%2e/x', true], // only a name here: callers decode before checking, and the file must exist
  ])('isSafeRelPath(%j) = %s', (rel, ok) => {
    expect(isSafeRelPath(rel)).toBe(ok);
  });

  describe('on a real folder', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-safe-'));
    const root = path.join(tmp, 'archive');
    mkdirSync(path.join(root, '140926/ccd_1'), { recursive: true });
    writeFileSync(path.join(root, '140926/ccd_1/26sep10001.fits'), 'inside');
    writeFileSync(path.join(tmp, 'secret.txt'), 'outside');
    symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, '140926/ccd_1/26sep10002.fits'));
    symlinkSync(tmp, path.join(root, '140926/escape'));
    symlinkSync('26sep10001.fits', path.join(root, '140926/ccd_1/26sep10003.fits'));

    it('opens a file inside the root and one reached by a symlink that stays inside', async () => {
      const f = await openInsideRoot(root, '140926/ccd_1/26sep10003.fits');
      expect(f.realPath).toBe(path.join(root, '140926/ccd_1/26sep10001.fits'));
      expect(f.size).toBe(6);
      await f.handle.close();
    });

    it('refuses to open a folder', async () => {
      await expect(openInsideRoot(root, '140926/ccd_1')).rejects.toMatchObject({ label: 'NotFoundFault' });
    });

    it.each(['140926/ccd_1/26sep10002.fits', '140926/escape/secret.txt', '140926/escape', '140926/ccd_1/none.fits', '../secret.txt'])(
      'refuses %j with NotFoundFault',
      async (rel) => {
        await expect(resolveInsideRoot(root, rel)).rejects.toMatchObject({ label: 'NotFoundFault' });
        await expect(openInsideRoot(root, rel)).rejects.toMatchObject({ label: 'NotFoundFault' });
      },
    );
  });
});
